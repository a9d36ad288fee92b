import { inspectInsertedEntry } from '#domain/ledger/entry-mac.ts';
import type { RawLedgerItem } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';

/** One stream record, reduced to what the guard looks at. */
interface LedgerStreamRecord {
  readonly eventName?: string | undefined;
  readonly dynamodb?:
    | { readonly Keys?: Record<string, { S?: string | undefined; N?: string | undefined }> | undefined }
    | undefined;
  readonly userIdentity?: unknown;
}

/** A change to the ledger table that was not an insert: someone modified or removed an entry. */
interface LedgerTampering {
  readonly eventName: string;
  readonly opportunityId: string | undefined;
  readonly sequence: number | undefined;
  /** Present for TTL deletions made by DynamoDB itself. */
  readonly userIdentity: unknown;
}

/**
 * The ledger is insert-only, so any MODIFY or REMOVE on its stream is tampering (or a bug that
 * bypassed the port). Returns every such record with the entry it touched.
 */
export function findLedgerTampering(records: readonly LedgerStreamRecord[]): LedgerTampering[] {
  return records
    .filter((record) => record.eventName !== 'INSERT')
    .map((record) => {
      const keys = record.dynamodb?.Keys;
      const sequence = keys?.sequence?.N;
      return {
        eventName: record.eventName ?? 'UNKNOWN',
        opportunityId: keys?.opportunityId?.S,
        sequence: sequence === undefined ? undefined : Number(sequence),
        userIdentity: record.userIdentity,
      };
    });
}

/** An inserted entry the ledger's writers did not write: forged, copied or fabricated. */
export interface UnauthenticatedEntry {
  readonly opportunityId: string | undefined;
  readonly sequence: number | undefined;
  readonly problem: string;
}

/**
 * Checks newly inserted entries one by one: each must hash to its stored hash and carry a MAC the
 * ledger key verifies (one key call per entry, all of the batch at once). Returns every entry
 * that fails, named by chain and sequence.
 */
export async function findUnauthenticatedEntries(
  inserted: readonly RawLedgerItem[],
  ledgerKey: LedgerAuthenticator,
): Promise<UnauthenticatedEntry[]> {
  const checks = inserted.map((item) => inspectInsertedEntry(item));
  const claims = checks.flatMap((check) => (check.claim === undefined ? [] : [check.claim]));
  const valid = await ledgerKey.verifyMacs(claims);
  let index = 0;
  const found: UnauthenticatedEntry[] = [];
  for (const check of checks) {
    if (check.problem !== undefined) {
      found.push({ opportunityId: check.opportunityId, sequence: check.sequence, problem: check.problem });
    } else if (valid[index++] !== true) {
      found.push({
        opportunityId: check.opportunityId,
        sequence: check.sequence,
        problem:
          "its MAC does not verify with the ledger key: the ledger's writers did not write this entry here (forged, or copied from another chain or position)",
      });
    }
  }
  return found;
}
