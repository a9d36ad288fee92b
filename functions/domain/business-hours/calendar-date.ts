import { DateTime } from 'luxon';

/**
 * The calendar date (`YYYY-MM-DD`) of an ISO instant in a time zone, as the policy calendar counts
 * days: 02:30 UTC on 3 November is 2 November in New York. An instant luxon cannot read keeps its
 * own first ten characters.
 */
export function calendarDateOf(at: string, timeZone: string): string {
  return DateTime.fromISO(at, { zone: timeZone }).toISODate() ?? at.slice(0, 10);
}
