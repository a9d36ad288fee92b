import type * as z from 'zod';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { approverDeadline, approverEmailInputSchema, renderApproverEmail } from './approval-email-parts.ts';
import { momentSchema } from './email-input-fields.ts';
import { shortDeadline, subjectLine } from './email-text.ts';
import { amountLabel, partnerShortName } from './registration-summary.ts';

const APPROVAL_REMINDER_TEMPLATE = 'approval-reminder';

const approvalReminderEmailInputSchema = approverEmailInputSchema({
  /** When this approver was first asked. */
  requestedAt: momentSchema('requestedAt'),
});

export type ApprovalReminderEmailInput = z.input<typeof approvalReminderEmailInputSchema>;

/**
 * The reminder to the same approver when the SLA deadline approaches: when they were asked,
 * the deadline in their time zone, who it escalates to, and the same "Review and decide" link.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApprovalReminderEmail(input: ApprovalReminderEmailInput): OutgoingEmail {
  return renderApproverEmail(
    APPROVAL_REMINDER_TEMPLATE,
    approvalReminderEmailInputSchema,
    input,
    (email, { zone, customer, partner }) => {
      const { registration, approver } = email;
      const escalation = email.escalatesTo
        ? `After that it is escalated to ${email.escalatesTo} and this link no longer works.`
        : 'After that the approval is escalated and this link no longer works.';
      return {
        subject: subjectLine(
          `Reminder: decide by ${shortDeadline(email.deadline, zone)} on ${customer}, registered by ${partnerShortName(registration)}`,
        ),
        title: 'Reminder: a deal registration is waiting for your decision',
        intro: [
          `${approver.name}, you were asked on ${approverDeadline(email.requestedAt, zone)} to decide on the deal ${partner} registered with ${customer} for ${amountLabel(registration)}. It has not been decided yet.`,
        ],
        deadline: `The SLA deadline is ${approverDeadline(email.deadline, zone)}. ${escalation}`,
        showEvidence: false,
      };
    },
  );
}
