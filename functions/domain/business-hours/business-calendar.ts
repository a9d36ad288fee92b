/** Days of the week as written in the policy. */
export const weekdays = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * When the business works: SLA clocks only run inside these hours. Times are wall-clock times
 * in `timeZone`, so a 09:00–17:00 day stays 09:00–17:00 across daylight-saving changes.
 */
export interface BusinessCalendar {
  /** IANA time zone, e.g. `America/New_York`. */
  readonly timeZone: string;
  readonly workingDays: readonly Weekday[];
  /** `HH:MM` (24-hour); `end` may be `24:00` for a day that runs to midnight. */
  readonly workingHours: { readonly start: string; readonly end: string };
  /** Calendar dates (`YYYY-MM-DD`, in `timeZone`) on which the clock does not run. */
  readonly holidays: readonly string[];
}

/** Minutes after midnight of an `HH:MM` time; `24:00` is 1440. */
export function minutesOfDay(time: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (match === null) throw new RangeError(`"${time}" is not a time written HH:MM`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59 || minutes > 24 * 60) throw new RangeError(`"${time}" is not a time of day`);
  return minutes;
}
