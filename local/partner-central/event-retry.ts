import type { PartnerCentralEvent } from './events.ts';

/**
 * A rule target's retry policy, as EventBridge applies it ("Event retry policy and using
 * dead-letter queues", Amazon EventBridge user guide): an event the target fails on is retried
 * with exponential back-off and jitter until `retryAttempts` retries were made or the event is
 * `maxEventAgeMs` old, then sent to the dead-letter queue. EventBridge's defaults are 185 retries
 * over 24 hours; the deployed co-sell rule sets its own (`coSellEventsRetryPolicy`).
 */
export interface EventRetryPolicy {
  readonly retryAttempts: number;
  readonly maxEventAgeMs: number;
}

/** EventBridge's default retry policy for a rule target: 24 hours, 185 retries. */
export const eventBridgeDefaultRetryPolicy: EventRetryPolicy = {
  retryAttempts: 185,
  maxEventAgeMs: 24 * 60 * 60 * 1000,
};

/** An event EventBridge gave up on, as its dead-letter queue keeps it. */
export interface DeadLetter {
  readonly event: PartnerCentralEvent;
  /** Attempts made: the first delivery and every retry. */
  readonly attempts: number;
  readonly error: string;
}

interface RetryLogger {
  error(message: string, ...extra: unknown[]): void;
}

export interface RetryingTargetOptions {
  readonly policy: EventRetryPolicy;
  readonly logger: RetryLogger;
  /** Waits between attempts. @default a timer that does not keep the process alive */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Wall time, for the event's age. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** In [0, 1): the jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
}

export interface RetryingTarget {
  /** Delivers the event: the first attempt now, retries in the background as EventBridge makes them. */
  deliver(event: PartnerCentralEvent): Promise<void>;
  /** Events given up on, oldest first (the dead-letter queue). */
  readonly deadLetters: readonly DeadLetter[];
  /** Resolves when every retry started so far has delivered the event or dead-lettered it. */
  settled(): Promise<void>;
}

/** The first back-off, doubled on each retry up to {@link maxBackoffMs}. */
const firstBackoffMs = 1_000;
const maxBackoffMs = 5 * 60 * 1000;

/**
 * `target` behind EventBridge's delivery: a failure is logged as an error and retried under
 * `policy` (full jitter over an exponential back-off), then dead-lettered and logged again,
 * never dropped silently. A delivery that fails does not hold up the next event.
 */
export function retryingTarget(
  target: (event: PartnerCentralEvent) => Promise<void>,
  options: RetryingTargetOptions,
): RetryingTarget {
  const sleep =
    options.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, ms).unref();
      }));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadLetters: DeadLetter[] = [];
  const pending = new Set<Promise<void>>();
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const describe = (event: PartnerCentralEvent) => ({
    eventId: event.id,
    detailType: event['detail-type'],
  });

  async function retry(event: PartnerCentralEvent, firstError: unknown, startedAt: number): Promise<void> {
    let error = firstError;
    let attempts = 1;
    for (let retryNumber = 1; retryNumber <= options.policy.retryAttempts; retryNumber += 1) {
      const backoff = Math.min(maxBackoffMs, firstBackoffMs * 2 ** (retryNumber - 1));
      const wait = Math.floor(random() * backoff);
      if (now() + wait - startedAt > options.policy.maxEventAgeMs) break;
      await sleep(wait);
      attempts += 1;
      try {
        await target(event);
        return;
      } catch (failure) {
        error = failure;
        options.logger.error('co-sell event handler failed again; EventBridge retries it', {
          ...describe(event),
          attempt: attempts,
          error: message(failure),
        });
      }
    }
    deadLetters.push({ event, attempts, error: message(error) });
    options.logger.error('co-sell event sent to the dead-letter queue after its retries', {
      ...describe(event),
      attempts,
      error: message(error),
    });
  }

  return {
    async deliver(event) {
      const startedAt = now();
      try {
        await target(event);
      } catch (error) {
        options.logger.error('co-sell event handler failed; EventBridge retries it', {
          ...describe(event),
          attempt: 1,
          error: message(error),
        });
        const retried = retry(event, error, startedAt);
        pending.add(retried);
        void retried.finally(() => pending.delete(retried));
      }
    },
    deadLetters,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
