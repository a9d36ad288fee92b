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
  /**
   * Present when this acknowledges the partner's answer to an approver's question: the
   * resubmission that answered it, which became part of this registration.
   */
  answer: z
    .object({ resubmissionId: z.string().trim().min(1, 'name the resubmission that answered') })
    .optional(),
  ...policyContextFields,
});

export type RegistrationReceivedEmailInput = z.input<typeof registrationReceivedEmailInputSchema>;

/**
 * The confirmation to the submitting partner that the registration was received and is with an
 * approver: by when they decide, and the link to the status page. With `answer`, the confirmation
 * that their resubmission answered the approver's question and the approval goes on.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderRegistrationReceivedEmail(input: RegistrationReceivedEmailInput): OutgoingEmail {
  return renderPartnerEmail(
    REGISTRATION_RECEIVED_TEMPLATE,
    registrationReceivedEmailInputSchema,
    input,
    (email, { customer, reference }) => ({
      subject: subjectLine(
        email.answer === undefined ? `Registration received: ${customer}` : `Answer received: ${customer}`,
      ),
      title:
        email.answer === undefined
          ? 'Your registration is with an approver'
          : 'Your answer is with the approver',
      blocks: [
        {
          kind: 'paragraph',
          text:
            email.answer === undefined
              ? `We received your registration of the deal with ${customer}. The conflict check is done and an approver now decides on it.`
              : `We received your answer to the approver’s question about your registration of the deal with ${customer}: your resubmission ${email.answer.resubmissionId} is now part of registration ${reference}, not a registration of its own. The approval clock (SLA) runs again with the time it had left.`,
        },
        {
          kind: 'emphasis',
          text: `An approver decides by ${formatDeadline(email.slaDeadline, email.timeZone)} (the policy's SLA deadline).`,
        },
      ],
    }),
  );
}
