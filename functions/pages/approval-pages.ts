import type {
  ApprovalChoice,
  ApprovalSubject,
  ApprovalTask,
  ApprovalView,
  RecordedDecision,
} from '#domain/approvals/approval-task.ts';
import { policyRelationship } from '#domain/approvals/decision-form.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { counted } from '#domain/plural.ts';
import {
  type RelationshipType,
  relationshipTypeLabels,
  relationshipTypes,
} from '#domain/relationship-type.ts';
import { maxTextLength } from '#domain/signed-links/page-form.ts';
import { conflictOutcomeName, conflictRuleName, verdictDecidedBy } from '#emails/conflict-check-section.ts';
import { formatCalendarDate } from '#emails/email-text.ts';
import { marketplaceName } from '#emails/registration-summary.ts';
import { html, type SafeHtml, trustedHtml } from '#rendering/html.ts';
import { pageExpiryNote, renderPage, signedFormFields, tableRow } from './page-layout.ts';

/** The approver's pages, in the layout every page an emailed link opens shares. */

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
  const span =
    days > 0
      ? `${counted(days, 'day')}${hours > 0 ? ` ${counted(hours, 'hour')}` : ''}`
      : hours > 0
        ? `${counted(hours, 'hour')} ${counted(minutes % 60, 'minute')}`
        : counted(minutes % 60, 'minute');
  return ms >= 0 ? { text: `${span} left`, overdue: false } : { text: `overdue by ${span}`, overdue: true };
}

/** A stated submission time at least this far from the receipt is shown beside it. */
const statedTimeShownFromMs = 60_000;

