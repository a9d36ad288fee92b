import {
  CoSellAccessDeniedError,
  CoSellConflictError,
  CoSellError,
  CoSellOpportunityNotFoundError,
  CoSellThrottledError,
  CoSellUnavailableError,
  CoSellValidationError,
} from '#ports/partner-central-errors.ts';
import { invocationDeadline } from '../invocation-deadline.ts';

/**
 * Every Partner Central call goes through here: throttling and server failures are retried with
 * exponential backoff and jitter, as the HubSpot gateway does, and everything else becomes a
 * named co-sell error. The SDK's own retries are off (`maxAttempts: 1` on the client) so that a
 * retry never sleeps past the Lambda invocation's deadline: a call that would gives way at once
 * with a retryable error and the workflow step is tried again later.
 *
 * Retrying a create or a submission is safe: both carry a client token, and Partner Central
 * answers a repeated token with the first result ("Idempotency" in the CreateOpportunity and
 * StartEngagementFromOpportunityTask API references).
 */
export interface CoSellRetryPolicy {
  /** Attempts per call, the first included. @default 6 */
  readonly maxAttempts: number;
  /** First backoff after a server failure or dropped connection. @default 250 */
  readonly baseDelayMs: number;
  /** First backoff after a ThrottlingException (Partner Central's limits are per second). @default 1_000 */
  readonly throttleDelayMs: number;
  /** @default 8_000 */
  readonly maxDelayMs: number;
  /** Kept back from the invocation's deadline for the rest of the step. @default 20_000 */
  readonly reserveMs: number;
}

const defaultPolicy: CoSellRetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  throttleDelayMs: 1_000,
  maxDelayMs: 8_000,
  reserveMs: 20_000,
};

/** The parts of an SDK failure looked at: a modelled exception, a server fault, or a network error. */
interface FailureShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly ErrorList?: unknown;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

export interface CallStats {
  requests: number;
  retries: number;
  throttled: number;
  serverErrors: number;
  gaveWay: number;
}

export class RetryingCalls {
  readonly stats: CallStats = { requests: 0, retries: 0, throttled: 0, serverErrors: 0, gaveWay: 0 };
  readonly policy: CoSellRetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #deadline: () => number | undefined;
  readonly #now: () => number;

  constructor(
    options: {
      policy?: Partial<CoSellRetryPolicy> | undefined;
      sleep?: ((ms: number) => Promise<void>) | undefined;
      deadline?: (() => number | undefined) | undefined;
      now?: (() => number) | undefined;
    } = {},
  ) {
    this.policy = { ...defaultPolicy, ...options.policy };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#deadline = options.deadline ?? invocationDeadline;
    this.#now = options.now ?? Date.now;
  }

  /** Runs one Partner Central call; `what` names it in error messages. */
  async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.stats.requests += 1;
        return await request();
      } catch (error) {
        const delay = this.#retryDelay(what, error, attempt);
        const deadline = this.#deadline();
        if (deadline !== undefined && this.#now() + delay > deadline - this.policy.reserveMs) {
          this.stats.gaveWay += 1;
          const message = `${what}: Partner Central is busy or failing and the next attempt would start past the invocation's deadline; giving way so the step is tried again later`;
          throw isThrottling(error)
            ? new CoSellThrottledError(message, { cause: error })
            : new CoSellUnavailableError(message, { cause: error });
        }
        this.stats.retries += 1;
        await this.#sleep(delay);
      }
    }
  }

  /** The wait before the next attempt, or throws the named error when the call must not be retried. */
  #retryDelay(what: string, error: unknown, attempt: number): number {
    const failure = (typeof error === 'object' && error !== null ? error : {}) as FailureShape;
    const name = typeof failure.name === 'string' ? failure.name : undefined;
    const status = failure.$metadata?.httpStatusCode;
    const serverMessage =
      typeof failure.message === 'string' && failure.message !== '' ? `: ${failure.message}` : '';
    const lastAttempt = attempt >= this.policy.maxAttempts;
    const backoff = (base: number) => {
      const ceiling = Math.min(this.policy.maxDelayMs, base * 2 ** (attempt - 1));
      return ceiling / 2 + Math.floor(Math.random() * (ceiling / 2));
    };

    if (isThrottling(error)) {
      this.stats.throttled += 1;
      if (lastAttempt) {
        throw new CoSellThrottledError(
          `${what}: still throttled by Partner Central after ${attempt} attempts`,
          {
            cause: error,
          },
        );
      }
      return backoff(this.policy.throttleDelayMs);
    }
    const network = typeof failure.code === 'string' && networkCodes.has(failure.code);
    const serverFault =
      failure.$fault === 'server' || (typeof status === 'number' && status >= 500) || name === 'TimeoutError';
    if (serverFault || network) {
      this.stats.serverErrors += 1;
      if (lastAttempt) {
        const reason = network
          ? `could not reach Partner Central (${String(failure.code)})`
          : `Partner Central failed (${name ?? status})`;
        throw new CoSellUnavailableError(`${what}: ${reason} after ${attempt} attempts${serverMessage}`, {
          cause: error,
        });
      }
      return backoff(this.policy.baseDelayMs);
    }

    switch (name) {
      case 'ValidationException':
        throw new CoSellValidationError(`${what}: Partner Central refused the request${serverMessage}`, {
          cause: error,
          fields: validationFields(failure.ErrorList),
        });
      case 'ConflictException':
        throw new CoSellConflictError(`${what}: conflicts with Partner Central${serverMessage}`, {
          cause: error,
        });
      case 'AccessDeniedException':
        throw new CoSellAccessDeniedError(
          `${what}: Partner Central denied access${serverMessage}; check the IAM role and the account's link to Partner Central`,
          { cause: error },
        );
      case 'ResourceNotFoundException':
        throw new CoSellOpportunityNotFoundError(`${what}: not found in Partner Central${serverMessage}`, {
          cause: error,
        });
    }
    if (error instanceof CoSellError) throw error;
    throw new CoSellError(`${what}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function isThrottling(error: unknown): boolean {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as FailureShape;
  return failure.name === 'ThrottlingException' || failure.$metadata?.httpStatusCode === 429;
}

function validationFields(list: unknown): { field: string; message: string }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { FieldName, Message } = item as { FieldName?: unknown; Message?: unknown };
    return [
      {
        field: typeof FieldName === 'string' ? FieldName : '',
        message: typeof Message === 'string' ? Message : '',
      },
    ];
  });
}
