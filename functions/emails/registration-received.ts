import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { momentSchema, webLinkSchema } from './email-input-fields.ts';
import { subjectLine } from './email-text.ts';
import { partnerEmailFields, policyContextFields, renderPartnerEmail } from './partner-email-parts.ts';

const REGISTRATION_RECEIVED_TEMPLATE = 'registration-received';

const registrationReceivedEmailInputSchema = z.object({
  ...partnerEmailFields,
  statusUrl: webLinkSchema('the status link'),
  /** The first level's SLA deadline: an approver decides by then, or the policy default applies later. */
  slaDeadline: momentSchema('slaDeadline'),
  ...policyContextFields,
});

export type RegistrationReceivedEmailInput = z.input<typeof registrationReceivedEmailInputSchema>;

/**
 * The confirmation to the submitting partner that the registration was received and is with an
 * approver: by when they decide, and the link to the status page.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderRegistrationReceivedEmail(input: RegistrationReceivedEmailInput): OutgoingEmail {
  return renderPartnerEmail(
    REGISTRATION_RECEIVED_TEMPLATE,
    registrationReceivedEmailInputSchema,
    input,
    (email, { customer }) => ({
      subject: subjectLine(`Registration received: ${customer}`),
      title: 'Your registration is with an approver',
      blocks: [
        {
          kind: 'paragraph',
          text: `We received your registration of the deal with ${customer}. The conflict check is done and an approver now decides on it.`,
        },
        {
          kind: 'emphasis',
          text: `An approver decides by ${formatDeadline(email.slaDeadline, email.timeZone)} (the policy's SLA deadline).`,
        },
      ],
    }),
  );
}
