/**
 * When the intake asks for a sweep of the forms' submissions, as a workflow webhook (a trigger)
 * arrives. The backfill has one container (its reserved concurrency), so a burst of triggers must
 * not become a burst of sweeps; yet every trigger needs a sweep that starts after it was stored,
 * for only such a sweep lists the submission that fired it.
 */
export interface SweepRequestState {
  /** When the intake last asked for a sweep (epoch ms); undefined if it never did. */
  readonly requestedAt?: number | undefined;
  /** When a sweep last started (epoch ms), by request or on the schedule; undefined if none did. */
  readonly startedAt?: number | undefined;
}

/**
 * How long a requested sweep may take to start before a later trigger asks again: Lambda may
 * queue an asynchronous invocation while the backfill's one container is busy.
 */
export const defaultSweepRequestWindowMs = 60_000;

/**
 * Whether a trigger stored at `storedAt` must ask for a sweep of its own. It need not when a
 * sweep was asked for and has not started yet (that sweep starts after the trigger was stored),
 * unless that request is older than `windowMs` (its invocation may be lost or long queued).
 */
export function sweepRequestNeeded(
  state: SweepRequestState,
  storedAt: number,
  windowMs: number = defaultSweepRequestWindowMs,
): boolean {
  if (state.requestedAt === undefined) return true;
  const pending = state.startedAt === undefined || state.startedAt < state.requestedAt;
  if (!pending) return true;
  return storedAt - state.requestedAt >= windowMs;
}
