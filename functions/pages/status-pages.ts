import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { formatMoney } from '#domain/money.ts';
import type { RegistrationStatusView, SlaStanding } from '#domain/registration-status/registration-status.ts';
import { relationshipTypeLabels } from '#domain/relationship-type.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { renderPage, tableRow } from './page-layout.ts';

/** The partner's read-only status page, in the layout every page an emailed link opens shares. */

function extensionSection(view: RegistrationStatusView, when: (iso: string) => string): SafeHtml {
  const { extension } = view.status;
  switch (extension.state) {
    case 'open':
      return html`<h2>Extension</h2>
<p id="extension">You may ask once for an extension until ${when(extension.until)}. An approver decides on it.</p>
${view.extensionUrl && html`<p><a href="${view.extensionUrl}" id="request-extension">Ask for the extension</a></p>`}`;
    case 'requested':
      return html`<h2>Extension</h2>
<p id="extension">You asked for the extension on ${when(extension.at)}. An approver decides on it; you will be emailed the outcome.</p>`;
    case 'granted':
      return html`<h2>Extension</h2>
<p id="extension">You asked for the extension on ${when(extension.at)}; it was approved on ${when(extension.decidedAt)}. The protection date above includes it.</p>`;
    case 'refused':
      return html`<h2>Extension</h2>
<p id="extension">You asked for the extension on ${when(extension.at)}; it was not approved (decided on ${when(extension.decidedAt)}). The registration still protects the deal until the date above.</p>
<p>The reason:</p>
<p class="notice" id="extension-reason">${extension.reason}</p>`;
    case 'with-expiry-warning':
      return html`<h2>Extension</h2>
<p id="extension">Before the protection ends, the expiry warning email offers an extension while the policy allows one.</p>`;
    case 'none':
      return html``;
  }
}

function slaSection(sla: SlaStanding | undefined, when: (iso: string) => string): SafeHtml {
  switch (sla?.state) {
    case undefined:
      return html``;
    case 'running': {
      const fallback =
        sla.defaultAt === undefined
          ? ' If nobody decides by then, it goes to the next approver, and the policy’s default decision applies at the final deadline.'
          : sla.defaultAt === sla.decideBy
            ? ' If nobody has decided by then, the policy’s default decision applies.'
            : ` If nobody has decided by ${when(sla.defaultAt)}, the policy’s default decision applies.`;
      return html`<div class="deadline" id="sla">An approver decides by ${when(sla.decideBy)} (the policy’s SLA deadline).${fallback}</div>`;
    }
    case 'passed':
      return html`<div class="deadline" id="sla">The SLA deadline of ${when(sla.deadline)} passed, so the registration went to the next approver. If nobody decides by the final deadline, the policy’s default decision applies; you will be emailed the outcome.</div>`;
    case 'paused':
      return html`<div class="deadline" id="sla">The approval clock (SLA) is paused until you answer the approver’s question: answer as the email with the question says (submit the registration form again for the same customer). The clock then starts again with the time it had left.</div>`;
  }
}

/** The status page: status, the deciding rule, the SLA deadline, the protection and the extension offer. */
export function renderStatusPage(view: RegistrationStatusView, timeZone: string): string {
  const { status } = view;
  const when = (iso: string) => formatDeadline(new Date(iso), timeZone);
  const closed = status.closedDeal;
  return renderPage(
    `Your registration: ${status.customer}`,
    html`<p class="notice" id="status"><strong>${status.headline}</strong></p>
${slaSection(status.sla, when)}
${status.protectedUntil && html`<div class="deadline" id="protection"><strong>Protected until ${when(status.protectedUntil)}</strong>.</div>`}
${status.protectionEnded && html`<div class="deadline" id="protection">Protection ended on ${when(status.protectionEnded)}.</div>`}
${
  closed &&
  html`<div class="deadline" id="protection">The deal closed ${closed.outcome} (stage ${closed.stage}); under the policy your protection ${closed.protection === 'kept' ? 'stays and does not expire' : 'ended'}.</div>`
}
${
  status.rule &&
  html`<h2>Why</h2>
<p id="rule">Rule <code>${status.rule.id}</code>: ${status.rule.reason}</p>
${status.rule.approverReason && html`<p id="approver-reason">The approver’s reason: ${status.rule.approverReason}</p>`}
${status.rule.decidedBy && html`<p>${status.rule.decidedBy}</p>`}`
}
${extensionSection(view, when)}
<h2>Registration</h2>
<table>
${tableRow('Partner', status.partner)}
${tableRow('Customer', status.customer)}
${tableRow('Estimated amount', status.amount && formatMoney(status.amount))}
${tableRow('Relationship', status.relationshipType && relationshipTypeLabels[status.relationshipType])}
${tableRow('Merged into', status.mergedInto)}
${tableRow('Reference', status.registrationId)}
</table>
<p><small>This page only shows where the registration stands; nothing you do here changes it. Times are in ${timeZone}.</small></p>`,
  );
}
