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
