import { invocationDeadline } from '../invocation-deadline.ts';
import {
  HubSpotAuthorizationError,
  HubSpotConfigurationError,
  HubSpotConflictError,
  HubSpotDailyLimitError,
  HubSpotError,
  HubSpotNotFoundError,
  HubSpotRateLimitError,
  HubSpotRequestError,
  HubSpotUnavailableError,
} from './errors.ts';
import { RollingWindowLimiter, SlotWaitExpiredError } from './rolling-window-limiter.ts';

/**
 * Every HubSpot request goes through one gateway per process: it keeps the process under the
 * portal's rolling request limit and the search limit, retries what is worth retrying and turns
 * everything else into a named error.
 *
 * Why not the client's own `numberOfApiCallRetries`: it retries 5xx on creates (which can write
 * twice when HubSpot created the object and then failed), ignores `Retry-After`, recognises the
 * per-second search limit only by message text, waits 10 s × attempt on every ten-secondly 429,
 * never retries a dropped connection, and logs to stderr. The client is therefore built with
 * retries off and no Bottleneck limiter, and this gateway does both.
 */
export interface RateLimits {
  /** Requests per rolling window for this process. @default 190 (a privately distributed app, Professional/Enterprise) */
  readonly requestsPerWindow: number;
  /** @default 10_000 */
  readonly windowMs: number;
  /**
   * Search requests per second for this process (the portal allows 5, counted per second, so
   * processes sharing a portal split it in whole searches); 0 for a process that must not
   * search. @default 5
   */
  readonly searchPerSecond: number;
  /** Requests in flight at once. @default 10 */
  readonly maxConcurrent: number;
}

export interface RetryPolicy {
  /** Attempts per call, the first included. @default 6 */
  readonly maxAttempts: number;
  /** First backoff after a 5xx or dropped connection. @default 250 */
  readonly baseDelayMs: number;
  /** @default 8_000 */
  readonly maxDelayMs: number;
  /**
   * An attempt with no answer after this long counts as a dropped connection (the client sets
   * no timeout of its own, so a stalled socket would otherwise hold the call until the Lambda
   * times out). @default 30_000
   */
  readonly attemptTimeoutMs: number;
  /**
   * Time kept back from the invocation's deadline for the request itself and the rest of the
   * step. A call that cannot get a slot, or would sleep before its next attempt, past
   * `deadline − reserveMs` gives way at once with a retryable error (`HubSpotRateLimitError`
   * or `HubSpotUnavailableError`), so the step fails fast and Step Functions tries it again
   * later with backoff, instead of the Lambda timing out in the queue. @default 20_000
   */
  readonly reserveMs: number;
}

const defaultRateLimits: RateLimits = {
  requestsPerWindow: 190,
  windowMs: 10_000,
  searchPerSecond: 5,
  maxConcurrent: 10,
};

const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  attemptTimeoutMs: 30_000,
  reserveMs: 20_000,
};

type CallKind = 'standard' | 'search';

interface CallOptions {
  readonly kind?: CallKind;
  /**
   * Whether a 5xx or a connection dropped mid-request may be retried. False for creates that
   * have no unique key to detect the first attempt by; 429s are always retried (HubSpot did not
   * process the request).
   */
  readonly retryAmbiguous?: boolean;
}

interface GatewayStats {
  requests: number;
  retries: number;
  rateLimited: number;
  serverErrors: number;
  /** Calls that gave way (a retryable error) rather than wait past the invocation's deadline. */
  gaveWay: number;
}

/** The parts of a failed call the gateway looks at (`ApiException` of the client, or a fetch error). */
interface FailureShape {
  readonly code?: unknown;
  readonly body?: unknown;
  readonly headers?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
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

export class HubSpotGateway {
  readonly stats: GatewayStats = { requests: 0, retries: 0, rateLimited: 0, serverErrors: 0, gaveWay: 0 };
  readonly limits: RateLimits;
  readonly retry: RetryPolicy;
  readonly #standard: RollingWindowLimiter;
  readonly #search: RollingWindowLimiter | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #deadline: () => number | undefined;
  readonly #now: () => number;

