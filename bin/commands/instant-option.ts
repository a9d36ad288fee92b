import { DateTime } from 'luxon';
import { instantSchema } from '#domain/ledger/entry.ts';
import { resolveCommandPolicy } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

const bareDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An instant option (`--as-of`, `--known-at`, `--effective-at`), normalised to UTC. A date alone
 * means the last millisecond of that day in `timeZone` (the policy calendar's, so `--as-of
 * 2026-12-31` closes Q4 as a CRO in New York counts it); an instant with a zone or offset keeps
 * its meaning. Undefined stays so; anything else is a bad argument (exit 2).
 */
export function instantOption(name: string, value: string | undefined, timeZone = 'UTC'): string | undefined {
  if (value === undefined) return undefined;
  const bad = () =>
    new UsageError(`${name} must be an ISO date or instant such as 2026-09-30T23:59:59Z, got "${value}"`);
  if (bareDate.test(value)) {
    const day = DateTime.fromISO(value, { zone: timeZone });
    if (!day.isValid) throw bad();
    return day.endOf('day').toUTC().toISO() ?? undefined;
  }
  const result = instantSchema.safeParse(value);
  if (!result.success) throw bad();
  return result.data;
}

/** Whether an instant option was given as a date alone, which needs the calendar's time zone. */
export function isBareDate(value: string | undefined): boolean {
  return value !== undefined && bareDate.test(value);
}

/**
 * The policy calendar's time zone, for a command whose instant options hold a date alone: read
 * from the policy the command runs under (`--policy`, else the local stack's, else the default)
 * only when one of `values` needs it, so a command given instants never needs a policy file.
 */
export async function calendarTimeZoneFor(
  options: { readonly policy?: string | undefined; readonly dataDir: string },
  ...values: (string | undefined)[]
): Promise<string> {
  if (!values.some(isBareDate)) return 'UTC';
  return (await resolveCommandPolicy(options)).loaded.policy.calendar.timeZone;
}
