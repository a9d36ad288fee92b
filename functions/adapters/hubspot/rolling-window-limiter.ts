/**
 * Keeps requests under "at most `limit` requests in any rolling `windowMs`", however long each
 * request takes, with at most `maxConcurrent` in flight.
 *
 * Each request holds one of `limit` slots from the moment it is admitted until `windowMs` after
 * it *completes*. The server saw the request somewhere between admission and completion, so in
 * any window of `windowMs` on the server's clock at most `limit` of our requests can arrive —
 * no matter how latency varies. A fixed-window reservoir (Bottleneck's `reservoirRefresh*`) can
 * let 2 × limit through across a window edge, and plain spacing (`minTime`) wastes the burst the
 * portal allows; this is exact and costs one latency per window.
 */
interface RollingWindowOptions {
  readonly limit: number;
  readonly windowMs: number;
  /** @default Infinity */
  readonly maxConcurrent?: number;
  /** Clock and timer, injectable for tests. */
  readonly now?: () => number;
}

export class RollingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly maxConcurrent: number;
  readonly #now: () => number;
  /** Times (ms) at which slots held by completed requests become free again, ascending. */
  readonly #releases: number[] = [];
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RollingWindowOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new RangeError(`limit must be a positive integer, got ${options.limit}`);
    }
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Runs `task` once a slot is free; the slot is held until `windowMs` after it settles. With
   * `waitUntil` (epoch ms), a task not admitted by then is dropped from the queue and the call
   * rejects with {@link SlotWaitExpiredError}: the caller gives way instead of waiting past its
   * own deadline.
   */
  async run<T>(task: () => Promise<T>, options: { waitUntil?: number | undefined } = {}): Promise<T> {
    await this.#acquire(options.waitUntil);
    try {
      return await task();
    } finally {
      this.#inFlight -= 1;
      this.#releases.push(this.#now() + this.windowMs);
      this.#pump();
    }
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  #acquire(waitUntil: number | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (waitUntil === undefined) {
        this.#waiting.push(resolve);
        this.#pump();
        return;
      }
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const admit = () => {
        if (expiry !== undefined) clearTimeout(expiry);
        resolve();
      };
      this.#waiting.push(admit);
      this.#pump();
      if (!this.#waiting.includes(admit)) return;
      expiry = setTimeout(
        () => {
          const index = this.#waiting.indexOf(admit);
          if (index < 0) return;
          this.#waiting.splice(index, 1);
          reject(new SlotWaitExpiredError(waitUntil));
        },
        Math.max(0, waitUntil - this.#now()),
      );
    });
  }

  #pump(): void {
    const now = this.#now();
    while (this.#releases.length > 0 && (this.#releases[0] ?? 0) <= now) this.#releases.shift();
    while (
      this.#waiting.length > 0 &&
      this.#inFlight + this.#releases.length < this.limit &&
      this.#inFlight < this.maxConcurrent
    ) {
      this.#inFlight += 1;
      this.#waiting.shift()?.();
    }
    if (this.#waiting.length > 0 && this.#inFlight < this.maxConcurrent && this.#releases.length > 0) {
      this.#schedule((this.#releases[0] ?? now) - now);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(0, delayMs),
    );
  }
}

/** A request was not admitted before the instant its caller could wait until. */
export class SlotWaitExpiredError extends Error {
  override readonly name = 'SlotWaitExpiredError';
  readonly waitUntil: number;

  constructor(waitUntil: number) {
    super(`no request slot free before ${new Date(waitUntil).toISOString()}`);
    this.waitUntil = waitUntil;
  }
}