  constructor(
    options: {
      limits?: Partial<RateLimits> | undefined;
      retry?: Partial<RetryPolicy> | undefined;
      sleep?: ((ms: number) => Promise<void>) | undefined;
      /** The invocation's deadline (epoch ms). @default the one {@link withInvocationDeadline} set */
      deadline?: (() => number | undefined) | undefined;
      now?: (() => number) | undefined;
    } = {},
  ) {
    this.limits = { ...defaultRateLimits, ...options.limits };
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.#standard = new RollingWindowLimiter({
      limit: this.limits.requestsPerWindow,
      windowMs: this.limits.windowMs,
      maxConcurrent: this.limits.maxConcurrent,
    });
    // Search requests count against both limits; the search limiter is entered first so a queued
    // search does not hold a standard slot while it waits for its own.
    const searches = this.limits.searchPerSecond;
    this.#search = searches >= 1 ? new RollingWindowLimiter({ limit: searches, windowMs: 1_000 }) : undefined;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#deadline = options.deadline ?? invocationDeadline;
    this.#now = options.now ?? Date.now;
  }

  /** The last instant a call may still wait until, or undefined outside an invocation. */
  #waitLimit(): number | undefined {
    const deadline = this.#deadline();
    return deadline === undefined ? undefined : deadline - this.retry.reserveMs;
  }

  /** Runs one HubSpot call with limiting and retries; `what` names it in error messages. */
  async call<T>(what: string, request: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const kind = options.kind ?? 'standard';
    if (kind === 'search' && this.#search === undefined) {
      throw new HubSpotConfigurationError(
        `${what}: this process has no share of the portal's search limit (searchPerSecond is 0)`,
      );
    }
    for (let attempt = 1; ; attempt += 1) {
      const waitUntil = this.#waitLimit();
      try {
        this.stats.requests += 1;
        const timed = () => withTimeout(request, this.retry.attemptTimeoutMs);
        const search = this.#search;
        return await (kind === 'search' && search !== undefined
          ? search.run(() => this.#standard.run(timed, { waitUntil }), { waitUntil })
          : this.#standard.run(timed, { waitUntil }));
      } catch (error) {
        if (error instanceof SlotWaitExpiredError) {
          this.stats.gaveWay += 1;
          throw new HubSpotRateLimitError(
            `${what}: this process's share of the HubSpot portal's request budget is taken until past the invocation's deadline; giving way so the step is tried again later`,
            { cause: error },
          );
        }
        const delay = this.#retryDelay(what, error, attempt, options.retryAmbiguous ?? true);
        if (waitUntil !== undefined && this.#now() + delay > waitUntil) {
          this.stats.gaveWay += 1;
          throw this.#retryableLater(what, error);
        }
        this.stats.retries += 1;
        await this.#sleep(delay);
      }
    }
  }

  /** The retryable error a call gives way with when its next attempt would start past its deadline. */
  #retryableLater(what: string, error: unknown): HubSpotError {
    const status = (error as FailureShape | undefined)?.code;
    const message = `${what}: HubSpot is busy or failing and the next attempt would start past the invocation's deadline; giving way so the step is tried again later`;
    return status === 429
      ? new HubSpotRateLimitError(message, { cause: error, status: 429 })
      : new HubSpotUnavailableError(message, {
          cause: error,
          status: typeof status === 'number' ? status : undefined,
        });
  }

  /** The wait before the next attempt, or throws the named error when the call must not be retried. */
  #retryDelay(what: string, error: unknown, attempt: number, retryAmbiguous: boolean): number {
    const failure = (typeof error === 'object' && error !== null ? error : {}) as FailureShape;
    const status = typeof failure.code === 'number' ? failure.code : undefined;
    const body = (typeof failure.body === 'object' && failure.body !== null ? failure.body : {}) as Record<
      string,
      unknown
    >;
    const details = {
      cause: error,
      status,
      category: typeof body.category === 'string' ? body.category : undefined,
      correlationId: typeof body.correlationId === 'string' ? body.correlationId : undefined,
    };
    const serverMessage = typeof body.message === 'string' ? `: ${body.message}` : '';
    const lastAttempt = attempt >= this.retry.maxAttempts;

    if (status === 429) {
      this.stats.rateLimited += 1;
      const policy = typeof body.policyName === 'string' ? body.policyName : undefined;
      if (policy === 'DAILY') {
        throw new HubSpotDailyLimitError(
          `${what}: the HubSpot portal's daily API limit is used up; calls resume after midnight in the portal's time zone`,
          details,
        );
      }
      if (lastAttempt) {
        throw new HubSpotRateLimitError(
          `${what}: still rate limited by HubSpot (${policy ?? 'unknown policy'}) after ${attempt} attempts`,
          details,
        );
      }
      const retryAfter = retryAfterMs(failure.headers);
      if (retryAfter !== undefined) return retryAfter;
      const base = policy === 'SECONDLY' || isSecondly(body) ? 1_000 : 2_000;
      return Math.min(this.limits.windowMs, base * 2 ** (attempt - 1)) + jitter(250);
    }

    const network =
      status === undefined && typeof failure.code === 'string' && networkCodes.has(failure.code);
    if ((status !== undefined && status >= 500) || network) {
      this.stats.serverErrors += 1;
      const reason = !network
        ? `HubSpot answered ${status}`
        : failure.code === 'ETIMEDOUT'
          ? `HubSpot did not answer (${String(failure.message)})`
          : `could not reach HubSpot (${String(failure.code)})`;
      // A refused connection never reached HubSpot, so even a create may be repeated.
      const safe = retryAmbiguous || failure.code === 'ECONNREFUSED';
      if (lastAttempt || !safe) {
        throw new HubSpotUnavailableError(
          `${what}: ${reason}${safe ? ` after ${attempt} attempts` : ' (not retried: the write may have happened)'}${serverMessage}`,
          details,
        );
      }
      const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      return ceiling / 2 + jitter(ceiling / 2);
    }

    if (status === 401 || status === 403) {
      throw new HubSpotAuthorizationError(
        `${what}: HubSpot refused the access token (${status})${serverMessage}; check the token and its scopes`,
        details,
      );
    }
    if (status === 404)
      throw new HubSpotNotFoundError(`${what}: not found in HubSpot${serverMessage}`, details);
    if (status === 409)
      throw new HubSpotConflictError(`${what}: already exists in HubSpot${serverMessage}`, details);
    if (status !== undefined) {
      throw new HubSpotRequestError(
        `${what}: HubSpot rejected the request (${status})${serverMessage}`,
        details,
      );
    }
    if (error instanceof HubSpotError) throw error;
    throw new HubSpotError(`${what}: ${error instanceof Error ? error.message : String(error)}`, details);
  }
}

/**
 * Settles with the request, or rejects as a timed-out connection after `ms`. The request itself
 * cannot be aborted through the client and may still reach HubSpot, so a timed-out write is
 * treated as ambiguous, like a 5xx.
 */
function withTimeout<T>(request: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
    request().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function isSecondly(body: Record<string, unknown>): boolean {
  return typeof body.message === 'string' && /secondly/i.test(body.message);
}

function retryAfterMs(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  const seconds = Number(entry?.[1]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : undefined;
}

function jitter(maxMs: number): number {
  return Math.floor(Math.random() * maxMs);
}
