import type * as z from 'zod';
import {
  GENESIS_HASH,
  type LedgerEntry,
  ledgerEntryInputSchema,
  type ParsedLedgerEntryInput,
} from './entry.ts';
import { InvalidLedgerEntryError } from './errors.ts';
import { chainHash } from './hash.ts';

/** The last link of a chain: what the next entry must follow. */
export interface ChainHead {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly hash: string;
  /** System time of the last entry, when known: the next one is never recorded earlier. */
  readonly recordedAt?: string | undefined;
}

/** Formats zod issues as `path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(entry)'}: ${issue.message}`,
  );
}

/** Validates what a caller wants to append, throwing `InvalidLedgerEntryError` naming each bad field. */
export function parseEntryInput(input: unknown): ParsedLedgerEntryInput {
  const result = ledgerEntryInputSchema.safeParse(input);
  if (!result.success)
    throw new InvalidLedgerEntryError(describeIssues(result.error), { cause: result.error });
  return result.data;
}

/** Drops undefined members so the stored item and the hashed JSON are the same object. */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Turns a validated input into the next link after `head` (or the first link): sequence,
 * system time, previous hash, index attributes and finally the hash over all of it.
 */
export function sealEntry(
  input: ParsedLedgerEntryInput,
  head: ChainHead | undefined,
  recordedAt: Date,
): LedgerEntry {
  const sequence = (head?.sequence ?? 0) + 1;
  const previousHash = head?.hash ?? GENESIS_HASH;
  // System time never runs backwards within a chain, even when writers' clocks disagree, so an
  // as-of-known-at report cannot later gain an entry recorded "before" an entry it already saw.
  const now = recordedAt.toISOString();
  const systemTime = head?.recordedAt !== undefined && head.recordedAt > now ? head.recordedAt : now;
  const body = withoutUndefined({
    ...input,
    sequence,
    recordedAt: systemTime,
    previousHash,
    effectiveMonth: input.effectiveAt.slice(0, 7),
    chainStart: sequence === 1 ? ('CHAIN' as const) : undefined,
  });
  return { ...body, hash: chainHash(body, previousHash) } as LedgerEntry;
}