function registrationTable(subject: ApprovalSubject, registrationId: string, timeZone: string): SafeHtml {
  // Tasks from before receipt times were kept carry the stated time alone: it stands in for the receipt.
  const receivedAt = subject.receivedAt ?? subject.submittedAt;
  const statedTime =
    subject.receivedAt !== undefined &&
    subject.submittedAt !== undefined &&
    Math.abs(Date.parse(subject.submittedAt) - Date.parse(subject.receivedAt)) >= statedTimeShownFromMs
      ? subject.submittedAt
      : undefined;
  const usd =
    subject.amountUsdMinor !== undefined && subject.amount.currency !== 'USD'
      ? ` (${formatMoney(subject.amountUsdMinor, 'USD')})`
      : '';
  return html`<table>
${tableRow('Partner', subject.partnerName ? `${subject.partnerName} (${subject.partnerDomain})` : subject.partnerDomain)}
${tableRow('Submitted by', subject.submitterEmail)}
${tableRow('Customer', `${subject.customerCompanyName} (${subject.customerDomain})`)}
${tableRow('Customer country', subject.customerCountry)}
${tableRow('Estimated amount', `${formatMoney(subject.amount.minorUnits, subject.amount.currency)}${usd}`)}
${tableRow('Expected close date', formatCalendarDate(subject.expectedCloseDate))}
${tableRow('Products', subject.products.join(', '))}
${tableRow('Cloud marketplace', marketplaceName(subject.cloudMarketplace))}
${tableRow('Campaign', subject.campaignId)}
${tableRow('Description', subject.dealDescription)}
${tableRow(subject.request?.kind === 'extension' ? 'Extension requested' : 'Note', subject.request?.note)}
${tableRow('Received at', receivedAt === undefined ? undefined : formatDeadline(new Date(receivedAt), timeZone))}
${tableRow('Submission time stated', statedTime === undefined ? undefined : `${formatDeadline(new Date(statedTime), timeZone)} (the registration's place is when it was received)`)}
${tableRow('Registration', registrationId)}
</table>`;
}

/** Whether the task asks about the partner's extension request rather than the registration itself. */
function isExtension(subject: ApprovalSubject): boolean {
  return subject.request?.kind === 'extension';
}

function verdictSection(
  verdict: ConflictVerdict,
  approvalReason: string | undefined,
  extension: boolean,
): SafeHtml {
  const decidedBy = verdictDecidedBy(verdict);
  return html`<div class="verdict">
<p><strong>Conflict check: ${conflictOutcomeName(verdict.outcome)}</strong> (decided by ${decidedBy.rule}, policy version ${verdict.policyVersion})</p>
${decidedBy.also && html`<p>Also: ${decidedBy.also}</p>`}
<p>${verdict.reason}</p>
${approvalReason && html`<p id="why-approval"><strong>Why you are asked:</strong> ${approvalReason}</p>`}
${!extension && verdict.compensation && html`<p>If approved: ${verdict.compensation.summary}</p>`}
</div>
${
  verdict.evidence.length === 0
    ? html`<p>No conflicting registrations, deals or direct-rep activity were found.</p>`
    : html`<ul class="evidence">${verdict.evidence.map((item) => html`<li><strong>${conflictRuleName(item.ruleId)}</strong>: ${item.detail}</li>`)}</ul>`
}`;
}

/** The relationship types offered: the task's priced options, or the bare types on older tasks. */
function offeredRelationships(
  subject: ApprovalSubject,
): { relationshipType: RelationshipType; text: string }[] {
  return (
    subject.relationshipOptions?.map((option) => ({
      relationshipType: option.relationshipType,
      text: option.summary,
    })) ??
    relationshipTypes.map((relationshipType) => ({
      relationshipType,
      text: relationshipTypeLabels[relationshipType],
    }))
  );
}

/** A relationship type as the task's policy labelled it, or as the default policy does on older tasks. */
function relationshipLabel(type: RelationshipType, subject?: ApprovalSubject): string {
  return (
    subject?.relationshipOptions?.find((option) => option.relationshipType === type)?.label ??
    relationshipTypeLabels[type]
  );
}

/**
 * An extension is approved or refused as a whole: the registration keeps the relationship it was
 * approved as (the workflow extends the validity only), so no relationship type is offered, and
 * no question either (the workflow would take it as a refusal).
 */
function extensionForms(task: ApprovalTask, token: string, nonce: string): SafeHtml {
  const action = encodeURIComponent(task.approvalId);
  return html`<h2>Your decision</h2>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="decision" value="approve">
<p id="extension-effect">Approving extends the registration’s protection as the request says. The relationship the registration was approved as does not change.</p>
<button type="submit" id="approve">Approve the extension</button></form>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="decision" value="reject">
<label for="reject-reason">Reason for refusing the extension (required; the partner receives it)</label><textarea id="reject-reason" name="reason" maxlength="${maxTextLength}" required></textarea>
<button type="submit" class="reject" id="reject">Refuse the extension</button></form>`;
}

function decisionForms(task: ApprovalTask, token: string, nonce: string): SafeHtml {
  if (isExtension(task.subject)) return extensionForms(task, token, nonce);
  const action = encodeURIComponent(task.approvalId);
  const { verdict } = task.subject;
  const policy = policyRelationship(verdict).relationshipType;
  const textarea = (decision: string, name: string, label: string, required: boolean) =>
    html`<label for="${decision}-${name}">${label}</label><textarea id="${decision}-${name}" name="${name}" maxlength="${maxTextLength}"${required ? trustedHtml(' required') : ''}></textarea>`;
  const options = offeredRelationships(task.subject);
  // At the second level, the first level's choice is what a plain "Approve" confirms.
  const firstLevelChoice = task.subject.firstLevel?.relationshipType;
  const selected = firstLevelChoice ?? policy;
  const optionText = (option: { relationshipType: RelationshipType; text: string }) =>
    option.relationshipType === firstLevelChoice
      ? `${option.text} — the first level’s choice`
      : option.relationshipType === policy
        ? `${option.text} — the policy’s choice`
        : option.text;
  const reasonLabel =
    firstLevelChoice !== undefined
      ? `Reason (left empty, the first level’s reason stands for its ${relationshipLabel(firstLevelChoice, task.subject)}; ${verdict.relationshipType === null ? 'required for any other relationship' : `required for another relationship than that or the policy’s ${relationshipLabel(policy, task.subject)}`}; recorded as an exception to the rule)`
      : verdict.relationshipType === null
        ? 'Reason for the exception (required: the conflict check rejects this registration)'
        : `Reason (required when you choose another relationship than the policy’s ${relationshipLabel(policy, task.subject)}; recorded as an exception to the rule)`;
  return html`<h2>Your decision</h2>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="decision" value="approve">
<label for="approve-relationship">Approve as</label><select id="approve-relationship" name="relationshipType">${options.map(
    (option) =>
      html`<option value="${option.relationshipType}"${option.relationshipType === selected ? trustedHtml(' selected') : ''}>${optionText(option)}</option>`,
  )}</select>
${textarea('approve', 'reason', reasonLabel, verdict.relationshipType === null && firstLevelChoice === undefined)}
<button type="submit" id="approve">Approve</button></form>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="decision" value="reject">
${textarea('reject', 'reason', 'Reason for rejecting (required; the partner receives it)', true)}
<button type="submit" class="reject" id="reject">Reject</button></form>
${
  task.subject.questionsLeft === 0
    ? html`<p id="no-more-questions">The policy allows no more questions to the partner at this approval level: approve or reject the registration.</p>`
    : html`<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="decision" value="request-info">
${textarea('request-info', 'question', 'Question for the partner (required; the SLA clock pauses until they answer)', true)}
<button type="submit" class="info" id="request-info">Ask for more information</button></form>`
}`;
}

/** On a second-level task: who approved the first level, as what, when and why. */
function firstLevelSection(task: ApprovalTask): SafeHtml {
  const first = task.subject.firstLevel;
  if (first === undefined) return html``;
  const at = formatDeadline(new Date(first.approvedAt), task.approver.timeZone);
  const why = first.reason ? ` Their reason: ${first.reason}` : '';
  return html`<h2>First level</h2>
<p id="first-level">${first.approverName} approved the first level as ${relationshipLabel(first.relationshipType, task.subject)} on ${at}.${why} Approving keeps this relationship and reason unless you choose otherwise.</p>`;
}

/** The confirmation page of a pending approval: details, evidence, countdown and the four decisions. */
export function renderPendingPage(task: ApprovalTask, token: string, nonce: string, now: Date): string {
  const deadline = new Date(task.deadline);
  const left = timeLeft(deadline, now);
  const step = (
    isExtension(task.subject)
      ? {
          'first-level': 'Extension',
          escalated: 'Escalated extension',
          'second-level': 'Second-level extension',
        }
      : {
          'first-level': 'Approval',
          escalated: 'Escalated approval',
          'second-level': 'Second-level approval',
        }
  )[task.step];
  return renderPage(
    `${step}: ${task.subject.customerCompanyName}`,
    html`<p>${task.approver.name}, please review this partner deal registration. Nothing is decided until you press one of the buttons below.</p>
<div class="deadline${left.overdue ? ' overdue' : ''}" id="sla"><strong>Decide by ${formatDeadline(deadline, task.approver.timeZone)}</strong> — ${left.text}.</div>
<h2>Registration</h2>
${registrationTable(task.subject, task.registrationId, task.approver.timeZone)}
<h2>Conflict evidence</h2>
${verdictSection(task.subject.verdict, task.subject.approvalReason, isExtension(task.subject))}
${firstLevelSection(task)}
${decisionForms(task, token, nonce)}
${pageExpiryNote(`Approval ${task.approvalId}. `)}`,
  );
}

/** What was decided; an extension is approved or refused, its relationship type unused. */
function describeChoice(choice: ApprovalChoice, extension: boolean, subject?: ApprovalSubject): string {
  switch (choice.outcome) {
    case 'approve':
      return extension
        ? 'approved the extension'
        : `approved as ${relationshipLabel(choice.relationshipType, subject)}${choice.reason ? ` — ${choice.reason}` : ''}`;
    case 'reject':
      return `${extension ? 'refused the extension' : 'rejected'} — ${choice.reason}`;
    case 'request-info':
      return `asked the partner for more information — ${choice.question}`;
  }
}

/** Who decided, as the pages name them: the approver, or the policy's SLA default. */
export function deciderName(decision: RecordedDecision): string {
  return decision.channel === 'sla-default'
    ? 'the SLA default (nobody decided by the final deadline; policy rule sla.defaultDecision)'
    : `${decision.decidedBy.name} (${decision.decidedBy.email})`;
}

/**
 * "Decided on Tuesday 8 December 2026, 17:00 CET (Europe/Berlin) by …: approved as Partner-sourced — …";
 * a question to the partner decides nothing: "Asked on … by …: …".
 */
function decidedBy(
  decision: RecordedDecision,
  timeZone: string,
  extension: boolean,
  subject?: ApprovalSubject,
): string {
  const at = formatDeadline(new Date(decision.decidedAt), timeZone);
  const line =
    decision.choice.outcome === 'request-info'
      ? `Asked on ${at} by ${deciderName(decision)}: ${decision.choice.question}`
      : `Decided on ${at} by ${deciderName(decision)}: ${describeChoice(decision.choice, extension, subject)}`;
  // The approver's reason or question may end its own sentence already.
  return /[.!?…]$/.test(line) ? line : `${line}.`;
}

/** The page an approval link opens: the pending task's decisions, or the decision already made. */
export function renderApprovalView(view: ApprovalView, now: Date): string {
  return view.state === 'pending'
    ? renderPendingPage(view.task, view.token, view.nonce, now)
    : renderDecidedPage(view.task, view.decision, false);
}

/** What happens after the decision or the question, and what is left for the approver to do. */
function whatNext(task: ApprovalTask, decision: RecordedDecision): SafeHtml {
  const partner = task.subject.submitterEmail;
  const text =
    decision.choice.outcome === 'request-info'
      ? `The SLA clock is paused until the partner (${partner}) answers by submitting the registration form again; then you will get a new email with a link to decide, and the clock starts again with the time it had left. This link no longer decides anything.`
      : decision.channel === 'sla-default'
        ? 'Nothing more is needed from you. If the outcome is wrong, ask RevOps for a correction.'
        : `Nothing more is needed from you. Dealreg carries out the decision and emails the partner (${partner}) the outcome; if the outcome is wrong, ask RevOps for a correction.`;
  return html`<p id="next">${text}</p>`;
}

/** The page after a decision was recorded, and for a link opened again after it. */
export function renderDecidedPage(task: ApprovalTask, decision: RecordedDecision, justNow: boolean): string {
  const asked = decision.choice.outcome === 'request-info';
  const title = asked
    ? justNow
      ? 'Thank you — your question was sent to the partner'
      : 'The partner was asked for more information'
    : justNow
      ? 'Thank you — your decision is recorded'
      : 'This registration was already decided';
  return renderPage(
    title,
    html`<p class="notice" id="decision">${decidedBy(decision, task.approver.timeZone, isExtension(task.subject), task.subject)}</p>
${whatNext(task, decision)}
<h2>Registration</h2>
${registrationTable(task.subject, task.registrationId, task.approver.timeZone)}`,
  );
}

/**
 * 409: a second decision; says who decided and when, in the approver's time zone. A link decides
 * for its approver alone, so a decision on the page is theirs (a reload or a second tab): it
 * stands. Only the SLA default can have come first.
 */
export function renderAlreadyDecidedPage(
  decision: RecordedDecision,
  timeZone: string,
  task: { readonly extension: boolean } = { extension: false },
): string {
  const line = decidedBy(decision, timeZone, task.extension);
  if (decision.channel === 'sla-default') {
    return renderPage(
      'Already decided',
      html`<p class="notice" id="decision">Your decision was not recorded: this registration was already decided. ${line}</p>
<p id="next">If the outcome is wrong, ask RevOps for a correction.</p>`,
    );
  }
  const asked = decision.choice.outcome === 'request-info';
  return renderPage(
    asked ? 'You already asked the partner' : 'Already decided',
    html`<p class="notice" id="decision">${asked ? 'Your question stands' : 'Your decision stands'}, as recorded: ${line} Sending the form again (a reload, another tab) changed nothing.</p>
<p id="next">${
      asked
        ? 'When the partner answers by submitting the registration form again, you will get a new email with a link to decide.'
        : 'Nothing more is needed from you. If the outcome is wrong, ask RevOps for a correction.'
    }</p>`,
  );
}

/** 410: the link was superseded by escalation; names the new approver. */
export function renderSupersededPage(
  newApprover: { name: string; email: string },
  at: string,
  timeZone: string,
): string {
  return renderPage(
    'This approval was passed on',
    html`<p class="notice" id="superseded">The SLA deadline passed and this registration was escalated to ${newApprover.name} (${newApprover.email}) on ${formatDeadline(new Date(at), timeZone)}. This link no longer decides anything; please contact them if you have information to add.</p>`,
  );
}
