import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSweepRequestWindowMs, sweepRequestNeeded } from '#domain/sweep-request.ts';
import { LocalSweepRequests } from '#local/sweep-requests.ts';

const t = Date.parse('2026-12-06T10:00:00Z');

describe('when a trigger asks for a sweep', () => {
  it('asks when no sweep was ever asked for', () => {
    expect(sweepRequestNeeded({}, t)).toBe(true);
    expect(sweepRequestNeeded({ startedAt: t - 5_000 }, t)).toBe(true);
  });

  it('does not ask while a sweep asked for has not started, within the window', () => {
    expect(sweepRequestNeeded({ requestedAt: t - 1_000 }, t)).toBe(false);
    expect(sweepRequestNeeded({ requestedAt: t - 1_000, startedAt: t - 9_000 }, t)).toBe(false);
    expect(sweepRequestNeeded({ requestedAt: t - 59_999, startedAt: t - 90_000 }, t)).toBe(false);
  });

  it('asks once the sweep asked for has started: it may have listed before this trigger was stored', () => {
    expect(sweepRequestNeeded({ requestedAt: t - 1_000, startedAt: t - 500 }, t)).toBe(true);
    expect(sweepRequestNeeded({ requestedAt: t - 1_000, startedAt: t - 1_000 }, t)).toBe(true);
  });

  it('asks again when the sweep asked for is overdue (its invocation may be lost)', () => {
    expect(sweepRequestNeeded({ requestedAt: t - defaultSweepRequestWindowMs }, t)).toBe(true);
    expect(sweepRequestNeeded({ requestedAt: t - 5_000 }, t, 5_000)).toBe(true);
  });

  it('never lets a trigger rely on a sweep that started before it was stored', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        (requestedAt, startedAt, storedAt, windowMs) => {
          const needed = sweepRequestNeeded({ requestedAt, startedAt }, storedAt, windowMs);
          // Not asking is only right while the sweep asked for is still to start.
          if (!needed) expect(startedAt === undefined || startedAt < requestedAt).toBe(true);
        },
      ),
    );
  });
});

describe('the local stand-in for invoking the backfill', () => {
  const nextTick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('runs one sweep for requests made before it starts', async () => {
    let runs = 0;
    const requests = new LocalSweepRequests(
      async () => {
        runs += 1;
      },
      { delayMs: 10, onError: () => {} },
    );
    await Promise.all(Array.from({ length: 20 }, () => requests.request()));
    await requests.idle();
    await requests.close();
    expect(runs).toBe(1);
  });

  it('runs one more sweep after the running one for requests made while it runs', async () => {
    const starts: number[] = [];
    let release: () => void = () => {};
    const requests = new LocalSweepRequests(
      async () => {
        starts.push(performance.now());
        if (starts.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { delayMs: 0, onError: () => {} },
    );
    await requests.request();
    while (starts.length === 0) await nextTick();
    const askedWhileRunning = performance.now();
    await requests.request();
    await requests.request();
    release();
    await requests.idle();
    await requests.close();
    expect(starts).toHaveLength(2);
    expect(starts[1]).toBeGreaterThanOrEqual(askedWhileRunning);
  });
});
