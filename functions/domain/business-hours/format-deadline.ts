import { DateTime } from 'luxon';

/**
 * A deadline as an approver reads it, in their own time zone, with the zone named so nobody
 * has to guess: `Wednesday 25 November 2026, 17:00 EST (America/New_York)`.
 */
export function formatDeadline(deadline: Date, timeZone: string, locale = 'en-US'): string {
  const local = DateTime.fromJSDate(deadline, { zone: timeZone }).setLocale(locale);
  if (!local.isValid) {
    throw new RangeError(`cannot show ${deadline.toISOString()} in time zone "${timeZone}"`);
  }
  return `${local.toFormat('cccc d LLLL yyyy, HH:mm ZZZZ')} (${timeZone})`;
}
