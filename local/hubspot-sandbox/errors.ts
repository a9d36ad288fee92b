import { randomUUID } from 'node:crypto';

/** HubSpot's error categories the sandbox answers with. */
export type HubSpotErrorCategory =
  | 'VALIDATION_ERROR'
  | 'OBJECT_NOT_FOUND'
  | 'INVALID_AUTHENTICATION'
  | 'CONFLICT'
  | 'RATE_LIMITS'
  | 'INTERNAL_ERROR'
  | 'OBJECT_ALREADY_EXISTS';

/**
 * An error the sandbox turns into HubSpot's JSON error body
 * `{status: "error", message, correlationId, category, ...extra}` with the given HTTP status.
 */
export class HubSpotApiError extends Error {
  readonly status: number;
  readonly category: HubSpotErrorCategory | undefined;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    message: string,
    category?: HubSpotErrorCategory,
    extra: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HubSpotApiError';
    this.status = status;
    this.category = category;
    this.extra = extra;
  }

  /** The JSON body HubSpot sends for this error. */
  toBody(): Record<string, unknown> {
    return {
      status: 'error',
      message: this.message,
      correlationId: randomUUID(),
      category: this.category,
      ...this.extra,
    };
  }
}

export function validationError(message: string, extra: Record<string, unknown> = {}): HubSpotApiError {
  return new HubSpotApiError(400, message, 'VALIDATION_ERROR', extra);
}

export function notFound(message: string): HubSpotApiError {
  return new HubSpotApiError(404, message, 'OBJECT_NOT_FOUND');
}

export function conflict(message: string): HubSpotApiError {
  return new HubSpotApiError(409, message, 'CONFLICT');
}

/** A seed document or admin request the sandbox cannot apply; answered with 400 before anything changes. */
export class SandboxSeedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SandboxSeedError';
  }
}

/** An admin request (`/_sandbox/faults`, `rate-limit`, `webhooks`) with a bad setting; answered with 400, nothing changed. */
export class SandboxAdminError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SandboxAdminError';
  }
}
