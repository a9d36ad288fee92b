import { DateTime } from 'luxon';

/** A fiscal quarter such as `2026-Q4`, for a fiscal year starting in `fiscalYearStartMonth`. */
export interface FiscalQuarter {
  readonly label: string;
  /** Calendar months (`YYYY-MM`) it covers, in its time zone. */
  readonly months: readonly string[];
  /**
   * [start, end) as ISO instants (UTC, milliseconds): midnight of the first day of its first month
   * and of the month after its last, in `timeZone`.
   */
  readonly start: string;
  readonly end: string;
  /** The IANA time zone its months are counted in (the policy calendar's). */
  readonly timeZone: string;
}

/** Midnight of the first day of `YYYY-MM` in the zone, as an ISO instant (UTC, milliseconds). */
function monthStart(month: string, timeZone: string): string {
  const [year, monthOfYear] = month.split('-').map(Number);
  const local = DateTime.fromObject({ year, month: monthOfYear, day: 1 }, { zone: timeZone });
  return local.toUTC().toISO({ suppressMilliseconds: false }) ?? '';
}

/** Whether the IANA time zone is one the runtime knows. */
function checkTimeZone(timeZone: string): void {
  if (!DateTime.now().setZone(timeZone).isValid) {
    throw new RangeError(`"${timeZone}" is not an IANA time zone such as America/New_York`);
  }
}

/**
 * Parses `YYYY-Qn`. Fiscal year Y is the one that ends in calendar year Y when it does not start
 * in January (the common convention: FY2027 starting February 2026 ends January 2027). The
 * quarter's months begin and end at midnight in `timeZone`, the zone of the policy calendar: a deal
 * won at 21:00 in New York on 31 December is in Q4 there, as a CRO in New York counts it.
 */
export function parseFiscalQuarter(label: string, fiscalYearStartMonth = 1, timeZone = 'UTC'): FiscalQuarter {
  const match = /^(\d{4})-Q([1-4])$/.exec(label);
  if (match === null) throw new RangeError(`"${label}" is not a quarter such as 2026-Q4`);
  if (!Number.isInteger(fiscalYearStartMonth) || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
    throw new RangeError(`fiscal year start month ${fiscalYearStartMonth} is not 1–12`);
  }
  checkTimeZone(timeZone);
  const fiscalYear = Number(match[1]);
  const quarter = Number(match[2]);
  const startYear = fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1;
  const firstMonthIndex = startYear * 12 + (fiscalYearStartMonth - 1) + (quarter - 1) * 3;
  const monthAt = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  const months = [0, 1, 2].map((offset) => monthAt(firstMonthIndex + offset));
  return {
    label,
    months,
    start: monthStart(monthAt(firstMonthIndex), timeZone),
    end: monthStart(monthAt(firstMonthIndex + 3), timeZone),
    timeZone,
  };
}
