import { immutableFields, type LedgerEntry, ledgerEntrySchema } from './entry.ts';
import { InvalidCorrectionError } from './errors.ts';
import { describeIssues } from './seal.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a correction's `changes` (field path → new value; `null` removes an optional field)
 * to the entry it supersedes and validates the result as an entry of the same type.
 * Throws `InvalidCorrectionError` naming the field when the change is not allowed or invalid.
 */
export function applyChanges(target: LedgerEntry, changes: Readonly<Record<string, unknown>>): LedgerEntry {
  const copy = structuredClone(target) as Json;
  for (const [path, value] of Object.entries(changes)) {
    const segments = path.split('.');
    const root = segments[0] as string;
    if (immutableFields.has(root)) {
      throw new InvalidCorrectionError(`${path}: ${root} identifies the entry and cannot be corrected`);
    }
    let cursor: Json = copy;
    for (const segment of segments.slice(0, -1)) {
      const next = cursor[segment];
      if (next === undefined) cursor[segment] = {};
      else if (!isObject(next)) throw new InvalidCorrectionError(`${path}: ${segment} is not an object`);
      cursor = cursor[segment] as Json;
    }
    const leaf = segments.at(-1) as string;
    if (value === null) delete cursor[leaf];
    else cursor[leaf] = value;
  }
  const result = ledgerEntrySchema.safeParse(copy);
  if (!result.success) {
    throw new InvalidCorrectionError(
      `the corrected ${target.type} entry ${target.sequence} would be invalid: ${describeIssues(result.error).join('; ')}`,
      { cause: result.error },
    );
  }
  return result.data;
}
