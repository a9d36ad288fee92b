import { DateTime, Duration } from 'luxon';

/** A move of the virtual clock that cannot be made: a malformed duration or time, or a move back. */
export class ClockMoveError extends Error {
  override readonly name = 'ClockMoveError';
}

/** A timer on the virtual clock; `cancel()` is harmless after it fired. */
export interface ClockTimer {
  readonly dueAt: Date;
  cancel(): void;
}

interface ScheduledTimer {
  readonly dueMs: number;
  readonly sequence: number;
  readonly fire: () => unknown;
  cancelled: boolean;
}

/**
 * Parses how far to move the clock: milliseconds (a non-negative integer) or an ISO-8601
 * duration such as `PT49H` or `P2DT3H`. Calendar units (`P1M`) are applied to `from` in UTC.
 */
export function durationTarget(from: Date, duration: string | number): Date {
  if (typeof duration === 'number') {
    if (!Number.isInteger(duration) || duration < 0) {
      throw new ClockMoveError(
        `advance must be a non-negative whole number of milliseconds, got ${duration}`,
      );
    }
    const mostMs = latestTimeMs - from.getTime();
    if (duration > mostMs) {
      throw new ClockMoveError(
        `advance is too large: at most ${mostMs} milliseconds from ${from.toISOString()} (a clock shows no time after ${new Date(latestTimeMs).toISOString()}), got ${BigInt(duration)}`,
      );
    }
    return new Date(from.getTime() + duration);
  }
  const parsed = Duration.fromISO(duration);
  if (!parsed.isValid) {
    throw new ClockMoveError(`advance must be an ISO-8601 duration such as PT49H or P2D, got "${duration}"`);
  }
  const target = DateTime.fromJSDate(from, { zone: 'utc' }).plus(parsed).toJSDate();
  if (Number.isNaN(target.getTime()) || target.getTime() > latestTimeMs) {
    throw new ClockMoveError(
      `advance is too large: "${duration}" from ${from.toISOString()} passes the latest time a clock shows, ${new Date(latestTimeMs).toISOString()}`,
    );
  }
  if (target.getTime() < from.getTime()) {
    throw new ClockMoveError(`advance must not be negative, got "${duration}"`);
  }
  return target;
}

/** The latest time a JavaScript Date holds (ECMAScript "Time Values and Time Range"): 8.64e15 ms after 1970. */
const latestTimeMs = 8.64e15;

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO-8601 instant that carries its offset (`Z` or `±hh:mm`); anything else is refused. */
export function parseInstant(value: string): Date {
  const parsed = isoInstant.test(value) ? DateTime.fromISO(value, { setZone: true }) : undefined;
  if (parsed === undefined || !parsed.isValid) {
    throw new ClockMoveError(
      `a time must be an ISO-8601 instant with its offset, such as 2026-11-24T09:00:00Z, got "${value}"`,
    );
  }
  return parsed.toJSDate();
}

/**
 * The local stack's clock. Time stands still until it is moved with `advance` or `setTo`;
 * moving it fires the timers that fell due in order of their due time (then of registration),
 * with the clock showing each timer's due time while it fires. After each timer the clock
 * waits for its settle hooks (the workflow runner: until every execution is blocked again),
 * so what a fired timer schedules within the same move fires in the same move.
 */
export class VirtualClock {
  #nowMs: number;
  /** Real time (performance.now) of the last move, and the latest `ticking()` reading. */
  #movedAtRealMs = performance.now();
  #lastTickMs = Number.NEGATIVE_INFINITY;
  #sequence = 0;
  readonly #timers: ScheduledTimer[] = [];
  readonly #settleHooks = new Set<() => Promise<void>>();
  readonly #moveListeners = new Set<(now: Date) => void>();
  readonly #readListeners = new Set<() => void>();
  #moving: Promise<unknown> = Promise.resolve();

  constructor(start: Date | string) {
    const startDate = typeof start === 'string' ? parseInstant(start) : start;
    if (Number.isNaN(startDate.getTime())) throw new ClockMoveError('the clock needs a valid start time');
    this.#nowMs = startDate.getTime();
  }

