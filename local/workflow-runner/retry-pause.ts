/**
 * A retrier of a state's `Retry` field, as "Handling errors in Step Functions workflows" (Step
 * Functions Developer Guide, "Retrying after an error") defines its fields.
 */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  /** Seconds before the first retry; default 1. */
  readonly IntervalSeconds?: number;
  /** Retries at most; default 3, 0 never retries. */
  readonly MaxAttempts?: number;
  /** What each pause is multiplied by for the next; default 2.0. */
  readonly BackoffRate?: number;
  /** The longest pause, in seconds, however far the backoff has grown. */
  readonly MaxDelaySeconds?: number;
  /** `FULL`: each pause is a random time between 0 and the computed one; `NONE` (default): the computed one. */
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** What a failed attempt of a state leads to: another attempt after a pause, or none. */
export interface RetryDecision {
  /** The retrier that matched. */
  readonly retrier: number;
  /** Its retries so far, this one included. */
  readonly attempt: number;
  /** The pause before the next attempt, in milliseconds. */
  readonly pauseMs: number;
}

const defaults = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/** Whether a retrier's `ErrorEquals` names the error, as Step Functions matches it. */
function matches(
  errorEquals: readonly string[],
  error: { readonly name: string; readonly timeout: boolean },
  stateType: string,
): boolean {
  return errorEquals.some(
    (name) =>
      name === error.name ||
      name === 'States.ALL' ||
      // "States.TaskFailed": any failure of a Task state except States.Timeout.
      (name === 'States.TaskFailed' && stateType === 'Task' && !error.timeout),
  );
}

/**
 * Decides what follows a failed attempt, as "Handling errors in Step Functions workflows" says: the
 * first retrier whose `ErrorEquals` names the error applies; if its `MaxAttempts` are used up the
 * state fails (to its Catch, or the execution's failure) without trying the retriers after it.
 * The n-th retry (n from 1) of a retrier pauses `IntervalSeconds × BackoffRate^(n−1)` seconds,
 * at most `MaxDelaySeconds`; with `JitterStrategy: FULL`, a random time between 0 and that.
 * `attempts` holds each retrier's retries of this visit of the state so far; it is counted up
 * when a retry is decided. The same rule as `aws-local-stepfunctions`' retries, so the package
 * retries exactly when this answers a decision.
 */
export function decideRetry(
  retriers: readonly Retrier[],
  attempts: number[],
  error: { readonly name: string; readonly timeout: boolean; readonly retryable: boolean },
  stateType: string,
  random: () => number = Math.random,
): RetryDecision | undefined {
  if (!error.retryable) return undefined;
  for (const [index, retrier] of retriers.entries()) {
    if (!matches(retrier.ErrorEquals, error, stateType)) continue;
    const done = attempts[index] ?? 0;
    if (done >= (retrier.MaxAttempts ?? defaults.MaxAttempts)) return undefined;
    attempts[index] = done + 1;
    const interval = retrier.IntervalSeconds ?? defaults.IntervalSeconds;
    const backoff = retrier.BackoffRate ?? defaults.BackoffRate;
    let seconds = interval * backoff ** done;
    if (retrier.MaxDelaySeconds !== undefined && retrier.MaxDelaySeconds > 0)
      seconds = Math.min(seconds, retrier.MaxDelaySeconds);
    if (retrier.JitterStrategy === 'FULL') seconds *= random();
    return { retrier: index, attempt: done + 1, pauseMs: Math.round(seconds * 1000) };
  }
  return undefined;
}
