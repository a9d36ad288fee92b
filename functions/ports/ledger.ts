import type { LedgerEntry } from '#domain/ledger/entry.ts';
import type { ChainHead } from '#domain/ledger/seal.ts';

/** An item exactly as the store returned it: untrusted, checked by verify. */
export type RawLedgerItem = Record<string, unknown>;

/** Secondary keys the ledger can be read by. */
export type LedgerIndexKey =
  | { partnerId: string }
  | { campaignId: string }
  | { effectiveMonth: string }
  | { investmentId: string };

/**
 * Where ledger entries live. Insert-only: there is no update or delete, and `insert` must never
 * overwrite an existing sequence number.
 */
export interface LedgerStore {
  /** The last entry of a chain, read consistently; undefined for a chain not yet started. */
  readHead(opportunityId: string): Promise<ChainHead | undefined>;
  /** Inserts the entry if its (opportunity, sequence) is free; false when another writer took it. */
  insert(entry: LedgerEntry): Promise<boolean>;
  /**
   * Inserts every entry or none (each on a free sequence number); false, having written nothing,
   * when any was taken. Optional: a store without it gets entries one `insert` at a time.
   * `maxBatch` is how many entries one call may hold.
   */
  insertAll?(entries: readonly LedgerEntry[]): Promise<boolean>;
  readonly maxBatch?: number;
  /** Every entry of a chain in sequence order, unvalidated. */
  readChainRaw(opportunityId: string): Promise<RawLedgerItem[]>;
  /**
   * Streams every item of the ledger, page by page, in no particular order. When `onItems` returns
   * a promise, the next page of that scan segment is read once it settles.
   */
  scanRaw(
    onItems: (items: RawLedgerItem[]) => void | Promise<void>,
    options?: { segments?: number },
  ): Promise<void>;
  /** Items that carry the given index key, in business-time order, unvalidated. */
  queryIndexRaw(key: LedgerIndexKey): Promise<RawLedgerItem[]>;
  /** The id of every chain (from the sparse index of first entries). */
  listChainIds(): Promise<string[]>;
}

/** Where periodic digests go: write-once storage (S3 Object Lock in AWS, files locally). */
export interface DigestStore {
  /** Stores a digest document under `name`; refuses to overwrite. Returns where it went. */
  write(name: string, document: string): Promise<string>;
  /** Names of every stored digest, oldest first. */
  list(): Promise<string[]>;
  /** The document stored under `name`. */
  read(name: string): Promise<string>;
}
