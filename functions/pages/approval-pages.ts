import { createHash } from 'node:crypto';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { html, type SafeHtml, trustedHtml } from '#emails/html.ts';
import type { ApprovalChoice, ApprovalSubject, ApprovalTask, RecordedDecision } from './approval-task.ts';
import { maxTextLength, policyRelationship } from './decision-form.ts';

/**
 * The approver's pages, rendered on the server with no script at all: nothing on them acts by
 * itself, so a mail scanner that opens the link cannot decide. Every value is escaped by the
 * `html` tag; the one style block is allowed by its hash in the Content-Security-Policy.
 */

const styles = `
body{margin:0;background:#f0f4f8;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933;}
header{background:#243b53;color:#fff;padding:14px 24px;font-weight:600;}
main{max-width:760px;margin:24px auto;background:#fff;border:1px solid #d9e2ec;padding:24px;}
h1{font-size:22px;margin:0 0 12px;} h2{font-size:17px;margin:24px 0 8px;}
table{border-collapse:collapse;width:100%;} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top;font-size:14px;}
th{width:34%;color:#52606d;font-weight:600;}
.deadline{padding:12px;border-left:4px solid #0b69a3;background:#f5f7fa;margin:12px 0;}
.overdue{border-left-color:#c62828;}
.verdict{padding:12px;background:#fffbea;border:1px solid #f0d78c;}
form{border:1px solid #d9e2ec;padding:12px;margin:12px 0;}
label{display:block;font-size:14px;margin-bottom:6px;}
textarea{width:100%;box-sizing:border-box;min-height:64px;font:inherit;}
button{margin-top:8px;padding:8px 16px;font-size:15px;border:0;color:#fff;background:#0b69a3;cursor:pointer;}
button.reject{background:#c62828;} button.info{background:#52606d;}
.notice{padding:12px;background:#f5f7fa;border-left:4px solid #52606d;}
small{color:#616e7c;}
`;

/** The Content-Security-Policy of every approval page: no script, no external anything. */
export const approvalPageCsp = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(styles).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * A whole Dealreg page (approvals, extension requests) in the one layout and style block
 * `approvalPageCsp` allows.
 */
export function renderPage(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} · Dealreg</title>
<style>${trustedHtml(styles)}</style>
</head>
<body>
<header>Dealreg · Partner deal registration</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

