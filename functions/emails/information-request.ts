import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { momentSchema, requireEither, webLinkSchema } from './email-input-fields.ts';
import { subjectLine, truncate } from './email-text.ts';
import {
  type PartnerEmailBlock,
  partnerEmailFields,
  policyContextFields,
  renderPartnerEmail,
} from './partner-email-parts.ts';
import { MAX_QUOTED_LENGTH } from './registration-summary.ts';

const INFORMATION_REQUEST_TEMPLATE = 'information-request';

const informationRequestEmailInputSchema = z
  .object({
    ...partnerEmailFields,
    approverName: z.string().trim().min(1, 'name the approver who asks'),
    /** Where the partner can write to the approver; one way to answer. */
    approverEmail: z.email('the approver email must be an email address').optional(),
    /** The approver's question, shown as written. */
    question: z.string().trim().min(1, 'the question must not be empty'),
    askedAt: momentSchema('askedAt'),
    /** When an unanswered question declines the registration (the workflow's wait times out). */
    answerBy: momentSchema('answerBy').optional(),
    /** The registration form, to submit again with the missing details; the other way to answer. */
    resubmitUrl: webLinkSchema('the resubmission link').optional(),
    ...policyContextFields,
  })
  .superRefine(
    requireEither(
      'resubmitUrl',
      'approverEmail',
      'give the partner a way to answer: a resubmission link or the approver email',
    ),
  );

export type InformationRequestEmailInput = z.input<typeof informationRequestEmailInputSchema>;

/**
 * The email to the submitting partner when an approver needs more information: the question
 * as asked, how to answer (resubmit the form, or write to the approver), and that the SLA
 * clock is paused until they do.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderInformationRequestEmail(input: InformationRequestEmailInput): OutgoingEmail {
  return renderPartnerEmail(
    INFORMATION_REQUEST_TEMPLATE,
    informationRequestEmailInputSchema,
    input,
    (email, { customer, reference }) => {
      const blocks: PartnerEmailBlock[] = [
        {
          kind: 'paragraph',
          text: `${email.approverName} is reviewing your registration of the deal with ${customer} and needs more information before deciding.`,
        },
        {
          kind: 'quote',
          label: `${email.approverName} asked on ${formatDeadline(email.askedAt, email.timeZone)}:`,
          text: truncate(email.question, MAX_QUOTED_LENGTH * 5),
        },
        { kind: 'emphasis', text: 'How to answer' },
      ];
      if (email.resubmitUrl !== undefined) {
        blocks.push(
          {
            kind: 'paragraph',
            text: `Submit the deal registration form again with the missing details and quote reference ${reference} in the description.`,
          },
          { kind: 'button', label: 'Open the registration form', url: email.resubmitUrl },
        );
      }
      if (email.approverEmail !== undefined) {
        blocks.push({
          kind: 'paragraph',
          // Only a resubmission resumes the approval: a letter to the approver is for what is unclear.
          text:
            email.resubmitUrl === undefined
              ? `Write to ${email.approverName} at ${email.approverEmail} and quote reference ${reference}.`
              : `If the question is unclear, write to ${email.approverName} at ${email.approverEmail} and quote reference ${reference}; the approval goes on once you have submitted the form again.`,
        });
      }
      if (email.answerBy !== undefined) {
        blocks.push({
          kind: 'paragraph',
          text: `Answer by ${formatDeadline(email.answerBy, email.timeZone)}. If you have not answered by then, the registration is declined and no protection applies.`,
        });
      }
      blocks.push({
        kind: 'paragraph',
        text: 'The approval clock (SLA) is paused until you answer. When you do, it starts again with the time it had left. Until then the registration is neither approved nor rejected.',
      });
      return {
        subject: subjectLine(`Action needed: answer a question about your deal registration for ${customer}`),
        title: 'Your deal registration needs more information',
        blocks,
      };
    },
  );
}
