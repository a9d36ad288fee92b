/**
 * Named errors of the HubSpot adapter. Each carries the HTTP status (when there was one), the
 * CRM's correlation id for support tickets, and the original error as `cause`.
 */
interface HubSpotErrorDetails {
  readonly status?: number | undefined;
  readonly category?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly cause?: unknown;
}

/** Any failed HubSpot call. */
export class HubSpotError extends Error {
  override readonly name: string = 'HubSpotError';
  readonly status: number | undefined;
  readonly category: string | undefined;
  readonly correlationId: string | undefined;

  constructor(message: string, details: HubSpotErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.category = details.category;
    this.correlationId = details.correlationId;
  }
}

/** The portal's daily request allowance is spent: retrying before midnight (portal time zone) is useless. */
export class HubSpotDailyLimitError extends HubSpotError {
  override readonly name = 'HubSpotDailyLimitError';
}

/** Still rate limited (429) after the whole retry budget. */
export class HubSpotRateLimitError extends HubSpotError {
  override readonly name = 'HubSpotRateLimitError';
}

/** HubSpot answered 5xx, timed out or could not be reached, through the whole retry budget. */
export class HubSpotUnavailableError extends HubSpotError {
  override readonly name = 'HubSpotUnavailableError';
}

/** The token is missing, invalid, or lacks a scope (401/403). */
export class HubSpotAuthorizationError extends HubSpotError {
  override readonly name = 'HubSpotAuthorizationError';
}

/** HubSpot refused the request itself (4xx other than 401/403/404/409/429): fix the request, do not retry. */
export class HubSpotRequestError extends HubSpotError {
  override readonly name = 'HubSpotRequestError';
}

/** A record with the same unique value already exists (409). */
export class HubSpotConflictError extends HubSpotError {
  override readonly name = 'HubSpotConflictError';
}

/** The object asked for does not exist (404). */
export class HubSpotNotFoundError extends HubSpotError {
  override readonly name = 'HubSpotNotFoundError';
}

/** Required HubSpot configuration (token, portal objects created by setup) is missing. */
export class HubSpotConfigurationError extends HubSpotError {
  override readonly name = 'HubSpotConfigurationError';
}
