/** A fiscal quarter such as `2026-Q4`, for a fiscal year starting in `fiscalYearStartMonth`. */
export interface FiscalQuarter {
  readonly label: string;
  /** Calendar months (`YYYY-MM`) it covers. */
  readonly months: readonly string[];
  /** [start, end) as ISO instants, UTC. */
  readonly start: string;
  readonly end: string;
}

/**
 * Parses `YYYY-Qn`. Fiscal year Y is the one that ends in calendar year Y when it does not start
 * in January (the common convention: FY2027 starting February 2026 ends January 2027).
 */
export function parseFiscalQuarter(label: string, fiscalYearStartMonth = 1): FiscalQuarter {
  const match = /^(\d{4})-Q([1-4])$/.exec(label);
  if (match === null) throw new RangeError(`"${label}" is not a quarter such as 2026-Q4`);
  if (!Number.isInteger(fiscalYearStartMonth) || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
    throw new RangeError(`fiscal year start month ${fiscalYearStartMonth} is not 1–12`);
  }
  const fiscalYear = Number(match[1]);
  const quarter = Number(match[2]);
  const startYear = fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1;
  const firstMonthIndex = startYear * 12 + (fiscalYearStartMonth - 1) + (quarter - 1) * 3;
  const monthAt = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  const months = [0, 1, 2].map((offset) => monthAt(firstMonthIndex + offset));
  return {
    label,
    months,
    start: `${monthAt(firstMonthIndex)}-01T00:00:00.000Z`,
    end: `${monthAt(firstMonthIndex + 3)}-01T00:00:00.000Z`,
  };
}
