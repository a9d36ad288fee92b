import type {
  ExtensionRegistration,
  ExtensionRequest,
  ExtensionTaskOutput,
} from '#domain/extension-requests/extension-offer.ts';
import type { Access } from '#domain/signed-links/access.ts';

/** The result of the conditional write of a request, with the registration as it now is. */
export type RecordRequestResult =
  | { readonly recorded: true; readonly registration: ExtensionRegistration }
  | {
      readonly recorded: false;
      /** `offer-replaced`: the workflow wrote a new offer since the caller read it. */
      readonly reason: 'already-requested' | 'offer-expired' | 'offer-replaced' | 'no-offer';
      readonly registration: ExtensionRegistration | undefined;
    };

/**
 * Port: the extension offer and request on the registration item. The request is written once,
 * on the condition that none was made and the offer has not run out, so of two racing requests
 * exactly one wins and the other learns why it lost.
 */
export interface ExtensionRequestStore {
  get(registrationId: string): Promise<ExtensionRegistration | undefined>;
  /** Records the request (and where it came from) if none was made and the offer runs until after `request.requestedAt`. */
  recordRequest(
    registrationId: string,
    request: ExtensionRequest,
    access: Access,
  ): Promise<RecordRequestResult>;
  /** Notes that the request was handed to the waiting workflow. */
  recordHandedOver(registrationId: string, at: Date): Promise<void>;
}

/**
 * Port: ends the workflow's wait for an extension request — Step Functions `SendTaskSuccess`
 * with the stored callback token in AWS, the local runner's `sendTaskSuccess` locally.
 */
export type SendExtensionTaskSuccess = (taskToken: string, output: ExtensionTaskOutput) => Promise<void>;
