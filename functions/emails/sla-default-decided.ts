import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { html } from '#rendering/html.ts';
import { oneLine, subjectLine } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';

/** What the approver is told when the policy default decided their approval at the final deadline. */
export interface SlaDefaultDecidedInput {
  readonly approvalId: string;
  readonly registrationId: string;
  readonly approver: { readonly name: string; readonly email: string; readonly timeZone: string };
  readonly customerCompanyName: string;
  readonly partner: string;
  /** "approved as Partner-sourced" / "rejected". */
  readonly outcome: string;
  readonly decidedAt: Date;
  /** The final deadline that passed. */
  readonly finalDeadline: Date;
  /** The link of the approval page, which now shows the decision. */
  readonly reviewUrl: string;
}

/**
 * A short note to the approver whose approval nobody decided by the final deadline: what the
 * policy default (`sla.defaultDecision`) decided, and when, in their own time zone.
 */
export function renderSlaDefaultDecidedEmail(input: SlaDefaultDecidedInput): OutgoingEmail {
  const zone = input.approver.timeZone;
  // What the partner typed may span lines; a subject and a mention are one line.
  const customer = oneLine(input.customerCompanyName);
  const title = `The SLA default decided: ${customer}`;
  const sentence = `Nobody decided the registration of ${customer} by ${oneLine(input.partner)} by the final deadline (${formatDeadline(input.finalDeadline, zone)}), so the policy default (rule sla.defaultDecision) decided on ${formatDeadline(input.decidedAt, zone)}: ${input.outcome}.`;
  const next =
    'Nothing more is needed from you. If the outcome is wrong, ask RevOps for a correction; the approval page shows the decision.';
  const footer = [
    `Approval ${input.approvalId} · registration ${input.registrationId}`,
    `Sent to ${input.approver.name} (${input.approver.email}); times are in ${zone}.`,
  ];
  return {
    to: [input.approver.email],
    subject: subjectLine(`Decided by the SLA default: ${customer} (${input.outcome})`),
    template: 'sla-default-decided',
    html: renderHtmlLayout({
      title,
      preheader: sentence,
      body: html`<p style="${emailStyle.paragraph}" id="sla-default">${sentence}</p>
<p style="${emailStyle.paragraph}">${next} <a href="${input.reviewUrl}" style="${emailStyle.link}">Open the approval page</a></p>`,
      footer: html`${footer.map((line) => html`<p style="${emailStyle.small}">${line}</p>`)}`,
    }),
    text: renderTextLayout({
      title,
      sections: [sentence, `${next}\n${input.reviewUrl}`],
      footer,
    }),
  };
}
