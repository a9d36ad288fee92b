import { DateTime } from 'luxon';
import { type BusinessCalendar, minutesOfDay, type Weekday, weekdays } from './business-calendar.ts';

const msPerHour = 3_600_000;
/** A calendar with no working day in this many days in a row cannot meet any deadline. */
const maxDaysWithoutWork = 400;

interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * The calendar prepared for day-by-day walking. Business hours are real elapsed time inside the
 * working windows, so on the night clocks change an hour is still an hour.
 */
class CalendarWalker {
  readonly #zone: string;
  readonly #days: ReadonlySet<Weekday>;
  readonly #holidays: ReadonlySet<string>;
  readonly #startMinutes: number;
  readonly #endMinutes: number;

  constructor(calendar: BusinessCalendar) {
    if (!DateTime.now().setZone(calendar.timeZone).isValid) {
      throw new RangeError(`"${calendar.timeZone}" is not an IANA time zone`);
    }
    this.#zone = calendar.timeZone;
    this.#days = new Set(calendar.workingDays);
    this.#holidays = new Set(calendar.holidays);
    this.#startMinutes = minutesOfDay(calendar.workingHours.start);
    this.#endMinutes = minutesOfDay(calendar.workingHours.end);
    if (this.#startMinutes >= this.#endMinutes) {
      throw new RangeError(
        `working hours must end after they start (${calendar.workingHours.start}–${calendar.workingHours.end})`,
      );
    }
    if (this.#days.size === 0) throw new RangeError('a business calendar needs at least one working day');
  }

  /** Midnight (in the calendar's zone) of the day that contains `ms`. */
  dayOf(ms: number): DateTime {
    return DateTime.fromMillis(ms, { zone: this.#zone }).startOf('day');
  }

  nextDay(day: DateTime): DateTime {
    return day.plus({ days: 1 }).startOf('day');
  }

  /** The working window of `day` as epoch milliseconds, or undefined on a day off. */
  windowOf(day: DateTime): Window | undefined {
    const weekday = weekdays[day.weekday - 1];
    if (weekday === undefined || !this.#days.has(weekday)) return undefined;
    if (this.#holidays.has(day.toISODate() ?? '')) return undefined;
    return { start: this.#at(day, this.#startMinutes), end: this.#at(day, this.#endMinutes) };
  }

  #at(day: DateTime, minutes: number): number {
    if (minutes === 24 * 60) return this.nextDay(day).toMillis();
    // A wall-clock time inside a spring-forward gap resolves to the first instant after it.
    return DateTime.fromObject(
      {
        year: day.year,
        month: day.month,
        day: day.day,
        hour: Math.floor(minutes / 60),
        minute: minutes % 60,
      },
      { zone: this.#zone },
    ).toMillis();
  }
}

function instant(value: Date, name: string): number {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

/**
 * The moment `hours` business hours after `start`: the clock runs only inside the calendar's
 * working hours on working days that are not holidays. A start outside working hours counts
 * from the next opening. Adding 0 hours returns `start` unchanged; a deadline that uses up a
 * day exactly falls on that day's closing time.
 *
 * Additive: `addBusinessHours(addBusinessHours(s, a), b)` equals `addBusinessHours(s, a + b)`.
 */
export function addBusinessHours(start: Date, hours: number, calendar: BusinessCalendar): Date {
  if (!Number.isFinite(hours) || hours < 0) {
    throw new RangeError(`business hours to add must be zero or more, got ${hours}`);
  }
  const from = instant(start, 'the start');
  let remaining = Math.round(hours * msPerHour);
  if (remaining === 0) return new Date(from);
  const walker = new CalendarWalker(calendar);
  let cursor = from;
  let day = walker.dayOf(from);
  let daysOff = 0;
  for (;;) {
    const window = walker.windowOf(day);
    if (window === undefined) {
      daysOff += 1;
      if (daysOff > maxDaysWithoutWork) {
        throw new RangeError(`the business calendar has no working hours in ${maxDaysWithoutWork} days`);
      }
    } else {
      daysOff = 0;
      const begin = Math.max(cursor, window.start);
      if (begin < window.end) {
        const available = window.end - begin;
        if (remaining <= available) return new Date(begin + remaining);
        remaining -= available;
        cursor = window.end;
      }
    }
    day = walker.nextDay(day);
  }
}

/**
 * Business hours elapsed from `from` to `to` under the calendar (fractional; negative when `to`
 * is before `from`). `businessHoursBetween(s, addBusinessHours(s, h))` is `h`.
 */
export function businessHoursBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const a = instant(from, 'the start');
  const b = instant(to, 'the end');
  if (b < a) return -businessHoursBetween(to, from, calendar);
  const walker = new CalendarWalker(calendar);
  let total = 0;
  for (let day = walker.dayOf(a); day.toMillis() < b; day = walker.nextDay(day)) {
    const window = walker.windowOf(day);
    if (window === undefined) continue;
    total += Math.max(0, Math.min(b, window.end) - Math.max(a, window.start));
  }
  return total / msPerHour;
}

/** Whether the SLA clock is running at `at`: a working day, not a holiday, within working hours. */
export function isBusinessTime(at: Date, calendar: BusinessCalendar): boolean {
  const ms = instant(at, 'the moment');
  const walker = new CalendarWalker(calendar);
  const window = walker.windowOf(walker.dayOf(ms));
  return window !== undefined && ms >= window.start && ms < window.end;
}
