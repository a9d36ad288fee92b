import {
  ExtensionAlreadyRequestedError,
  ExtensionOfferExpiredError,
} from '#domain/extension-requests/errors.ts';
import { extensionLinks } from '#domain/extension-requests/extension-link.ts';
import {
  type ExtensionRequest,
  type ExtensionView,
  type OfferedRegistration,
  readExtensionReason,
} from '#domain/extension-requests/extension-offer.ts';
import { accessAt } from '#domain/signed-links/access.ts';
import { HandoverFailedError, NotFoundError } from '#domain/signed-links/errors.ts';
import type { ExtensionRequestStore, SendExtensionTaskSuccess } from '#ports/extension-requests.ts';
import {
  type FormSubmission,
  type LinkOpening,
  type LinkPage,
  linkPage,
  type SignedLinkDependencies,
  waitClosed,
} from './signed-link-pages.ts';

export interface ExtensionRequestDependencies extends SignedLinkDependencies {
  readonly store: ExtensionRequestStore;
  /** Ends the workflow's wait: `SendTaskSuccess` in AWS, the local runner's locally. */
  readonly sendTaskSuccess: SendExtensionTaskSuccess;
}

/**
 * The page an extension link opens: the registration and its offer, whose link names the partner
 * the offer was made to and expires with the offer (410).
 */
function extensionPage(deps: ExtensionRequestDependencies): LinkPage<OfferedRegistration> {
  return linkPage(deps, extensionLinks, {
    async load(registrationId) {
      const registration = await deps.store.get(registrationId);
      if (registration === undefined) throw new NotFoundError(`there is no registration ${registrationId}`);
      const { offer, callbackToken } = registration;
      if (offer === undefined || callbackToken === undefined) {
        // Opened again after the request was decided: say where the outcome is, not only that nothing is open.
        throw new NotFoundError(
          registration.request === undefined
            ? `registration ${registrationId} has no extension on offer`
            : `registration ${registrationId} has no extension on offer any more: you already asked for the extension, and the email with the outcome and the status page linked from your emails say where the registration stands`,
        );
      }
      return { ...registration, offer, callbackToken };
    },
    holder: (registration) => ({ email: registration.offer.partnerEmail }),
    whenExpired: (claims) => new ExtensionOfferExpiredError(claims.subject, claims.expiresAt.toISOString()),
  });
}

function refuseExpired(registration: OfferedRegistration, now: Date): void {
  if (now.getTime() >= Date.parse(registration.offer.expiresAt)) {
    throw new ExtensionOfferExpiredError(registration.registrationId, registration.offer.expiresAt);
  }
}

/**
 * Hands a recorded request to the waiting workflow and notes that it did. Returns `closed` when
 * the wait had already ended (then nothing more can be handed over, and it is noted as such).
 */
async function handOver(
  deps: ExtensionRequestDependencies,
  registration: OfferedRegistration,
  request: ExtensionRequest,
): Promise<'resumed' | 'closed'> {
  let outcome: 'resumed' | 'closed' = 'resumed';
  try {
    await deps.sendTaskSuccess(registration.callbackToken, { extensionRequest: request });
  } catch (error) {
    if (!waitClosed(error)) throw error;
    deps.logger.warn('the workflow no longer waits for an extension request', {
      registrationId: registration.registrationId,
      error,
    });
    outcome = 'closed';
  }
  await deps.store.recordHandedOver(registration.registrationId, deps.now());
  return outcome;
}

/** Hands over a request the workflow did not get when it was made (see `retryStalledHandOver`). */
async function retryRequestHandOver(
  deps: ExtensionRequestDependencies,
  page: LinkPage<OfferedRegistration>,
  registration: OfferedRegistration,
  request: ExtensionRequest,
): Promise<void> {
  await page.retryStalledHandOver(
    {
      subject: registration.registrationId,
      recordedAt: request.requestedAt,
      handedOverAt: registration.handedOverAt,
    },
    () => handOver(deps, registration, request),
  );
}

