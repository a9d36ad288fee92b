import { z } from 'zod';
import { formatMoney } from '#domain/money.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import {
  approvalEmailFields,
  decideBySentence,
  renderApproverEmail,
  requireFirstLevelApproval,
  slaDefaultFields,
} from './approval-email-parts.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine, shortDeadline, subjectLine } from './email-text.ts';
import { amountLabel, partnerLabel, partnerShortName } from './registration-summary.ts';

export const APPROVAL_REQUEST_TEMPLATE = 'approval-request';

export const approvalRequestEmailInputSchema = z
  .object({
    ...approvalEmailFields,
    ...slaDefaultFields,
  })
  .superRefine(requireFirstLevelApproval);

export type ApprovalRequestEmailInput = z.input<typeof approvalRequestEmailInputSchema>;

/**
 * The email asking an approver to decide on a registration: what was registered, the conflict
 * verdict with its evidence, what approval means in compensation for partner and direct rep,
 * the SLA deadline in the approver's time zone and one "Review and decide" link.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApprovalRequestEmail(input: ApprovalRequestEmailInput): OutgoingEmail {
  const email = EmailTemplateInputError.check(
    APPROVAL_REQUEST_TEMPLATE,
    approvalRequestEmailInputSchema,
    input,
  );
  const { registration, approver, verdict } = email;
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

  const prefix = email.level === 2 ? 'Second-level approval: review' : 'Review';
  return renderApproverEmail({
    template: APPROVAL_REQUEST_TEMPLATE,
    subject: subjectLine(
      `${prefix} and decide by ${shortDeadline(email.deadline, zone)}: ${customer}, ${formatMoney(registration.estimatedAmount)}, registered by ${partnerShortName(registration)}`,
    ),
    title:
      email.level === 2
        ? 'A deal registration needs your second-level approval'
        : 'A deal registration needs your decision',
    approvalId: email.approvalId,
    approver,
    intro: [
      `${approver.name}, ${partner} registered a deal with ${customer} for ${amountLabel(registration)}. Please approve or reject it, or ask the partner for more information.`,
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
