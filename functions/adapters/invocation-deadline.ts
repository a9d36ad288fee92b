import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The instant (epoch ms) by which the current Lambda invocation must answer, for adapters that
 * would otherwise wait past it (the HubSpot gateway queueing for its share of the portal's
 * budget). Kept per async context, so the local stack, which runs many invocations in one
 * process, gives each its own.
 */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with `deadline` (epoch ms) as the invocation's deadline. */
export function withInvocationDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadline, work);
}

/** The current invocation's deadline, or undefined outside an invocation (CLI, tests). */
export function invocationDeadline(): number | undefined {
  return deadlines.getStore();
}
