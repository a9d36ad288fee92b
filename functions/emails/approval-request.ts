import type * as z from 'zod';
import { formatMoney } from '#domain/money.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import {
  approverEmailInputSchema,
  asksForExtension,
  decideBySentence,
  renderApproverEmail,
  slaDefaultFields,
} from './approval-email-parts.ts';
import { shortDeadline, subjectLine } from './email-text.ts';
import { amountLabel, partnerShortName } from './registration-summary.ts';

const APPROVAL_REQUEST_TEMPLATE = 'approval-request';

const approvalRequestEmailInputSchema = approverEmailInputSchema(slaDefaultFields);

export type ApprovalRequestEmailInput = z.input<typeof approvalRequestEmailInputSchema>;

/**
 * The email asking an approver to decide on a registration: what was registered, the conflict
 * verdict with its evidence, what approval means in compensation for partner and direct rep,
 * the SLA deadline in the approver's time zone and one "Review and decide" link.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApprovalRequestEmail(input: ApprovalRequestEmailInput): OutgoingEmail {
  return renderApproverEmail(
    APPROVAL_REQUEST_TEMPLATE,
    approvalRequestEmailInputSchema,
    input,
    (email, { zone, customer, partner }) => {
      const { registration, approver } = email;
      if (asksForExtension(email)) {
        return {
          subject: subjectLine(
            `Review and decide by ${shortDeadline(email.deadline, zone)}: extension of the registration of ${customer}, ${formatMoney(registration.estimatedAmount)}, by ${partnerShortName(registration)}`,
          ),
          title: 'A partner asks to extend a deal registration',
          intro: [
            `${approver.name}, ${partner} asks to extend its approved registration of the deal with ${customer} for ${amountLabel(registration)}. Please approve or reject the extension, or ask the partner for more information.`,
          ],
          deadline: decideBySentence(email),
          showEvidence: true,
        };
      }
      const prefix = email.level === 2 ? 'Second-level approval: review' : 'Review';
      return {
        subject: subjectLine(
          `${prefix} and decide by ${shortDeadline(email.deadline, zone)}: ${customer}, ${formatMoney(registration.estimatedAmount)}, registered by ${partnerShortName(registration)}`,
        ),
        title:
          email.level === 2
            ? 'A deal registration needs your second-level approval'
            : 'A deal registration needs your decision',
        intro: [
          `${approver.name}, ${partner} registered a deal with ${customer} for ${amountLabel(registration)}. Please approve or reject it, or ask the partner for more information.`,
        ],
        deadline: decideBySentence(email),
        showEvidence: true,
      };
    },
  );
}
