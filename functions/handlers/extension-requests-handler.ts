import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ExtensionAlreadyRequestedError,
  ExtensionOfferExpiredError,
} from '#domain/extension-requests/errors.ts';
import { extensionLinks } from '#domain/extension-requests/extension-link.ts';
import { signedLinkPagesHandler } from '#http/signed-link-pages.ts';
import {
  renderAlreadyRequestedPage,
  renderExtensionRequestedPage,
  renderExtensionView,
  renderOfferExpiredPage,
} from '#pages/extension-pages.ts';
import {
  type ExtensionRequestDependencies,
  requestExtension,
  viewExtensionOffer,
} from '#use-cases/request-extension.ts';

interface ExtensionRequestsHandlerDependencies extends ExtensionRequestDependencies {
  readonly logger: Logger;
  /** IANA time zone dates are shown in (the business calendar's). */
  readonly timeZone: string;
}

/**
 * `GET /registrations/{registrationId}/extension?t=…` renders the confirmation page and changes
 * nothing; `POST` (form-encoded from that page: token, nonce, reason) records the one extension
 * request and resumes the waiting workflow. Errors become pages with their status: 403 link or
 * page refused, 404 no offer, 409 already requested, 410 offer expired, 400 no reason, 413, 415,
 * 405, 503 recorded but not yet handed over.
 */
export function createExtensionRequestsHandler(deps: ExtensionRequestsHandlerDependencies) {
  const { timeZone } = deps;
  return signedLinkPagesHandler(deps.logger, extensionLinks, {
    subjectParameter: 'registrationId',
    notFoundTitle: 'No extension on offer',
    formFields: ['reason'],
    view: async (opening) => renderExtensionView(await viewExtensionOffer(deps, opening), timeZone),
    async act(submission) {
      const { registration, request } = await requestExtension(deps, submission);
      return renderExtensionRequestedPage(registration, request, true, timeZone);
    },
    errorPage: (error) =>
      error instanceof ExtensionAlreadyRequestedError
        ? renderAlreadyRequestedPage(error.detail, timeZone)
        : error instanceof ExtensionOfferExpiredError
          ? renderOfferExpiredPage(error.detail.expiredAt, timeZone)
          : undefined,
  });
}
