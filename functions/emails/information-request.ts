import { z } from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { momentSchema, timeZoneSchema, webLinkSchema } from './email-input-fields.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine, subjectLine, truncate } from './email-text.ts';
import { type PartnerEmailBlock, renderPartnerEmail } from './partner-email-parts.ts';
import { MAX_QUOTED_LENGTH, registrationRows, registrationSummarySchema } from './registration-summary.ts';

export const INFORMATION_REQUEST_TEMPLATE = 'information-request';

export const informationRequestEmailInputSchema = z
  .object({
    to: z.email('the recipient must be an email address'),
    registration: registrationSummarySchema,
    approverName: z.string().trim().min(1, 'name the approver who asks'),
    /** Where the partner can write to the approver; one way to answer. */
    approverEmail: z.email('the approver email must be an email address').optional(),
    /** The approver's question, shown as written. */
    question: z.string().trim().min(1, 'the question must not be empty'),
    askedAt: momentSchema('askedAt'),
    /** The registration form, to submit again with the missing details; the other way to answer. */
    resubmitUrl: webLinkSchema('the resubmission link').optional(),
    /** The business calendar's zone: dates are shown in it. */
    timeZone: timeZoneSchema,
    policyVersion: z.string().trim().min(1, 'the policy version is required'),
  })
  .superRefine((value, context) => {
    if (value.resubmitUrl === undefined && value.approverEmail === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['resubmitUrl'],
        message: 'give the partner a way to answer: a resubmission link or the approver email',
      });
    }
  });

export type InformationRequestEmailInput = z.input<typeof informationRequestEmailInputSchema>;

/**
 * The email to the submitting partner when an approver needs more information: the question
 * as asked, how to answer (resubmit the form, or write to the approver), and that the SLA
 * clock is paused until they do.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderInformationRequestEmail(input: InformationRequestEmailInput): OutgoingEmail {
  const email = EmailTemplateInputError.check(
    INFORMATION_REQUEST_TEMPLATE,
    informationRequestEmailInputSchema,
    input,
  );
  const { registration } = email;
  const customer = oneLine(registration.customerCompanyName);
  const reference = registration.registrationId;

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
      text: `${email.resubmitUrl === undefined ? 'Write' : 'Or write'} to ${email.approverName} at ${email.approverEmail} and quote reference ${reference}.`,
    });
  }
  blocks.push(
    {
      kind: 'paragraph',
      text: 'The approval clock (SLA) is paused until you answer. When you do, it starts again with the time it had left. Until then the registration is neither approved nor rejected.',
    },
    { kind: 'rows', heading: 'Your registration', rows: registrationRows(registration) },
  );

  return renderPartnerEmail({
    template: INFORMATION_REQUEST_TEMPLATE,
    to: email.to,
    subject: subjectLine(`Action needed: answer a question about your deal registration for ${customer}`),
    title: 'Your deal registration needs more information',
    blocks,
    footer: [`Reference ${reference} · policy version ${email.policyVersion}`],
  });
}
