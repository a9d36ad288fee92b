import { instantSchema } from '#domain/ledger/entry.ts';
import { UsageError } from './usage-error.ts';

/**
 * An instant option (`--as-of`, `--known-at`, `--effective-at`), normalised to UTC; a date alone
 * means its last millisecond, UTC. Undefined stays so; anything else is a bad argument (exit 2).
 */
export function instantOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value;
  const result = instantSchema.safeParse(date);
  if (!result.success)
    throw new UsageError(
      `${name} must be an ISO date or instant such as 2026-09-30T23:59:59Z, got "${value}"`,
    );
  return result.data;
}
