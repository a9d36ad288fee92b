/** Why an extension request link or page was refused (all answered 403). */
export type ExtensionLinkRejection =
  | 'malformed'
  | 'forged'
  | 'wrong-registration'
  | 'wrong-partner'
  /** The page's nonce is missing, forged or older than the page lifetime. */
  | 'not-from-page';

/** The link token or page nonce is forged, tampered with, or not this registration's partner's. */
export class ExtensionLinkRejectedError extends Error {
  readonly rejection: ExtensionLinkRejection;

  constructor(rejection: ExtensionLinkRejection, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExtensionLinkRejectedError';
    this.rejection = rejection;
  }
}

/** No registration has this id, or none was offered an extension. */
export class ExtensionOfferNotFoundError extends Error {
  readonly registrationId: string;

  constructor(registrationId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExtensionOfferNotFoundError';
    this.registrationId = registrationId;
  }
}

/** The offer (or the link, which lives as long as the offer) expired; answered 410. */
export class ExtensionOfferExpiredError extends Error {
  readonly expiredAt: string;

  constructor(registrationId: string, expiredAt: string, options?: { cause?: unknown }) {
    super(`the extension offer of registration ${registrationId} expired at ${expiredAt}`, options);
    this.name = 'ExtensionOfferExpiredError';
    this.expiredAt = expiredAt;
  }
}

/** The one extension was already requested; carries when and by whom (409). */
export class ExtensionAlreadyRequestedError extends Error {
  readonly requestedAt: string;
  readonly requestedBy: string;

  constructor(
    registrationId: string,
    request: { requestedAt: string; requestedBy: string },
    options?: { cause?: unknown },
  ) {
    super(
      `the extension of registration ${registrationId} was already requested by ${request.requestedBy} at ${request.requestedAt}`,
      options,
    );
    this.name = 'ExtensionAlreadyRequestedError';
    this.requestedAt = request.requestedAt;
    this.requestedBy = request.requestedBy;
  }
}

/** The request form is incomplete or too long; names each field (400). */
export class InvalidExtensionRequestError extends Error {
  readonly problems: readonly { field: string; message: string }[];

  constructor(problems: readonly { field: string; message: string }[], options?: { cause?: unknown }) {
    super(
      `the extension request is incomplete: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      options,
    );
    this.name = 'InvalidExtensionRequestError';
    this.problems = problems;
  }
}

/** The request is recorded but the waiting workflow could not be resumed yet (503). */
export class ExtensionHandoverError extends Error {
  constructor(registrationId: string, options?: { cause?: unknown }) {
    super(
      `the extension request of registration ${registrationId} is recorded but the workflow could not be resumed`,
      options,
    );
    this.name = 'ExtensionHandoverError';
  }
}

/** The registration item holds an offer or request Dealreg did not write that way. */
export class CorruptExtensionOfferError extends Error {
  constructor(registrationId: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(
      `registration ${registrationId} holds an unreadable extension offer: ${problems.join('; ')}`,
      options,
    );
    this.name = 'CorruptExtensionOfferError';
  }
}
