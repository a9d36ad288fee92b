/** Where the sweep of one form stands, kept between runs. */
export interface SweepState {
  readonly formGuid: string;
  /**
   * `submittedAt` (epoch ms) up to which every submission has been fed to intake. The next run
   * pages down to this minus the overlap and no further.
   */
  readonly watermark?: number | undefined;
  /**
   * `submittedAt` (epoch ms) of the oldest submission the last completed run failed to take in.
   * The next run pages down to it, whatever its overlap: a failure below the watermark (a
   * submission the Forms API listed late) is otherwise left behind once later runs lift it.
   */
  readonly retryFrom?: number | undefined;
  /** A run that stopped before reaching the watermark: where to go on, and what it had seen. */
  readonly resume?:
    | { readonly after: string; readonly newestSeen: number; readonly oldestFailed?: number | undefined }
    | undefined;
  /** Optimistic-concurrency counter; every save increments it. */
  readonly version: number;
}

/** A concurrent run of the same form's sweep saved first: this run stops and leaves the state to it. */
export class SweepStateConflictError extends Error {
  override readonly name = 'SweepStateConflictError';
}

/** Port: the durable sweep state (DynamoDB in AWS and locally). */
export interface SweepStateStore {
  load(formGuid: string): Promise<SweepState | undefined>;
  /** Saves `state` with version `expectedVersion + 1`, or throws {@link SweepStateConflictError}. */
  save(state: Omit<SweepState, 'version'>, expectedVersion: number): Promise<void>;
}
