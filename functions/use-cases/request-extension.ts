import type { Access } from '#domain/approvals/approval-task.ts';
import { ApprovalLinkRejectedError } from '#domain/approvals/errors.ts';
import { issuePageNonce, verifyPageNonce } from '#domain/approvals/page-nonce.ts';
import type { ApprovalSigningKey } from '#domain/approvals/signing-key.ts';
import {
  ExtensionAlreadyRequestedError,
  ExtensionHandoverError,
  ExtensionLinkRejectedError,
  ExtensionOfferExpiredError,
  ExtensionOfferNotFoundError,
} from '#domain/extension-requests/errors.ts';
import {
  type ExtensionOffer,
  type ExtensionRegistration,
  type ExtensionRequest,
  readExtensionReason,
  samePartner,
} from '#domain/extension-requests/extension-offer.ts';
import { verifyExtensionToken } from '#domain/extension-requests/extension-token.ts';
import type { ExtensionRequestStore, SendExtensionTaskSuccess } from '#ports/extension-requests.ts';
import { type ApprovalLogger, handOverGraceMs } from './view-approval.ts';

export interface ExtensionRequestDependencies {
  readonly store: ExtensionRequestStore;
  /** Ends the workflow's wait: `SendTaskSuccess` in AWS, the local runner's locally. */
  readonly sendTaskSuccess: SendExtensionTaskSuccess;
  /** The approval signing key (the extension links are signed with it too). */
  readonly signingKey: () => Promise<ApprovalSigningKey>;
  readonly now: () => Date;
  readonly logger: ApprovalLogger;
}

/** A registration with an open offer and the workflow's callback token. */
export type OfferedRegistration = ExtensionRegistration & {
  readonly offer: ExtensionOffer;
  readonly callbackToken: string;
};

/** What the extension page shows. */
export type ExtensionView =
  | {
      readonly state: 'open';
      readonly registration: OfferedRegistration;
      readonly token: string;
      readonly nonce: string;
    }
  | {
      readonly state: 'requested';
      readonly registration: OfferedRegistration;
      readonly request: ExtensionRequest;
    };

/** The page nonce binds the form to this registration's extension page (not an approval page). */
function pageId(registrationId: string): string {
  return `extension:${registrationId}`;
}

/**
 * Loads the registration behind a link and checks the link: signed by Dealreg for extensions of
 * this registration, not expired (410), naming the partner the offer was made to (403).
 */
async function authoriseLink(
  deps: ExtensionRequestDependencies,
  registrationId: string,
  token: string | undefined,
): Promise<OfferedRegistration> {
  if (token === undefined || token === '') {
    throw new ExtensionLinkRejectedError('malformed', 'the extension link has no token');
  }
  const claims = verifyExtensionToken(await deps.signingKey(), token, { registrationId, now: deps.now() });
  const registration = await deps.store.get(registrationId);
  if (registration === undefined) {
    throw new ExtensionOfferNotFoundError(registrationId, `there is no registration ${registrationId}`);
  }
  const { offer, callbackToken } = registration;
  if (offer === undefined || callbackToken === undefined) {
    throw new ExtensionOfferNotFoundError(
      registrationId,
      `registration ${registrationId} has no extension on offer`,
    );
  }
  if (!samePartner(claims.partnerEmail, offer.partnerEmail)) {
    throw new ExtensionLinkRejectedError('wrong-partner', 'the extension link was issued to someone else');
  }
  return { ...registration, offer, callbackToken };
}

function refuseExpired(registration: OfferedRegistration, now: Date): void {
  if (now.getTime() >= Date.parse(registration.offer.expiresAt)) {
    throw new ExtensionOfferExpiredError(registration.registrationId, registration.offer.expiresAt);
  }
}

/** Whether a failed `SendTaskSuccess` says the wait is already closed (timed out or answered). */
function waitClosed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TaskTimedOut' || error.name === 'TaskDoesNotExist');
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

/**
 * A request recorded a grace period ago and still not handed over (the workflow was unreachable)
 * is handed over again; within the grace period the requester's own POST may still be doing it.
 */
async function retryStalledHandOver(
  deps: ExtensionRequestDependencies,
  registration: OfferedRegistration,
): Promise<void> {
  const { request } = registration;
  if (request === undefined || registration.handedOverAt !== undefined) return;
  if (deps.now().getTime() - Date.parse(request.requestedAt) < handOverGraceMs) return;
  try {
    await handOver(deps, registration, request);
  } catch (error) {
    deps.logger.error('extension request hand-over retry failed', {
      registrationId: registration.registrationId,
      error,
    });
  }
}

