import { z } from 'zod';
import { formatMoney } from '#domain/money.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import {
  approvalEmailFields,
  approverDeadline,
  decideBySentence,
  renderApproverEmail,
  requireFirstLevelApproval,
  slaDefaultFields,
} from './approval-email-parts.ts';
import { momentSchema } from './email-input-fields.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine, shortDeadline, subjectLine } from './email-text.ts';
import { amountLabel, partnerLabel, partnerShortName } from './registration-summary.ts';

export const APPROVAL_ESCALATION_TEMPLATE = 'approval-escalation';

export const approvalEscalationEmailInputSchema = z
  .object({
    ...approvalEmailFields,
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
  })
  .superRefine(requireFirstLevelApproval);

export type ApprovalEscalationEmailInput = z.input<typeof approvalEscalationEmailInputSchema>;

/**
 * The escalation to the next approver after the SLA deadline passed: who did not act and by
 * when they should have, the new deadline in the new approver's time zone, the full verdict,
 * and a "Review and decide" link of their own.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApprovalEscalationEmail(input: ApprovalEscalationEmailInput): OutgoingEmail {
  const email = EmailTemplateInputError.check(
    APPROVAL_ESCALATION_TEMPLATE,
    approvalEscalationEmailInputSchema,
    input,
  );
  const { registration, approver, verdict, previousApprover } = email;
  const zone = approver.timeZone;
  const customer = oneLine(registration.customerCompanyName);
  const partner = oneLine(partnerLabel(registration));

  const deadline = decideBySentence({
    deadline: email.deadline,
    timeZone: zone,
    verdict,
    escalatesTo: email.escalatesTo,
    finalDeadline: email.finalDeadline,
    slaDefault: email.slaDefault,
  });

  return renderApproverEmail({
    template: APPROVAL_ESCALATION_TEMPLATE,
    subject: subjectLine(
      `Escalated to you: decide by ${shortDeadline(email.deadline, zone)} on ${customer}, ${formatMoney(registration.estimatedAmount)}, registered by ${partnerShortName(registration)}`,
    ),
    title: 'An overdue deal registration was escalated to you',
    approvalId: email.approvalId,
    approver,
    intro: [
      `${approver.name}, ${previousApprover.name} (${previousApprover.email}) was asked on ${approverDeadline(email.requestedAt, zone)} to decide on the deal ${partner} registered with ${customer} for ${amountLabel(registration)}, and did not decide by the SLA deadline of ${approverDeadline(email.missedDeadline, zone)}.`,
      `The decision is now yours. The link sent to ${previousApprover.name} no longer works.`,
    ],
    deadline,
    registration,
    verdict,
    showEvidence: true,
    reviewUrl: email.reviewUrl,
    level: email.level,
    firstLevelApproval: email.firstLevelApproval,
  });
}
