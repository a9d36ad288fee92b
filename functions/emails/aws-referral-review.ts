import type { OutgoingEmail } from '#ports/mailer.ts';
import type { AwsReferralReview } from '#ports/partner-central.ts';
import { html } from '#rendering/html.ts';
import { subjectLine, usd } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';

const AWS_REFERRAL_TEMPLATE = 'aws-referral-review';

/** The conflict check's verdict in one line, or why there is none. */
export function verdictLine(review: AwsReferralReview): string {
  return review.verdict === undefined
    ? 'not checked: AWS gave no customer website to match on'
    : `${review.verdict.outcome} (rule ${review.verdict.ruleId}): ${review.verdict.reason}`;
}

/**
 * The email asking the channel manager to accept or reject an AWS referral: the customer, the
 * project, the expected spend, the conflict check's verdict and one "Review the referral" link.
 * Sent once per referral (its once-key).
 */
export function renderAwsReferralReviewEmail(review: AwsReferralReview, reviewUrl: string): OutgoingEmail {
  const { referral, reviewer } = review;
  const customer = referral.customerCompanyName ?? 'an unnamed customer';
  const spend =
    review.annualSpendUsdMinor > 0 ? `${usd(review.annualSpendUsdMinor)} a year` : 'not stated in USD';
  const rows: [string, string | undefined][] = [
    ['Customer', customer],
    ['Website', referral.customerWebsiteUrl],
    ['Country', referral.customerCountryCode],
    ['Project', referral.projectTitle],
    ['Expected spend', spend],
    ['Answer by', referral.expiresAt],
    ['Conflict check', verdictLine(review)],
    ['Referral', referral.invitationId],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  const title = 'AWS referred a customer to the partner';
  const intro = `${reviewer.name}, AWS sent an opportunity for ${customer}. Check the conflict evidence and accept or reject the referral in Partner Central from the referral page.`;
  return {
    to: [reviewer.email],
    subject: subjectLine(
      `AWS referral to review: ${customer}${referral.projectTitle ? `, ${referral.projectTitle}` : ''} (conflict check: ${review.verdict?.outcome ?? 'not run'})`,
    ),
    template: AWS_REFERRAL_TEMPLATE,
    onceKey: `aws-referral:${referral.invitationId}:review`,
    text: renderTextLayout({
      title,
      sections: [
        intro,
        shown.map(([label, value]) => `${label}: ${value}`).join('\n'),
        `Review the referral: ${reviewUrl}`,
      ],
    }),
    html: renderHtmlLayout({
      title,
      preheader: `${customer}: conflict check ${review.verdict?.outcome ?? 'not run'}`,
      body: html`<p style="${emailStyle.paragraph}">${intro}</p>
<table role="presentation" style="${emailStyle.table}">${shown.map(
        ([label, value]) =>
          html`<tr><td style="${emailStyle.headerCell}">${label}</td><td style="${emailStyle.cell}">${value}</td></tr>`,
      )}</table>
<p style="${emailStyle.paragraph}"><a href="${reviewUrl}" style="${emailStyle.link}">Review the referral</a></p>`,
    }),
  };
}