/**
 * `GET /registrations/{registrationId}/extension?t=…`: checks the link and renders the page
 * state. Requests nothing: mail scanners fetch these links. Steps:
 * 1. authorise the link (403 forged or another partner's; 404 no offer; 410 expired link);
 * 2. log the view with user agent and source IP;
 * 3. requested already → show when (retrying a stalled hand-over to the workflow);
 * 4. offer run out → 410;
 * 5. open → issue a page nonce for the form.
 */
export async function viewExtensionOffer(
  deps: ExtensionRequestDependencies,
  request: { registrationId: string; token: string | undefined; access: Omit<Access, 'at'> },
): Promise<ExtensionView> {
  const registration = await authoriseLink(deps, request.registrationId, request.token);
  const now = deps.now();
  deps.logger.info('extension page viewed', {
    registrationId: registration.registrationId,
    requested: registration.request !== undefined,
    at: now.toISOString(),
    ...request.access,
  });
  if (registration.request !== undefined) {
    await retryStalledHandOver(deps, registration);
    return { state: 'requested', registration, request: registration.request };
  }
  refuseExpired(registration, now);
  const token = request.token ?? '';
  return {
    state: 'open',
    registration,
    token,
    nonce: issuePageNonce(await deps.signingKey(), pageId(registration.registrationId), token, now),
  };
}

export interface ExtensionRequestSubmission {
  readonly registrationId: string;
  readonly token: string | undefined;
  readonly nonce: string | undefined;
  readonly fields: { reason?: string };
  readonly access: Omit<Access, 'at'>;
}

/**
 * `POST /registrations/{registrationId}/extension`: records the partner's request and resumes
 * the workflow waiting for it. Steps:
 * 1. authorise the link token (403/404/410) and the page nonce (403: not from this page, or stale);
 * 2. requested already → 409 saying when; offer run out → 410;
 * 3. read the reason (400 when missing or too long);
 * 4. write it conditionally — once only, and only while the offer runs; a racing request loses
 *    as a whole and gets the 409;
 * 5. `SendTaskSuccess` with the stored callback token; if that fails the request stays recorded
 *    (503) and is handed over again when the link is opened after `handOverGraceMs`.
 */
export async function requestExtension(
  deps: ExtensionRequestDependencies,
  submission: ExtensionRequestSubmission,
): Promise<{ registration: OfferedRegistration; request: ExtensionRequest }> {
  const registration = await authoriseLink(deps, submission.registrationId, submission.token);
  const now = deps.now();
  try {
    verifyPageNonce(await deps.signingKey(), submission.nonce ?? '', {
      approvalId: pageId(registration.registrationId),
      token: submission.token ?? '',
      now,
    });
  } catch (error) {
    if (!(error instanceof ApprovalLinkRejectedError)) throw error;
    throw new ExtensionLinkRejectedError(
      'not-from-page',
      error.rejection === 'expired'
        ? 'the extension page was open too long; open the link from your email again'
        : 'the request did not come from the extension page',
      { cause: error },
    );
  }
  if (registration.request !== undefined) {
    await retryStalledHandOver(deps, registration);
    throw new ExtensionAlreadyRequestedError(registration.registrationId, registration.request);
  }
  refuseExpired(registration, now);

  const request: ExtensionRequest = {
    requestedAt: now.toISOString(),
    requestedBy: registration.offer.partnerEmail,
    reason: readExtensionReason(submission.fields),
  };
  const access: Access = { ...submission.access, at: now.toISOString() };
  const written = await deps.store.recordRequest(registration.registrationId, request, access);
  if (!written.recorded) {
    deps.logger.warn('extension request not recorded', {
      registrationId: registration.registrationId,
      reason: written.reason,
      ...access,
    });
    const stored = written.registration;
    switch (written.reason) {
      case 'already-requested':
        if (stored?.request === undefined) break;
        throw new ExtensionAlreadyRequestedError(registration.registrationId, stored.request);
      case 'offer-expired':
        throw new ExtensionOfferExpiredError(
          registration.registrationId,
          stored?.offer?.expiresAt ?? registration.offer.expiresAt,
        );
      case 'offer-replaced':
        throw new ExtensionOfferNotFoundError(
          registration.registrationId,
          'the extension offer was renewed; use the link in the most recent email',
        );
      case 'no-offer':
        break;
    }
    throw new ExtensionOfferNotFoundError(
      registration.registrationId,
      `registration ${registration.registrationId} has no extension on offer`,
    );
  }
  deps.logger.info('extension requested', {
    registrationId: registration.registrationId,
    requestedBy: request.requestedBy,
    ...access,
  });

  let outcome: 'resumed' | 'closed';
  try {
    outcome = await handOver(deps, registration, request);
  } catch (error) {
    throw new ExtensionHandoverError(registration.registrationId, { cause: error });
  }
  if (outcome === 'closed') {
    throw new ExtensionOfferExpiredError(registration.registrationId, registration.offer.expiresAt);
  }
  return { registration: { ...registration, request }, request };
}