  /** The current virtual time. */
  now(): Date {
    return new Date(this.#nowMs);
  }

  /**
   * The virtual time of the last move plus the real time that passed since, never earlier than a
   * reading before it. Timers fire only when the clock is moved; this reading is for the times
   * that must differ between two events of one moment, as a real clock's do: when Dealreg
   * received a submission, when HubSpot created a record or sent an event. A clock never moved
   * reads as the real time that passed since its start.
   */
  ticking(): Date {
    const reading = Math.max(this.#lastTickMs, this.#nowMs + (performance.now() - this.#movedAtRealMs));
    this.#lastTickMs = reading;
    for (const listener of this.#readListeners) listener();
    return new Date(Math.floor(reading));
  }

  /**
   * The latest time this clock has shown: its time, or a later `ticking()` reading. Something
   * may have been dated with it, so a clock resumed after a restart starts here, never earlier.
   */
  latestReading(): Date {
    return new Date(Math.floor(Math.max(this.#nowMs, this.#lastTickMs)));
  }

  /**
   * Calls `fire` once the clock reaches `at` (at once on the next move if `at` is not later than
   * now). When `fire` returns a promise, the move waits for it before its settle hooks, so work a
   * timer starts asynchronously (an execution it starts) is there for them to wait on.
   */
  schedule(at: Date, fire: () => unknown): ClockTimer {
    const timer: ScheduledTimer = { dueMs: at.getTime(), sequence: this.#sequence++, fire, cancelled: false };
    this.#timers.push(timer);
    return {
      dueAt: new Date(timer.dueMs),
      cancel: () => {
        timer.cancelled = true;
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
      },
    };
  }

  /** How many timers wait for the clock. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** Registers work to wait for after each fired timer; returns its removal. */
  addSettleHook(hook: () => Promise<void>): () => void {
    this.#settleHooks.add(hook);
    return () => this.#settleHooks.delete(hook);
  }

  /** Calls `listener` with the new time after each move (to save it); returns its removal. */
  onMoved(listener: (now: Date) => void): () => void {
    this.#moveListeners.add(listener);
    return () => this.#moveListeners.delete(listener);
  }

  /** Calls `listener` after each `ticking()` reading (to save `latestReading()`); returns its removal. */
  onTicked(listener: () => void): () => void {
    this.#readListeners.add(listener);
    return () => this.#readListeners.delete(listener);
  }

  /** Moves the clock forward by milliseconds or an ISO-8601 duration and fires what fell due. */
  advance(duration: string | number): Promise<Date> {
    return this.#serialised(() => this.#runUntil(durationTarget(this.now(), duration)));
  }

  /** Moves the clock forward to an instant (never back) and fires what fell due. */
  setTo(instant: string | Date): Promise<Date> {
    return this.#serialised(() => {
      const target = typeof instant === 'string' ? parseInstant(instant) : instant;
      if (target.getTime() < this.#nowMs) {
        throw new ClockMoveError(
          `the clock only moves forward: it is ${this.now().toISOString()}, asked for ${target.toISOString()}`,
        );
      }
      return this.#runUntil(target);
    });
  }

  /** Fires timers already due (for instance scheduled at the current time) without moving. */
  fireDue(): Promise<Date> {
    return this.#serialised(() => this.#runUntil(this.now()));
  }

  #serialised(move: () => Promise<Date>): Promise<Date> {
    const result = this.#moving.then(move);
    this.#moving = result.catch(() => undefined);
    return result;
  }

  async #runUntil(target: Date): Promise<Date> {
    const targetMs = target.getTime();
    await this.#settle();
    for (;;) {
      const next = this.#nextDue(targetMs);
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      await next.fire();
      await this.#settle();
    }
    this.#nowMs = Math.max(this.#nowMs, targetMs);
    this.#movedAtRealMs = performance.now();
    for (const listener of this.#moveListeners) listener(this.now());
    return this.now();
  }

  #nextDue(targetMs: number): ScheduledTimer | undefined {
    let next: ScheduledTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.cancelled || timer.dueMs > targetMs) continue;
      if (
        next === undefined ||
        timer.dueMs < next.dueMs ||
        (timer.dueMs === next.dueMs && timer.sequence < next.sequence)
      ) {
        next = timer;
      }
    }
    return next;
  }

  async #settle(): Promise<void> {
    for (const hook of this.#settleHooks) await hook();
  }
}