function formatMoney(minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

/** "2 days 5 hours left" / "overdue by 3 hours", to the minute when less than an hour remains. */
export function timeLeft(deadline: Date, now: Date): { text: string; overdue: boolean } {
  const ms = deadline.getTime() - now.getTime();
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const span =
    days > 0
      ? `${plural(days, 'day')}${hours > 0 ? ` ${plural(hours, 'hour')}` : ''}`
      : hours > 0
        ? `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}`
        : plural(minutes % 60, 'minute');
  return ms >= 0 ? { text: `${span} left`, overdue: false } : { text: `overdue by ${span}`, overdue: true };
}

function row(label: string, value: string | undefined): SafeHtml {
  return value === undefined || value === '' ? html`` : html`<tr><th>${label}</th><td>${value}</td></tr>`;
}

function registrationTable(subject: ApprovalSubject, registrationId: string, timeZone: string): SafeHtml {
  const usd =
    subject.amountUsdMinor !== undefined && subject.amount.currency !== 'USD'
      ? ` (${formatMoney(subject.amountUsdMinor, 'USD')})`
      : '';
  return html`<table>
${row('Partner', subject.partnerName ? `${subject.partnerName} (${subject.partnerDomain})` : subject.partnerDomain)}
${row('Submitted by', subject.submitterEmail)}
${row('Customer', `${subject.customerCompanyName} (${subject.customerDomain})`)}
${row('Customer country', subject.customerCountry)}
${row('Estimated amount', `${formatMoney(subject.amount.minorUnits, subject.amount.currency)}${usd}`)}
${row('Expected close date', subject.expectedCloseDate)}
${row('Products', subject.products.join(', '))}
${row('Cloud marketplace', subject.cloudMarketplace)}
${row('Campaign', subject.campaignId)}
${row('Description', subject.dealDescription)}
${row(subject.request?.kind === 'extension' ? 'Extension requested' : 'Note', subject.request?.note)}
${row('Submitted at', formatDeadline(new Date(subject.submittedAt), timeZone))}
${row('Registration', registrationId)}
</table>`;
}

function verdictSection(verdict: ConflictVerdict): SafeHtml {
  return html`<div class="verdict">
<p><strong>Conflict check: ${verdict.outcome}</strong> (rule <code>${verdict.ruleId}</code>, policy ${verdict.policyVersion.slice(0, 12)})</p>
<p>${verdict.reason}</p>
${verdict.compensation && html`<p>If approved: ${verdict.compensation.summary}</p>`}
</div>
${
  verdict.evidence.length === 0
    ? html`<p>No conflicting registrations, deals or direct-rep activity were found.</p>`
    : html`<ul class="evidence">${verdict.evidence.map((item) => html`<li><strong>${item.ruleId}</strong>: ${item.detail}</li>`)}</ul>`
}`;
}

function hidden(token: string, nonce: string): SafeHtml {
  return html`<input type="hidden" name="t" value="${token}"><input type="hidden" name="nonce" value="${nonce}">`;
}

function decisionForms(task: ApprovalTask, token: string, nonce: string): SafeHtml {
  const action = encodeURIComponent(task.approvalId);
  const { verdict } = task.subject;
  const policy = policyRelationship(verdict).relationshipType;
  const textarea = (decision: string, name: string, label: string, required: boolean) =>
    html`<label for="${decision}-${name}">${label}</label><textarea id="${decision}-${name}" name="${name}" maxlength="${maxTextLength}"${required ? trustedHtml(' required') : ''}></textarea>`;
  return html`<h2>Your decision</h2>
<form method="post" action="${action}">${hidden(token, nonce)}<input type="hidden" name="decision" value="approve">
${textarea('approve', 'reason', verdict.relationshipType === policy ? 'Note (optional)' : 'Reason for the exception (required)', verdict.relationshipType !== policy)}
<button type="submit" id="approve">Approve as ${policy}</button></form>
${
  policy !== 'influenced' &&
  html`<form method="post" action="${action}">${hidden(token, nonce)}<input type="hidden" name="decision" value="approve-influenced">
${textarea('approve-influenced', 'reason', 'Why influenced rather than the policy’s relationship (required)', true)}
<button type="submit" id="approve-influenced">Approve as influenced</button></form>`
}
<form method="post" action="${action}">${hidden(token, nonce)}<input type="hidden" name="decision" value="reject">
${textarea('reject', 'reason', 'Reason for rejecting (required; the partner receives it)', true)}
<button type="submit" class="reject" id="reject">Reject</button></form>
<form method="post" action="${action}">${hidden(token, nonce)}<input type="hidden" name="decision" value="request-info">
${textarea('request-info', 'question', 'Question for the partner (required; the SLA clock pauses until they answer)', true)}
<button type="submit" class="info" id="request-info">Ask for more information</button></form>`;
}

/** The confirmation page of a pending approval: details, evidence, countdown and the four decisions. */
export function renderPendingPage(task: ApprovalTask, token: string, nonce: string, now: Date): string {
  const deadline = new Date(task.deadline);
  const left = timeLeft(deadline, now);
  const step = {
    'first-level': 'Approval',
    escalated: 'Escalated approval',
    'second-level': 'Second-level approval',
  }[task.step];
  return renderPage(
    `${step}: ${task.subject.customerCompanyName}`,
    html`<p>${task.approver.name}, please review this partner deal registration. Nothing is decided until you press one of the buttons below.</p>
<div class="deadline${left.overdue ? ' overdue' : ''}" id="sla"><strong>Decide by ${formatDeadline(deadline, task.approver.timeZone)}</strong> — ${left.text}.</div>
<h2>Registration</h2>
${registrationTable(task.subject, task.registrationId, task.approver.timeZone)}
<h2>Conflict evidence</h2>
${verdictSection(task.subject.verdict)}
${decisionForms(task, token, nonce)}
<p><small>Approval ${task.approvalId}. This page expires 30 minutes after it was opened; open the link from your email again if it does.</small></p>`,
  );
}

function describeChoice(choice: ApprovalChoice): string {
  switch (choice.outcome) {
    case 'approve':
      return `approved as ${choice.relationshipType}${choice.reason ? ` — ${choice.reason}` : ''}`;
    case 'reject':
      return `rejected — ${choice.reason}`;
    case 'request-info':
      return `asked the partner for more information — ${choice.question}`;
  }
}

function decidedBy(task: ApprovalTask, decision: RecordedDecision): string {
  return `${decision.decidedBy.name} (${decision.decidedBy.email}) ${describeChoice(decision.choice)}, on ${formatDeadline(new Date(decision.decidedAt), task.approver.timeZone)}.`;
}

/** The page after a decision was recorded, and for a link opened again after it. */
export function renderDecidedPage(task: ApprovalTask, decision: RecordedDecision, justNow: boolean): string {
  return renderPage(
    justNow ? 'Thank you — your decision is recorded' : 'This registration was already decided',
    html`<p class="notice" id="decision">${decidedBy(task, decision)}</p>
<h2>Registration</h2>
${registrationTable(task.subject, task.registrationId, task.approver.timeZone)}`,
  );
}

/** 409: a second decision; says who decided and when, in the approver's time zone. */
export function renderAlreadyDecidedPage(decision: RecordedDecision, timeZone: string): string {
  return renderPage(
    'Already decided',
    html`<p class="notice" id="decision">Your decision was not recorded: ${decision.decidedBy.name} (${decision.decidedBy.email}) already ${describeChoice(decision.choice)}, on ${formatDeadline(new Date(decision.decidedAt), timeZone)}.</p>`,
  );
}

/** 410: the link was superseded by escalation; names the new approver. */
export function renderSupersededPage(newApprover: { name: string; email: string }, at: string): string {
  return renderPage(
    'This approval was passed on',
    html`<p class="notice" id="superseded">The SLA deadline passed and this registration was escalated to ${newApprover.name} (${newApprover.email}) at ${at}. This link no longer decides anything; please contact them if you have information to add.</p>`,
  );
}

/** Any other refusal (403, 400, 404, 413, 415, 500): what is wrong and what to do. */
export function renderProblemPage(title: string, message: string, details: readonly string[] = []): string {
  return renderPage(
    title,
    html`<p class="notice" id="problem">${message}</p>${details.length > 0 && html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>`}`,
  );
}
