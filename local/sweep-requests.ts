import type { SweepRequests } from '#ports/sweep-requests.ts';

/**
 * The local stand-in for invoking the backfill Lambda asynchronously: runs the in-process backfill
 * handler soon. Like the deployed function with its one container, one sweep runs at a time; a
 * request while one waits to start adds nothing, and a request while one runs queues one more
 * after it, so every request is followed by a sweep that starts after it.
 */
export class LocalSweepRequests implements SweepRequests {
  readonly #run: () => Promise<unknown>;
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(run: () => Promise<unknown>, options: { delayMs?: number; onError: (error: unknown) => void }) {
    this.#run = run;
    this.#delayMs = options.delayMs ?? 20;
    this.#onError = options.onError;
  }

  async request(): Promise<void> {
    if (this.#closed || this.#timer !== undefined) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run()
        .then(
          () => undefined,
          (error: unknown) => this.#onError(error),
        )
        .finally(() => {
          this.#running = undefined;
          if (this.#again && !this.#closed) {
            this.#again = false;
            this.#schedule();
          }
        });
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Resolves once no sweep asked for is waiting to start or running. */
  async idle(): Promise<void> {
    while (this.#timer !== undefined || this.#running !== undefined) {
      await (this.#running ?? new Promise((resolve) => setTimeout(resolve, this.#delayMs)));
    }
  }

  /** Starts no more sweeps and waits for the one running. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