/**
 * `GET /registrations/{registrationId}/extension?t=…` (the registration id is the link's
 * subject): checks the link and renders the page state. Requests nothing: mail scanners fetch
 * these links. Steps:
 * 1. open the link (403 forged or another partner's; 404 no offer; 410 expired link);
 * 2. log the view with user agent and source IP;
 * 3. requested already → show when (retrying a stalled hand-over to the workflow);
 * 4. offer run out → 410;
 * 5. open → issue a page nonce for the form.
 */
export async function viewExtensionOffer(
  deps: ExtensionRequestDependencies,
  opening: LinkOpening,
): Promise<ExtensionView> {
  const page = extensionPage(deps);
  const registration = await page.open(opening);
  const { registrationId } = registration;
  const now = deps.now();
  deps.logger.info('extension page viewed', {
    registrationId,
    requested: registration.request !== undefined,
    ...accessAt(opening.access, now),
  });
  if (registration.request !== undefined) {
    await retryRequestHandOver(deps, page, registration, registration.request);
    return { state: 'requested', registration, request: registration.request };
  }
  refuseExpired(registration, now);
  const token = opening.token ?? '';
  return {
    state: 'open',
    registration,
    token,
    nonce: await page.nonce({ subject: registrationId, token }),
  };
}

/**
 * `POST /registrations/{registrationId}/extension`: records the partner's request and resumes
 * the workflow waiting for it. Steps:
 * 1. open the link (403/404/410) and check the page nonce (403: not from this page, or stale);
 * 2. requested already → 409 saying when; offer run out → 410;
 * 3. read the reason (400 when missing or too long);
 * 4. write it conditionally — once only, and only while the offer runs; a racing request loses
 *    as a whole and gets the 409;
 * 5. `SendTaskSuccess` with the stored callback token; if that fails the request stays recorded
 *    (503) and is handed over again when the link is opened after `handOverGraceMs`.
 */
export async function requestExtension(
  deps: ExtensionRequestDependencies,
  submission: FormSubmission<{ reason?: string | undefined }>,
): Promise<{ registration: OfferedRegistration; request: ExtensionRequest }> {
  const page = extensionPage(deps);
  const registration = await page.open(submission);
  const { registrationId } = registration;
  await page.checkNonce(submission);
  if (registration.request !== undefined) {
    await retryRequestHandOver(deps, page, registration, registration.request);
    throw new ExtensionAlreadyRequestedError(registrationId, registration.request);
  }
  const now = deps.now();
  refuseExpired(registration, now);

  const request: ExtensionRequest = {
    requestedAt: now.toISOString(),
    requestedBy: registration.offer.partnerEmail,
    reason: readExtensionReason(submission.fields),
  };
  const access = accessAt(submission.access, now);
  const written = await deps.store.recordRequest(registrationId, request, access);
  if (!written.recorded) {
    deps.logger.warn('extension request not recorded', { registrationId, reason: written.reason, ...access });
    const stored = written.registration;
    switch (written.reason) {
      case 'already-requested':
        if (stored?.request === undefined) break;
        throw new ExtensionAlreadyRequestedError(registrationId, stored.request);
      case 'offer-expired':
        throw new ExtensionOfferExpiredError(
          registrationId,
          stored?.offer?.expiresAt ?? registration.offer.expiresAt,
        );
      case 'offer-replaced':
        throw new NotFoundError('the extension offer was renewed; use the link in the most recent email');
      case 'no-offer':
        break;
    }
    throw new NotFoundError(`registration ${registrationId} has no extension on offer`);
  }
  deps.logger.info('extension requested', { registrationId, requestedBy: request.requestedBy, ...access });

  let outcome: 'resumed' | 'closed';
  try {
    outcome = await handOver(deps, registration, request);
  } catch (error) {
    throw new HandoverFailedError(`the extension request of registration ${registrationId}`, {
      cause: error,
    });
  }
  if (outcome === 'closed') {
    throw new ExtensionOfferExpiredError(registrationId, registration.offer.expiresAt);
  }
  return { registration: { ...registration, request }, request };
}
