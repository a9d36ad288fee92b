import * as z from 'zod';
import type { RegistrationDetails } from '#domain/registration.ts';
import { maxTextLength, readForm } from '#domain/signed-links/page-form.ts';

/**
 * The one extension of an approved registration (DESIGN §3.2 step 7), as the registration item
 * holds it. The workflow's "Warn partner of expiry" task writes the offer and the callback token
 * of its wait; the partner's request is written once, conditionally, and handed to that wait.
 */

/** What the workflow offered: to whom, from when, until when the partner may ask. */
export const extensionOfferSchema = z.object({
  offeredAt: z.iso.datetime({ offset: true }),
  /** The partner may ask until this moment; the link expires with it. */
  expiresAt: z.iso.datetime({ offset: true }),
  partnerEmail: z.email(),
});
export type ExtensionOffer = z.infer<typeof extensionOfferSchema>;

/** The partner's request: exactly what the waiting workflow receives as `extensionRequest`. */
export const extensionRequestSchema = z.object({
  requestedAt: z.iso.datetime(),
  requestedBy: z.email(),
  reason: z.string().min(1),
});
export type ExtensionRequest = z.infer<typeof extensionRequestSchema>;

/**
 * What became of the partner's request, kept beside it for the status page: granted (the expiry
 * moved) or refused, when, and why it was refused. The workflow writes it with the decision; the
 * next offer removes it with the request.
 */
export const extensionDecisionSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('granted'), decidedAt: z.iso.datetime() }),
  z.object({ outcome: z.literal('refused'), decidedAt: z.iso.datetime(), reason: z.string().min(1) }),
]);
export type ExtensionDecision = z.infer<typeof extensionDecisionSchema>;

/** The output `SendTaskSuccess` gives the workflow's wait. */
export interface ExtensionTaskOutput {
  readonly extensionRequest: ExtensionRequest;
}

/** The registration as the extension page shows it. */
export interface ExtensionRegistration {
  readonly registrationId: string;
  readonly details: RegistrationDetails;
  readonly partnerName?: string | undefined;
  /** When the registration expires unless extended (the workflow's `progress.expiresAt`). */
  readonly expiresAt?: string | undefined;
  readonly offer?: ExtensionOffer | undefined;
  /** The callback token of the workflow's wait for a request. */
  readonly callbackToken?: string | undefined;
  readonly request?: ExtensionRequest | undefined;
  /** When the request was handed to the waiting workflow. */
  readonly handedOverAt?: string | undefined;
}

const formSchema = z.object({
  reason: z
    .string({ error: 'is required: say why the deal needs more time' })
    .trim()
    .min(1, 'is required: say why the deal needs more time')
    .max(maxTextLength, `must be at most ${maxTextLength} characters`),
});

/** Reads the partner's reason from the page's form; throws `InvalidFormError` naming it. */
export function readExtensionReason(fields: { reason?: string | undefined }): string {
  return readForm(formSchema, fields).reason;
}

/** A registration with an open offer and the workflow's callback token. */
export type OfferedRegistration = ExtensionRegistration & {
  readonly offer: ExtensionOffer;
  readonly callbackToken: string;
};

/** What the extension page shows. */
export type ExtensionView =
  | {
      readonly state: 'open';
      readonly registration: OfferedRegistration;
      readonly token: string;
      readonly nonce: string;
    }
  | {
      readonly state: 'requested';
      readonly registration: OfferedRegistration;
      readonly request: ExtensionRequest;
    };
