import { DateTime } from 'luxon';
import type { Policy } from '#domain/policy/policy-schema.ts';
import { type LinkPurpose, signedLink } from '#domain/signed-links/link-token.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';

/**
 * Status links: `GET /registrations/{registrationId}/status?t=…`, a read-only page of where the
 * registration stands, for the partner every email about it is sent to. Signed with the approval
 * signing key; being links of another purpose, they never open an extension or approval page.
 */
export const statusLinks: LinkPurpose = {
  name: 'status',
  link: 'status link',
  page: 'status page',
  act: 'request',
  subject: 'registration',
  otherHolder: 'someone else',
  wrongHolder: 'wrong-partner',
  path: (registrationId) => `registrations/${encodeURIComponent(registrationId)}/status`,
};

/** How long a status link outlives the protection it describes. */
export const statusLinkGraceDays = 30;

/**
 * Until when a status link works: 30 days after the protection ends. Before the protection is
 * known (in review, or declined), as long as the longest protection the policy allows could run
 * from now — validity plus every extension — and the same 30 days.
 */
export function statusLinkExpiry(policy: Policy, now: Date, protectedUntil: string | undefined): Date {
  const { days, maxExtensions, extensionDays } = policy.validity;
  const longest = DateTime.fromJSDate(now).plus({ days: days + maxExtensions * extensionDays });
  const end = protectedUntil === undefined ? longest : DateTime.fromISO(protectedUntil);
  return end.plus({ days: statusLinkGraceDays }).toJSDate();
}

/** The status link emailed to the partner, valid until `expiresAt` (see `statusLinkExpiry`). */
export function statusLinkFor(
  key: ApprovalSigningKey,
  apiBaseUrl: string,
  registration: { registrationId: string; partnerEmail: string },
  expiresAt: Date,
): Promise<string> {
  return signedLink(key, statusLinks, apiBaseUrl, {
    subject: registration.registrationId,
    holder: registration.partnerEmail,
    expiresAt,
  });
}
