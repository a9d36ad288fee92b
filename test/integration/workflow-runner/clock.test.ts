import { describe, expect, it } from 'vitest';
import { ClockMoveError, VirtualClock } from '#local/clock.ts';

const start = '2026-11-24T09:00:00.000Z';

describe('the virtual clock', () => {
  it('stands still until it is moved', async () => {
    const clock = new VirtualClock(start);

    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(clock.now().toISOString()).toBe(start);
  });

  it('advances by an ISO-8601 duration, by milliseconds and to an instant', async () => {
    const clock = new VirtualClock(start);

    const afterDuration = await clock.advance('PT49H');
    const afterMilliseconds = await clock.advance(1500);
    const afterSetTo = await clock.setTo('2026-12-01T10:00:00+01:00');

    expect(afterDuration.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(afterMilliseconds.toISOString()).toBe('2026-11-26T10:00:01.500Z');
    expect(afterSetTo.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('fires timers in due order, showing each due time while it fires, including timers set by timers', async () => {
    const clock = new VirtualClock(start);
    const fired: string[] = [];
    const record = (label: string) => () => fired.push(`${label}@${clock.now().toISOString()}`);
    clock.schedule(new Date('2026-11-24T12:00:00Z'), record('third'));
    clock.schedule(new Date('2026-11-24T10:00:00Z'), () => {
      record('first')();
      clock.schedule(new Date('2026-11-24T11:00:00Z'), record('second, set by first'));
    });
    clock.schedule(new Date('2026-11-25T12:00:00Z'), record('not yet'));

    const now = await clock.advance('PT4H');

    expect(fired).toEqual([
      'first@2026-11-24T10:00:00.000Z',
      'second, set by first@2026-11-24T11:00:00.000Z',
      'third@2026-11-24T12:00:00.000Z',
    ]);
    expect(now.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(clock.pendingTimers()).toBe(1);
  });

  it('waits for a timer that answers a promise before its settle hooks and before the move ends', async () => {
    const clock = new VirtualClock(start);
    const events: string[] = [];
    clock.addSettleHook(async () => {
      events.push('settled');
    });
    clock.schedule(new Date('2026-11-24T10:00:00Z'), async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push('started');
    });

    await clock.advance('PT2H');
    events.push('moved');

    // One settle before the first timer, one after it: the timer's work comes before the latter.
    expect(events).toEqual(['settled', 'started', 'settled', 'moved']);
  });

  it('does not fire a cancelled timer', async () => {
    const clock = new VirtualClock(start);
    let fired = false;
    const timer = clock.schedule(new Date('2026-11-24T10:00:00Z'), () => {
      fired = true;
    });

    timer.cancel();
    await clock.advance('PT2H');

    expect(fired).toBe(false);
  });

  it('keeps its latest reading, a ticking one after the move included, for a restart to resume from', async () => {
    const clock = new VirtualClock(start);
    const told: string[] = [];
    clock.onTicked(() => told.push('read'));
    await clock.advance('PT1H');
    expect(clock.latestReading().toISOString()).toBe('2026-11-24T10:00:00.000Z');

    await new Promise((resolve) => setTimeout(resolve, 5));
    const dated = clock.ticking();

    // Something dated with the ticking reading: a clock resumed from the latest reading is not earlier.
    expect(dated.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(clock.latestReading().getTime()).toBe(dated.getTime());
    expect(new VirtualClock(clock.latestReading()).now().getTime()).toBeGreaterThanOrEqual(dated.getTime());
    expect(told).toEqual(['read']);
  });

  it('refuses to move back, malformed durations and instants without an offset', async () => {
    const clock = new VirtualClock(start);

    await expect(clock.setTo('2026-11-23T09:00:00Z')).rejects.toThrow(/only moves forward/);
    await expect(clock.advance('49 hours')).rejects.toThrow(ClockMoveError);
    await expect(clock.advance('-PT1H')).rejects.toThrow(/must not be negative/);
    await expect(clock.advance(-5)).rejects.toThrow(/non-negative/);
    await expect(clock.setTo('2026-11-25T09:00:00')).rejects.toThrow(/with its offset/);
    expect(clock.now().toISOString()).toBe(start);
  });
});
