import { describe, expect, it } from 'vitest';
import { coSellEventsRetryPolicy } from '#lib/constructs/co-sell-events-retry.ts';
import { eventBridgeDefaultRetryPolicy, retryingTarget } from '#local/partner-central/event-retry.ts';
import { opportunityEvent, type PartnerCentralEvent } from '#local/partner-central/events.ts';

const event = opportunityEvent('Opportunity Updated', 'Sandbox', 'O1000001', '123456789012', new Date());

/** A handler that fails its first `failures` calls, and the errors logged. */
function flaky(failures: number) {
  const calls: PartnerCentralEvent[] = [];
  const errors: { message: string; extra: Record<string, unknown> }[] = [];
  const sleeps: number[] = [];
  let clock = 0;
  const target = retryingTarget(
    async (received) => {
      calls.push(received);
      if (calls.length <= failures) throw new Error(`ResourceNotFoundException (call ${calls.length})`);
    },
    {
      policy: coSellEventsRetryPolicy,
      logger: {
        error: (message, extra) => void errors.push({ message, extra: extra as Record<string, unknown> }),
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => clock,
      random: () => 0.5,
    },
  );
  return { target, calls, errors, sleeps };
}

describe('a co-sell event the handler fails on, delivered as the deployed rule delivers it', () => {
  it('is logged as an error and retried with a growing back-off until the handler takes it', async () => {
    const { target, calls, errors, sleeps } = flaky(2);

    await target.deliver(event);
    await target.settled();

    expect(calls).toHaveLength(3);
    expect(errors.map((error) => error.message)).toEqual([
      'co-sell event handler failed; EventBridge retries it',
      'co-sell event handler failed again; EventBridge retries it',
    ]);
    expect(errors[0]?.extra).toMatchObject({
      eventId: event.id,
      attempt: 1,
      error: 'ResourceNotFoundException (call 1)',
    });
    expect(sleeps).toEqual([500, 1000]);
    expect(target.deadLetters).toEqual([]);
  });

  it("goes to the dead-letter queue after the rule's 8 retries, logged, never dropped silently", async () => {
    const { target, calls, errors } = flaky(Number.POSITIVE_INFINITY);

    await target.deliver(event);
    await target.settled();

    expect(calls).toHaveLength(1 + coSellEventsRetryPolicy.retryAttempts);
    expect(target.deadLetters).toEqual([{ event, attempts: 9, error: 'ResourceNotFoundException (call 9)' }]);
    expect(errors.at(-1)).toMatchObject({
      message: 'co-sell event sent to the dead-letter queue after its retries',
      extra: { eventId: event.id, attempts: 9 },
    });
  });

  it('stops retrying an event older than the maximum event age', async () => {
    const calls: number[] = [];
    let clock = 0;
    const target = retryingTarget(
      async () => {
        calls.push(clock);
        throw new Error('down');
      },
      {
        policy: { ...eventBridgeDefaultRetryPolicy, maxEventAgeMs: 60 * 60 * 1000 },
        logger: { error: () => undefined },
        sleep: async (ms) => {
          clock += ms;
        },
        now: () => clock,
        random: () => 0.999,
      },
    );

    await target.deliver(event);
    await target.settled();

    // An hour at back-offs capped at 5 minutes: far fewer than 185 retries fit.
    expect(calls.length).toBeLessThan(1 + eventBridgeDefaultRetryPolicy.retryAttempts);
    expect(calls.at(-1)).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(target.deadLetters).toHaveLength(1);
  });

  it('does not hold up the next event while one is retried', async () => {
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const target = retryingTarget(
      async (received) => {
        handled.push(received.id);
        if (handled.length === 1) throw new Error('first fails');
      },
      { policy: coSellEventsRetryPolicy, logger: { error: () => undefined }, sleep: () => blocked },
    );
    const next = opportunityEvent('Opportunity Updated', 'Sandbox', 'O1000002', '123456789012', new Date());

    await target.deliver(event);
    await target.deliver(next);
    expect(handled).toEqual([event.id, next.id]);
    release();
    await target.settled();
    expect(handled).toEqual([event.id, next.id, event.id]);
  });
});
