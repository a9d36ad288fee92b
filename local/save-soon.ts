import { writeFileAtomically } from './atomic-file.ts';

/**
 * Saves soon after a change, one save at a time: the first change after a save schedules the
 * next one `delayMs` later (later when saves have been slow: four times the last save's
 * duration), and every change until then goes into that one save. A burst of changes costs a few
 * saves; a crash loses at most the changes of the last moments.
 */
export class SaveSoon {
  readonly #save: () => Promise<void>;
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  #changed = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #lastSaveMs = 0;

  constructor(options: {
    readonly save: () => Promise<void>;
    readonly delayMs: number;
    /** A failed save is reported here; the next change tries again. */
    readonly onError: (error: unknown) => void;
  }) {
    this.#save = options.save;
    this.#delayMs = options.delayMs;
    this.#onError = options.onError;
  }

  /** Something changed: it will be saved soon. */
  changed(): void {
    if (this.#closed) return;
    this.#changed = true;
    this.#schedule();
  }

  /** Saves what changed now, and resolves once nothing is left unsaved. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#saving !== undefined) await this.#saving;
    if (this.#changed) await this.#run();
  }

  /** Saves what changed and ignores later changes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#saving !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#run();
      },
      Math.max(this.#delayMs, 4 * this.#lastSaveMs),
    );
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (!this.#changed || this.#saving !== undefined) return;
    this.#changed = false;
    const started = performance.now();
    let failed = false;
    this.#saving = this.#save().catch((error: unknown) => {
      failed = true;
      this.#changed = true;
      this.#onError(error);
    });
    try {
      await this.#saving;
    } finally {
      this.#saving = undefined;
      this.#lastSaveMs = performance.now() - started;
    }
    // After a failure the next change tries again, rather than a retry loop repeating the error.
    if (this.#changed && !this.#closed && !failed) this.#schedule();
  }
}

/**
 * Saves `snapshot()` as JSON to `file` soon after each change (`changed()`), written aside and
 * renamed into place, so a stack killed at any moment restarts from a whole, recent snapshot.
 */
export function saveJsonSoon(
  file: string,
  snapshot: () => unknown,
  onError: (error: unknown) => void,
  delayMs = 250,
): SaveSoon {
  return new SaveSoon({
    save: () => writeFileAtomically(file, JSON.stringify(snapshot())),
    delayMs,
    onError,
  });
}
