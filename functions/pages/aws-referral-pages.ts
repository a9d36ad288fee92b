import { rejectionReasonMaxLength } from '#domain/aws-referrals/rejection-reason.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { conflictOutcomeName, conflictRuleName, verdictDecidedBy } from '#emails/conflict-check-section.ts';
import type { AwsReferralReview } from '#ports/partner-central.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { pageExpiryNote, renderPage, signedFormFields, tableRow } from './page-layout.ts';

/** The channel manager's pages for an AWS referral, in the layout every emailed link's page shares. */

function usd(minorUnits: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minorUnits / 100);
}

function when(iso: string | undefined, timeZone: string): string | undefined {
  return iso === undefined || Number.isNaN(Date.parse(iso))
    ? undefined
    : formatDeadline(new Date(iso), timeZone);
}

function referralTable(review: AwsReferralReview): SafeHtml {
  const { referral, reviewer } = review;
  const spend = referral.expectedSpend
    .map((item) => `${item.amount ?? '?'} ${item.currencyCode} ${item.frequency.toLowerCase()}`)
    .join(', ');
  return html`<table>
${tableRow('Customer', referral.customerCompanyName)}
${tableRow('Website', referral.customerWebsiteUrl)}
${tableRow('Customer domain', review.customerDomain)}
${tableRow('Country', referral.customerCountryCode)}
${tableRow('Industry', referral.customerIndustry)}
${tableRow('Project', referral.projectTitle)}
${tableRow('Business problem', referral.businessProblem)}
${tableRow('Expected spend', spend)}
${tableRow('Expected spend a year (USD)', review.annualSpendUsdMinor > 0 ? usd(review.annualSpendUsdMinor) : undefined)}
${tableRow('Target completion', referral.targetCompletionDate)}
${tableRow('Message from AWS', referral.invitationMessage)}
${tableRow('Sent by', referral.senderCompanyName)}
${tableRow('Received', when(referral.invitedAt, reviewer.timeZone))}
${tableRow('Answer by', when(referral.expiresAt, reviewer.timeZone))}
${tableRow('Status in Partner Central', referral.status)}
${tableRow('Rejection reason', referral.rejectionReason)}
${tableRow('Referral', `${referral.invitationId} (${review.catalog} catalog)`)}
</table>`;
}

function conflictSection(review: AwsReferralReview): SafeHtml {
  const { verdict } = review;
  if (verdict === undefined) {
    return html`<div class="verdict" id="verdict"><p><strong>Conflict check: not run</strong></p><p>AWS gave no customer website, so there is no domain to match registrations, deals and direct-rep activity on.</p></div>`;
  }
  const decidedBy = verdictDecidedBy(verdict);
  return html`<div class="verdict" id="verdict">
<p><strong>Conflict check: ${conflictOutcomeName(verdict.outcome)}</strong> (decided by ${decidedBy.rule}, policy ${verdict.policyVersion.slice(0, 12)})</p>
${decidedBy.also && html`<p>Also: ${decidedBy.also}</p>`}
<p>${verdict.reason}</p>
</div>
${
  verdict.evidence.length === 0
    ? html`<p>No conflicting partner registrations, deals or direct-rep activity were found.</p>`
    : html`<ul class="evidence" id="evidence">${verdict.evidence.map((item) => html`<li><strong>${conflictRuleName(item.ruleId)}</strong>: ${item.detail}</li>`)}</ul>`
}`;
}

function answerForms(review: AwsReferralReview, token: string, nonce: string): SafeHtml {
  const action = encodeURIComponent(review.referral.invitationId);
  return html`<h2>Your answer to AWS</h2>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="answer" value="accept">
<p>Accepting takes the engagement in Partner Central: AWS shares the customer’s contact details with the partner.</p>
<button type="submit" id="accept">Accept the referral</button></form>
<form method="post" action="${action}">${signedFormFields(token, nonce)}<input type="hidden" name="answer" value="reject">
<label for="reject-reason">Reason for rejecting (required; AWS receives it: one line of at most ${rejectionReasonMaxLength} characters, such as “Duplicate of partner referral”)</label><input type="text" id="reject-reason" name="reason" maxlength="${rejectionReasonMaxLength}" required>
<button type="submit" class="reject" id="reject">Reject the referral</button></form>`;
}

/** The page a referral link opens: the referral, its conflict check and, while pending, the answers. */
export function renderReferralPage(
  review: AwsReferralReview,
  form: { readonly token: string; readonly nonce: string } | undefined,
): string {
  const customer = review.referral.customerCompanyName ?? review.referral.invitationId;
  return renderPage(
    form === undefined
      ? `AWS referral ${review.referral.status?.toLowerCase() ?? 'answered'}: ${customer}`
      : `AWS referral: ${customer}`,
    html`${form === undefined ? html`<p class="notice" id="status">This referral is ${review.referral.status?.toLowerCase() ?? 'no longer pending'} in Partner Central; there is nothing left to answer.</p>` : html`<p>${review.reviewer.name}, AWS referred this customer to the partner. Nothing is sent to AWS until you press one of the buttons below.</p>`}
<h2>Referral</h2>
${referralTable(review)}
<h2>Channel conflict</h2>
${conflictSection(review)}
${form === undefined ? html`` : html`${answerForms(review, form.token, form.nonce)}${pageExpiryNote(`Referral ${review.referral.invitationId}. `)}`}`,
  );
}

/** The page after the answer reached Partner Central. */
export function renderReferralAnsweredPage(review: AwsReferralReview, answer: 'accept' | 'reject'): string {
  return renderPage(
    answer === 'accept' ? 'Thank you — the referral is accepted' : 'Thank you — the referral is rejected',
    html`<p class="notice" id="answer">Partner Central now shows this referral as ${review.referral.status?.toLowerCase() ?? 'answered'}.</p>
<h2>Referral</h2>
${referralTable(review)}`,
  );
}

/** 409 / 410: the referral was answered elsewhere, or expired. */
export function renderReferralClosedPage(message: string): string {
  return renderPage(
    'This referral can no longer be answered',
    html`<p class="notice" id="closed">${message}. Nothing was sent to AWS.</p>`,
  );
}
