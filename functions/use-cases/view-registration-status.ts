import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { extensionLinks } from '#domain/extension-requests/extension-link.ts';
import {
  type RegistrationStatusView,
  registrationStatus,
} from '#domain/registration-status/registration-status.ts';
import { statusLinks } from '#domain/registration-status/status-link.ts';
import { accessAt } from '#domain/signed-links/access.ts';
import { LinkRefusedError, NotFoundError } from '#domain/signed-links/errors.ts';
import { signLinkToken } from '#domain/signed-links/link-token.ts';
import type { RegistrationBook } from '#ports/registration-book.ts';
import { type LinkOpening, linkPage, type SignedLinkDependencies } from './signed-link-pages.ts';

export interface RegistrationStatusDependencies extends SignedLinkDependencies {
  /** Reads one registration as stored; the status page changes nothing. */
  readonly registrations: Pick<RegistrationBook, 'get'>;
  /** IANA time zone dates are shown in (the business calendar's), the expired link's too. */
  readonly timeZone: string;
}

/**
 * `GET /registrations/{registrationId}/status?t=…`: a read-only page of where the registration
 * stands, for the partner its emails go to. Steps:
 * 1. open the link (403 forged, expired — saying when, in the calendar's zone — or someone
 *    else's; 404 unknown registration);
 * 2. log the view with user agent and source IP;
 * 3. build the status; while the extension offer is open, sign the extension page's link for
 *    the partner it was offered to (it expires with the offer).
 */
export async function viewRegistrationStatus(
  deps: RegistrationStatusDependencies,
  opening: LinkOpening,
): Promise<RegistrationStatusView> {
  const page = linkPage(deps, statusLinks, {
    async load(registrationId) {
      const record = await deps.registrations.get(registrationId);
      if (record === undefined) throw new NotFoundError(`there is no registration ${registrationId}`);
      return record;
    },
    holder: (record) => ({ email: record.details?.submitterEmail ?? '' }),
    // Worded in the zone of the page and the emails, not UTC.
    whenExpired: (claims) =>
      new LinkRefusedError(
        'expired',
        `the ${statusLinks.link} expired on ${formatDeadline(claims.expiresAt, deps.timeZone)}`,
      ),
  });
  const record = await page.open(opening);
  const now = deps.now();
  const status = registrationStatus(record, now);
  deps.logger.info('status page viewed', {
    registrationId: record.registrationId,
    status: status.status,
    ...accessAt(opening.access, now),
  });
  if (status.extension.state !== 'open') return { status };
  const token = await signLinkToken(await deps.signingKey(), extensionLinks, {
    subject: record.registrationId,
    holder: status.extension.partnerEmail,
    expiresAt: new Date(status.extension.until),
  });
  return { status, extensionUrl: `extension?t=${encodeURIComponent(token)}` };
}
