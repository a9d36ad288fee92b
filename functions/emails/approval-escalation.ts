import * as z from 'zod';
import { formatMoney } from '#domain/money.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import {
  approverDeadline,
  approverEmailInputSchema,
  decideBySentence,
  renderApproverEmail,
  slaDefaultFields,
} from './approval-email-parts.ts';
import { momentSchema } from './email-input-fields.ts';
import { shortDeadline, subjectLine } from './email-text.ts';
import { amountLabel, partnerShortName } from './registration-summary.ts';

const APPROVAL_ESCALATION_TEMPLATE = 'approval-escalation';

const approvalEscalationEmailInputSchema = approverEmailInputSchema({
  /** The approver who did not decide in time. */
  previousApprover: z.object({
    name: z.string().trim().min(1, 'name the approver who did not decide'),
    email: z.email('the previous approver email must be an email address'),
  }),
  /** When the previous approver was asked. */
  requestedAt: momentSchema('requestedAt'),
  /** The SLA deadline the previous approver missed. */
  missedDeadline: momentSchema('missedDeadline'),
  ...slaDefaultFields,
});

export type ApprovalEscalationEmailInput = z.input<typeof approvalEscalationEmailInputSchema>;

/**
 * The escalation to the next approver after the SLA deadline passed: who did not act and by
 * when they should have, the new deadline in the new approver's time zone, the full verdict,
 * and a "Review and decide" link of their own.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApprovalEscalationEmail(input: ApprovalEscalationEmailInput): OutgoingEmail {
  return renderApproverEmail(
    APPROVAL_ESCALATION_TEMPLATE,
    approvalEscalationEmailInputSchema,
    input,
    (email, { zone, customer, partner }) => {
      const { registration, approver, previousApprover } = email;
      return {
        subject: subjectLine(
          `Escalated to you: decide by ${shortDeadline(email.deadline, zone)} on ${customer}, ${formatMoney(registration.estimatedAmount)}, registered by ${partnerShortName(registration)}`,
        ),
        title: 'An overdue deal registration was escalated to you',
        intro: [
          `${approver.name}, ${previousApprover.name} (${previousApprover.email}) was asked on ${approverDeadline(email.requestedAt, zone)} to decide on the deal ${partner} registered with ${customer} for ${amountLabel(registration)}, and did not decide by the SLA deadline of ${approverDeadline(email.missedDeadline, zone)}.`,
          `The decision is now yours. The link sent to ${previousApprover.name} no longer works.`,
        ],
        deadline: decideBySentence(email),
        showEvidence: true,
      };
    },
  );
}
