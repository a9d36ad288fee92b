import { IANAZone } from 'luxon';
import * as z from 'zod';
import { countryCode } from '#domain/country.ts';

/** How a value is shown inside a validation message: `-3`, `"Mars/Olympus"`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a group of settings';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** The English name of a country code, as CLDR gives it. */
function countryName(code: string): string {
  return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
}

/** A zod error function saying what a field must be and what it got instead. */
function mustBe(expectation: string) {
  return (issue: { readonly input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${expectation}, got ${describeValue(issue.input)}`;
}

/** Field schemas that explain themselves in plain words when the value is wrong. */
export const field = {
  businessHours: () => {
    const error = mustBe('a positive number of business hours');
    // Over a year of business time: a typo, such as an extra zero or two.
    const tooMany = mustBe('at most 10000 business hours');
    return z.number({ error }).positive({ error }).max(10_000, { error: tooMany });
  },
  wholeDays: (least = 1) => {
    const error = mustBe(
      least === 0 ? 'a whole number of days, zero or more' : 'a whole number of days, at least 1',
    );
    return z.number({ error }).int({ error }).min(least, { error }).max(3_650, { error });
  },
  wholeHours: (least: number, most: number, why = '') => {
    const error = mustBe(`a whole number of hours from ${least} to ${most}${why === '' ? '' : ` (${why})`}`);
    return z.number({ error }).int({ error }).min(least, { error }).max(most, { error });
  },
  wholeMonths: () => {
    const error = mustBe('a whole number of months, at least 1');
    return z.number({ error }).int({ error }).min(1, { error }).max(120, { error });
  },
  flag: () => z.boolean({ error: mustBe('true or false') }),
  count: () => {
    const error = mustBe('a whole number, zero or more');
    return z.number({ error }).int({ error }).min(0, { error }).max(100, { error });
  },
  wholeNumber: (least: number, most: number, of: string) => {
    const error = mustBe(`a whole number of ${of} from ${least} to ${most}`);
    return z.number({ error }).int({ error }).min(least, { error }).max(most, { error });
  },
  usd: () => {
    const error = mustBe('an amount in US dollars, zero or more');
    return z.number({ error }).min(0, { error }).max(1e12, { error });
  },
  percent: () => {
    const error = mustBe('a percentage between 0 and 100');
    return z.number({ error }).min(0, { error }).max(100, { error });
  },
  ratio: () => {
    const error = mustBe('a number between 0 and 1 (1 means identical names)');
    return z.number({ error }).min(0, { error }).max(1, { error });
  },
  month: () => {
    const error = mustBe('a month number from 1 (January) to 12 (December)');
    return z.number({ error }).int({ error }).min(1, { error }).max(12, { error });
  },
  text: (max = 2_000) => {
    const error = mustBe(`text of at most ${max} characters`);
    // In Unicode's composed form (NFC): "Zürich" typed as u + combining diaeresis is the same
    // text, the same rule name and the same policy version as "Zürich" typed as one letter.
    return z
      .string({ error })
      .trim()
      .normalize('NFC')
      .min(1, { error: 'must not be empty' })
      .max(max, { error });
  },
  email: () => z.email({ error: mustBe('an email address') }),
  timeZone: () => {
    const error = mustBe('an IANA time zone such as America/New_York or Europe/Berlin');
    return z
      .string({ error })
      .refine((zone) => IANAZone.isValidZone(zone), { error, abort: true })
      .superRefine((zone, context) => {
        // Intl also takes offsets and any case, but the pre-QBR check's schedule runs in this zone,
        // and EventBridge Scheduler takes a zone name there ("Schedule types in EventBridge
        // Scheduler", Time zones); an offset would also ignore daylight saving.
        if (/^[+-]/.test(zone)) {
          context.addIssue({
            code: 'custom',
            input: zone,
            message: `must be an IANA time zone name such as Europe/Berlin, not a fixed offset (an offset does not follow daylight saving time), got ${describeValue(zone)}`,
          });
          return;
        }
        const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
        if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
          context.addIssue({
            code: 'custom',
            input: zone,
            message: `must be written ${resolved}, got ${describeValue(zone)}`,
          });
        }
      });
  },
  time: () => {
    const error = mustBe('a time of day written HH:MM, 00:00 to 24:00');
    return z.string({ error }).regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error });
  },
  date: () => {
    const error = mustBe('a calendar date written YYYY-MM-DD');
    return z.string({ error }).refine(
      (text) => {
        const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
        if (match === null) return false;
        const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
        return date.toISOString().slice(0, 10) === text;
      },
      { error },
    );
  },
  id: () => {
    const error = mustBe('an identifier of letters, digits and dashes, such as emea-channel-manager');
    return z.string({ error }).regex(/^[a-z0-9][a-z0-9-]{0,63}$/i, { error });
  },
  countryCode: () => {
    const error = mustBe('a two-letter ISO 3166 country code such as US or DE');
    return z
      .string({ error })
      .regex(/^[A-Za-z]{2}$/, { error, abort: true })
      .superRefine((code, context) => {
        // Registrations name their country as intake reads it (`countryCode`): a code it reads as
        // another (UK as GB) or not at all would never match this region.
        const read = countryCode(code);
        if (read === undefined) {
          context.addIssue({
            code: 'custom',
            input: code,
            message: `must be a two-letter ISO 3166 country code such as US or DE, got ${describeValue(code)}, which is no country's code`,
          });
        } else if (read !== code) {
          context.addIssue({
            code: 'custom',
            input: code,
            message: `must be written ${read}, the ISO 3166 code registrations give ${countryName(read)}: ${describeValue(code)} would never match one`,
          });
        }
      });
  },
  choice: <const T extends readonly [string, ...string[]]>(values: T) => {
    const listed = values.map((value) => `"${value}"`).join(', ');
    return z.enum(values, { error: mustBe(`one of ${listed}`) });
  },
};
