import { describe, expect, it } from 'vitest';
import { RollingWindowLimiter, SlotWaitExpiredError } from '#adapters/hubspot/rolling-window-limiter.ts';

/** The most requests that started in any window of `windowMs` (server-side view: start times). */
function busiestWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right += 1) {
    while ((sorted[right] ?? 0) - (sorted[left] ?? 0) >= windowMs) left += 1;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rolling-window limiter', () => {
  it('never lets more than the limit start within any rolling window, whatever the latency', async () => {
    const limiter = new RollingWindowLimiter({ limit: 5, windowMs: 200, maxConcurrent: 3 });
    const starts: number[] = [];

    await Promise.all(
      Array.from({ length: 17 }, (_, index) =>
        limiter.run(async () => {
          starts.push(performance.now());
          await sleep(index % 3 === 0 ? 40 : 2);
        }),
      ),
    );

    expect(starts).toHaveLength(17);
    expect(busiestWindow(starts, 200)).toBeLessThanOrEqual(5);
  });

  it('uses the whole burst at once instead of spacing requests out', async () => {
    const limiter = new RollingWindowLimiter({ limit: 10, windowMs: 60_000 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;

    const all = Promise.all(
      Array.from({ length: 10 }, () =>
        limiter.run(async () => {
          started += 1;
          await gate;
        }),
      ),
    );
    await sleep(0);

    // All ten are admitted together while none has finished: no spacing between them.
    expect(started).toBe(10);
    release();
    await all;
  });

  it('waits for the window to roll before the request after the burst', async () => {
    const limiter = new RollingWindowLimiter({ limit: 4, windowMs: 150 });
    const began = performance.now();

    await Promise.all(Array.from({ length: 5 }, () => limiter.run(async () => undefined)));

    expect(performance.now() - began).toBeGreaterThanOrEqual(145);
  });

  it('holds the concurrency cap', async () => {
    const limiter = new RollingWindowLimiter({ limit: 100, windowMs: 1_000, maxConcurrent: 2 });
    let running = 0;
    let most = 0;

    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(5);
          running -= 1;
        }),
      ),
    );

    expect(most).toBe(2);
  });

  it('frees the slot of a request that failed', async () => {
    const limiter = new RollingWindowLimiter({ limit: 1, windowMs: 50 });

    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const value = await limiter.run(async () => 'second');

    expect(value).toBe('second');
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new RollingWindowLimiter({ limit: 0, windowMs: 10 })).toThrow(
      /limit must be a positive integer/,
    );
  });

  it('drops a request not admitted by its waitUntil and lets the queue behind it go on', async () => {
    const limiter = new RollingWindowLimiter({ limit: 1, windowMs: 300 });
    await limiter.run(async () => undefined);

    // The only slot is held until 300 ms after the first request: a caller that can wait 20 ms
    // gives way with a named error, one without a bound still runs once the window rolls.
    const impatient = limiter.run(async () => 'impatient', { waitUntil: Date.now() + 20 });
    const patient = limiter.run(async () => 'patient');

    await expect(impatient).rejects.toBeInstanceOf(SlotWaitExpiredError);
    expect(limiter.queued).toBe(1);
    await expect(patient).resolves.toBe('patient');
    expect(limiter.queued).toBe(0);
  });

  it('admits at once a request whose slot is free, whatever its waitUntil', async () => {
    const limiter = new RollingWindowLimiter({ limit: 2, windowMs: 1_000 });

    await expect(limiter.run(async () => 'now', { waitUntil: Date.now() - 1 })).resolves.toBe('now');
  });
});
