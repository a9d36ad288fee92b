import type { Logger } from '@aws-lambda-powertools/logger';
import { statusLinks } from '#domain/registration-status/status-link.ts';
import { signedLinkPagesHandler } from '#http/signed-link-pages.ts';
import { renderStatusPage } from '#pages/status-pages.ts';
import {
  type RegistrationStatusDependencies,
  viewRegistrationStatus,
} from '#use-cases/view-registration-status.ts';

interface RegistrationStatusHandlerDependencies extends RegistrationStatusDependencies {
  readonly logger: Logger;
}

/**
 * `GET /registrations/{registrationId}/status?t=…` renders the partner's read-only status page.
 * Errors become pages with their status: 403 link refused (tampered, expired, someone else's),
 * 404 unknown registration, 405 anything but GET.
 */
export function createRegistrationStatusHandler(deps: RegistrationStatusHandlerDependencies) {
  return signedLinkPagesHandler(deps.logger, statusLinks, {
    subjectParameter: 'registrationId',
    notFoundTitle: 'Registration not found',
    formFields: [],
    view: async (opening) => renderStatusPage(await viewRegistrationStatus(deps, opening), deps.timeZone),
    errorPage: () => undefined,
  });
}
