import type { LinkPurpose } from '#domain/signed-links/link-token.ts';

/**
 * Referral review links: `GET|POST /aws-referrals/{invitationId}?t=…`, the page on which the
 * channel manager accepts or rejects an AWS referral (an engagement invitation AWS sent the
 * partner). Signed with the approval signing key; being links of another purpose, they never
 * open an approval, extension or status page.
 */
export const referralLinks: LinkPurpose = {
  name: 'aws-referral',
  link: 'referral link',
  page: 'referral page',
  act: 'answer',
  subject: 'referral',
  otherHolder: 'another channel manager',
  wrongHolder: 'wrong-reviewer',
  path: (invitationId) => `aws-referrals/${encodeURIComponent(invitationId)}`,
};

/** A referral link without an expiry date from AWS works this long. */
export const referralLinkFallbackDays = 30;

/** Until when the link works: until the invitation expires, or 30 days when AWS gives no date. */
export function referralLinkExpiry(expiresAt: string | undefined, now: Date): Date {
  const parsed = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt);
  return Number.isNaN(parsed)
    ? new Date(now.getTime() + referralLinkFallbackDays * 86_400_000)
    : new Date(parsed);
}
