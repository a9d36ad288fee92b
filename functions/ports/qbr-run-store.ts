import type { Deal, PartnerDealAssociation } from './hubspot.ts';

/** HubSpot's answer for one batch of deal ids, kept for the report step of the same run. */
export interface DealBatch {
  readonly deals: readonly Deal[];
  /** Ids HubSpot does not know (deleted or never created). */
  readonly missing: readonly string[];
  /** The deals' labelled partner associations by deal id; absent in batches stored without them. */
  readonly partnerAssociations?: Readonly<Record<string, readonly PartnerDealAssociation[]>> | undefined;
}

/**
 * Port: the working files of one pre-QBR run that reads HubSpot in parallel batches (S3 in AWS,
 * a directory locally). `run` is the run's folder, e.g. `runs/2026-Q4/2026-12-14T17-00-00Z`.
 */
export interface QbrRunStore {
  /** Writes the deal ids to read as one JSON array (what the Distributed Map iterates); returns its key. */
  writeDealIds(run: string, ids: readonly string[]): Promise<string>;
  /** Stores one batch's deals; writing the same batch again replaces it (a retried batch). */
  writeBatch(run: string, ids: readonly string[], batch: DealBatch): Promise<void>;
  /** Every batch stored for the run. */
  readBatches(run: string): Promise<DealBatch[]>;
}

/** A stored batch that cannot be read back. */
export class InvalidDealBatchError extends Error {
  override readonly name = 'InvalidDealBatchError';
}
