import { DateTime } from 'luxon';
import { type BusinessCalendar, minutesOfDay, weekdays } from '#domain/business-hours/business-calendar.ts';
import { calendarDateOf } from '#domain/business-hours/calendar-date.ts';
import { type FiscalQuarter, parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';

/**
 * Quarter arithmetic on the fiscal calendar of the policy (`reporting.fiscalYearStartMonth`).
 * Quarters are the ledger's: `[start, end)` from midnight to midnight in the policy calendar's
 * time zone (`calendar.timeZone`, as the CRO's dashboards count them), labelled by the fiscal year
 * they end in.
 */

export type { FiscalQuarter };

function labelParts(label: string): { year: number; quarter: number } {
  const match = /^(\d{4})-Q([1-4])$/.exec(label);
  if (match === null) throw new RangeError(`"${label}" is not a quarter such as 2026-Q4`);
  return { year: Number(match[1]), quarter: Number(match[2]) };
}

/** The quarter `offset` quarters after (negative: before) `label`. */
export function shiftQuarter(
  label: string,
  offset: number,
  fiscalYearStartMonth = 1,
  timeZone = 'UTC',
): FiscalQuarter {
  const { year, quarter } = labelParts(label);
  const index = year * 4 + (quarter - 1) + offset;
  return parseFiscalQuarter(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`, fiscalYearStartMonth, timeZone);
}

/** The fiscal quarter that contains the instant `at`, its month read in `timeZone`. */
export function quarterContaining(at: Date, fiscalYearStartMonth = 1, timeZone = 'UTC'): FiscalQuarter {
  if (Number.isNaN(at.getTime())) throw new RangeError('the moment is not a valid date');
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`"${timeZone}" is not an IANA time zone such as America/New_York`);
  const monthIndex = local.year * 12 + (local.month - 1);
  const sinceStart = monthIndex - (fiscalYearStartMonth - 1);
  const startYear = Math.floor(sinceStart / 12);
  const quarter = Math.floor((sinceStart - startYear * 12) / 3) + 1;
  const fiscalYear = fiscalYearStartMonth === 1 ? startYear : startYear + 1;
  return parseFiscalQuarter(`${fiscalYear}-Q${quarter}`, fiscalYearStartMonth, timeZone);
}

/** Whether the quarter is over at `asOf` (its figures can be frozen). */
export function isQuarterClosed(quarter: FiscalQuarter, asOf: Date): boolean {
  return asOf.getTime() >= Date.parse(quarter.end);
}

/** The last instant of the quarter (its end is exclusive), ISO with milliseconds. */
export function lastInstantOf(quarter: FiscalQuarter): string {
  return new Date(Date.parse(quarter.end) - 1).toISOString();
}

/** The days a quarter covers, as its reader reads them, and the instants that bound it. */
export interface QuarterPeriod {
  /** Its first and last calendar days (`YYYY-MM-DD`) in its time zone. */
  readonly firstDay: string;
  readonly lastDay: string;
  /** [start, end) as ISO instants (UTC). */
  readonly start: string;
  readonly end: string;
}

/** The days `quarter` covers: a label such as 2027-Q1 says nothing of them when the fiscal year does not start in January. */
export function quarterPeriod(quarter: FiscalQuarter): QuarterPeriod {
  return {
    firstDay: calendarDateOf(quarter.start, quarter.timeZone),
    lastDay: calendarDateOf(lastInstantOf(quarter), quarter.timeZone),
    start: quarter.start,
    end: quarter.end,
  };
}

/**
 * When the pre-QBR check for `quarter` runs: the opening of working hours (in the calendar's
 * time zone) of the working day that leaves `businessDaysBefore` working days in the quarter,
 * that day included. With 10 days and a quarter ending on Thursday 31 December, that is the
 * tenth working day counted back from the 31st (holidays and weekends skipped). When the clocks
 * spring forward over the opening that day, the schedule does not fire: the check runs at the next
 * day's opening, as it then does.
 *
 * @throws RangeError when the quarter has fewer working days than asked for.
 */
export function qbrCheckMoment(
  quarter: FiscalQuarter,
  businessDaysBefore: number,
  calendar: BusinessCalendar,
): Date {
  if (!Number.isInteger(businessDaysBefore) || businessDaysBefore < 1) {
    throw new RangeError(
      `business days before the quarter end must be a whole number ≥ 1, got ${businessDaysBefore}`,
    );
  }
  const zone = calendar.timeZone;
  const working = new Set(calendar.workingDays);
  const holidays = new Set(calendar.holidays);
  // The quarter's days are dates of its months, whatever zone its instants were computed in.
  const first = `${quarter.months[0]}-01`;
  const last = quarter.months[quarter.months.length - 1] ?? '';
  let day = DateTime.fromISO(`${last}-01`, { zone }).plus({ months: 1 }).minus({ days: 1 });
  let counted = 0;
  while ((day.toISODate() ?? '') >= first) {
    const weekday = weekdays[day.weekday - 1];
    if (weekday !== undefined && working.has(weekday) && !holidays.has(day.toISODate() ?? '')) {
      counted += 1;
      if (counted === businessDaysBefore) return scheduledOpening(day, calendar);
    }
    day = day.minus({ days: 1 });
  }
  throw new RangeError(
    `quarter ${quarter.label} has only ${counted} working days, fewer than the ${businessDaysBefore} asked for`,
  );
}

/**
 * When the daily schedule fires on `day` or, when it does not that day, on the next day it does:
 * at the opening of working hours. EventBridge Scheduler skips a day whose time the clocks spring
 * forward over ("Schedule types in EventBridge Scheduler", Daylight saving time), as Chile's
 * midnight on the first Sunday of September: the check then runs at the next day's opening.
 */
function scheduledOpening(day: DateTime, calendar: BusinessCalendar): Date {
  const minutes = minutesOfDay(calendar.workingHours.start);
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  for (let next = day, days = 0; days < 7; next = next.plus({ days: 1 }).startOf('day'), days += 1) {
    const opening = next.set({ hour, minute, second: 0, millisecond: 0 });
    if (opening.hour === hour && opening.minute === minute) return opening.toJSDate();
  }
  throw new RangeError(`${calendar.workingHours.start} does not exist in ${calendar.timeZone} for a week`);
}

/**
 * When the daily schedule of the pre-QBR check next fires after `after`: at the opening of working
 * hours in the calendar's zone, on every day that has that wall-clock time. EventBridge Scheduler
 * skips a day whose time the clocks spring forward over and fires once on a day they fall back
 * over ("Schedule types in EventBridge Scheduler", Daylight saving time).
 */
export function nextScheduledStart(after: Date, calendar: BusinessCalendar): Date {
  const day = DateTime.fromJSDate(after, { zone: calendar.timeZone }).startOf('day');
  const today = scheduledOpening(day, calendar);
  return today.getTime() > after.getTime()
    ? today
    : scheduledOpening(day.plus({ days: 1 }).startOf('day'), calendar);
}

/** The next quarter whose check moment is at or after `now`, and that moment. */
export function nextQbrCheck(
  now: Date,
  businessDaysBefore: number,
  calendar: BusinessCalendar,
  fiscalYearStartMonth = 1,
): { quarter: FiscalQuarter; runAt: Date } {
  let quarter = quarterContaining(now, fiscalYearStartMonth, calendar.timeZone);
  for (let step = 0; step < 2; step += 1) {
    const runAt = qbrCheckMoment(quarter, businessDaysBefore, calendar);
    if (runAt.getTime() >= now.getTime()) return { quarter, runAt };
    quarter = shiftQuarter(quarter.label, 1, fiscalYearStartMonth, calendar.timeZone);
  }
  return { quarter, runAt: qbrCheckMoment(quarter, businessDaysBefore, calendar) };
}

/** The working days that decide how many a quarter has. */
interface WorkingDaysSettings {
  readonly workingDays: readonly string[];
  readonly holidays: readonly string[];
}

/** Fiscal years searched for the shortest quarter: weekdays fall on the same dates every 28 years. */
const weekdayCycleYears = 28;
const firstSearchedYear = 2026;

/**
 * The fiscal quarter with the fewest working days under the calendar, and how many: the most
 * `reporting.qbrCheckBusinessDaysBeforeQuarterEnd` can be for every quarter to have its check day.
 * Searched over a whole cycle of weekdays and every fiscal year a holiday falls in; the earliest of
 * equally short quarters is named.
 */
export function fewestWorkingDaysInAQuarter(
  calendar: WorkingDaysSettings,
  fiscalYearStartMonth = 1,
): { quarter: string; workingDays: number } {
  // Whole days since 1970-01-01 (a Thursday): dates only, the quarter's days whatever its zone.
  const dayNumber = (year: number, monthIndex: number, day: number) =>
    Date.UTC(year, monthIndex, day) / 86_400_000;
  const working = new Set(calendar.workingDays);
  const workingWeekday = weekdays.map((weekday) => working.has(weekday));
  const holidays = new Set(
    calendar.holidays.map((date) =>
      dayNumber(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))),
    ),
  );
  const holidayYears = calendar.holidays.map((date) => Number(date.slice(0, 4)));
  const from = Math.min(firstSearchedYear, ...holidayYears);
  const to = Math.max(firstSearchedYear + weekdayCycleYears - 1, ...holidayYears.map((year) => year + 1));
  let fewest = { quarter: `${from}-Q1`, workingDays: Number.POSITIVE_INFINITY };
  for (let year = from; year <= to; year += 1) {
    // Fiscal year Y starts in calendar year Y, or Y - 1 when it does not start in January.
    const startYear = fiscalYearStartMonth === 1 ? year : year - 1;
    for (let quarter = 1; quarter <= 4; quarter += 1) {
      const firstMonth = fiscalYearStartMonth - 1 + (quarter - 1) * 3;
      const first = dayNumber(startYear, firstMonth, 1);
      const end = dayNumber(startYear, firstMonth + 3, 1);
      let count = 0;
      for (let day = first; day < end; day += 1) {
        // Monday is index 0 of `weekdays`; day 0 was a Thursday (index 3).
        if (workingWeekday[(((day + 3) % 7) + 7) % 7] === true && !holidays.has(day)) count += 1;
      }
      if (count < fewest.workingDays) fewest = { quarter: `${year}-Q${quarter}`, workingDays: count };
    }
  }
  return fewest;
}
