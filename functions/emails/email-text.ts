import { DateTime } from 'luxon';
import { formatMoney } from '#domain/money.ts';

/** How the emails write dates, US dollar amounts and one-line text. */

/** US cents as `USD 1,234.00`. */
export function usd(minorUnits: number): string {
  return formatMoney({ minorUnits, currency: 'USD' });
}

/**
 * `15 Jan 2027` from a date (`2027-01-15`) or a stored timestamp, in UTC; shown as given when it
 * is not ISO-8601.
 */
export function formatCalendarDate(iso: string): string {
  const parsed = DateTime.fromISO(iso, { zone: 'utc' });
  return parsed.isValid ? parsed.toFormat('d LLL yyyy') : iso;
}

/** An instant as a short date in a zone, for subjects: `24 Feb 2027`. */
export function shortDate(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).toFormat('d LLL yyyy');
}

/** An instant as a short date and time in a zone, for subjects: `Wed 25 Nov, 17:00 EST`. */
export function shortDeadline(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).setLocale('en-US').toFormat('ccc d LLL, HH:mm ZZZZ');
}

export function truncate(value: string, max: number): string {
  const characters = [...value];
  return characters.length <= max ? value : `${characters.slice(0, max).join('')}… (cut)`;
}

/** Collapses line breaks and runs of whitespace: for subjects and one-line mentions. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** A subject line: one line, at most 180 characters. */
export function subjectLine(value: string): string {
  const line = oneLine(value);
  const characters = [...line];
  return characters.length <= 180 ? line : `${characters.slice(0, 179).join('')}…`;
}
