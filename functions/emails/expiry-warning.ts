import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { momentSchema, requireEither, webLinkSchema } from './email-input-fields.ts';
import { shortDate, subjectLine } from './email-text.ts';
import {
  type PartnerEmailBlock,
  partnerEmailFields,
  policyContextFields,
  renderPartnerEmail,
} from './partner-email-parts.ts';

const EXPIRY_WARNING_TEMPLATE = 'expiry-warning';

const extensionAvailableSchema = z
  .object({
    available: z.literal(true),
    /** How many days the extension adds (`validity.extensionDays`). */
    days: z.number().int().positive('the extension adds at least one day'),
    /** Where the partner asks for it. */
    requestUrl: webLinkSchema('the extension request link').optional(),
    /** Who to write to instead, or as well. */
    contactEmail: z.email('the contact must be an email address').optional(),
  })
  .superRefine(
    requireEither(
      'requestUrl',
      'contactEmail',
      'say how to request the extension: a request link or a contact email',
    ),
  );

const expiryWarningEmailInputSchema = z.object({
  ...partnerEmailFields,
  /** The relationship it was approved as, e.g. `Partner-sourced`. */
  relationshipLabel: z.string().trim().min(1).optional(),
  expiresAt: momentSchema('expiresAt'),
  /** Whether the one extension is still available, and how to ask for it. */
  extension: z.discriminatedUnion(
    'available',
    [extensionAvailableSchema, z.object({ available: z.literal(false) })],
    { error: 'extension.available must be true or false' },
  ),
  ...policyContextFields,
});

export type ExpiryWarningEmailInput = z.input<typeof expiryWarningEmailInputSchema>;

/**
 * The warning to the submitting partner before an approved registration expires: the date, what
 * expiry means, and how to request the one extension (or that it was already used).
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderExpiryWarningEmail(input: ExpiryWarningEmailInput): OutgoingEmail {
  return renderPartnerEmail(
    EXPIRY_WARNING_TEMPLATE,
    expiryWarningEmailInputSchema,
    input,
    (email, { customer, reference }) => {
      const { extension, timeZone } = email;
      const as = email.relationshipLabel ? ` (approved as ${email.relationshipLabel})` : '';
      const blocks: PartnerEmailBlock[] = [
        {
          kind: 'emphasis',
          text: `Your registration of the deal with ${customer}${as} expires on ${formatDeadline(email.expiresAt, timeZone)}.`,
        },
        {
          kind: 'paragraph',
          text: 'After that it no longer protects your claim to this deal: the expiry is recorded, and another registration for this customer can be approved.',
        },
      ];
      if (extension.available) {
        blocks.push({
          kind: 'paragraph',
          text: `If the deal is still active, you can request one extension of ${extension.days} day${extension.days === 1 ? '' : 's'}. An approver decides on it, so ask before the expiry date and say what has moved since you registered.`,
        });
        if (extension.requestUrl !== undefined) {
          blocks.push({ kind: 'button', label: 'Request the extension', url: extension.requestUrl });
        }
        if (extension.contactEmail !== undefined) {
          blocks.push({
            kind: 'paragraph',
            text: `${extension.requestUrl === undefined ? 'Write' : 'Or write'} to ${extension.contactEmail} and quote reference ${reference}.`,
          });
        }
      } else {
        blocks.push({
          kind: 'paragraph',
          text: 'This registration has already had its extension and cannot be extended again.',
        });
      }
      const expires = shortDate(email.expiresAt, timeZone);
      return {
        subject: subjectLine(
          extension.available
            ? `Action needed: your deal registration for ${customer} expires on ${expires}; request the extension if the deal is still open`
            : `Your deal registration for ${customer} expires on ${expires}`,
        ),
        title: 'Your deal registration expires soon',
        blocks,
      };
    },
  );
}
