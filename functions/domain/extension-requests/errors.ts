import { AlreadyDoneError, NoLongerOpenError } from '#domain/signed-links/errors.ts';

/** The offer, and the link that lives as long as it, ran out: when (410). */
export class ExtensionOfferExpiredError extends NoLongerOpenError<{ expiredAt: string }> {
  constructor(registrationId: string, expiredAt: string) {
    super(`the extension offer of registration ${registrationId} expired at ${expiredAt}`, { expiredAt });
  }
}

/** The one extension was already requested: when, and by whom (409). */
export class ExtensionAlreadyRequestedError extends AlreadyDoneError<{
  requestedAt: string;
  requestedBy: string;
}> {
  constructor(registrationId: string, request: { requestedAt: string; requestedBy: string }) {
    const { requestedAt, requestedBy } = request;
    super(
      `the extension of registration ${registrationId} was already requested by ${requestedBy} at ${requestedAt}`,
      {
        requestedAt,
        requestedBy,
      },
    );
  }
}
