import type { QbrRegistration } from '#domain/qbr/registration-view.ts';
import type { QbrSnapshot } from '#domain/qbr/snapshot.ts';

/** Port: every registration in the registrations table, as the pre-QBR report reads them. */
export interface RegistrationHistory {
  /** Every record, in no particular order. @throws CorruptItemError naming a malformed record. */
  listRegistrations(): Promise<QbrRegistration[]>;
}

/**
 * Port: frozen figures of closed quarters (files under `.dealreg/reports/snapshots/` locally,
 * S3 in AWS). Write-once: a quarter is frozen the first time it is reported after closing.
 */
export interface QbrSnapshotStore {
  /** The snapshot of a quarter (`2026-Q3`), or undefined when none was frozen. */
  read(quarter: string): Promise<QbrSnapshot | undefined>;
  /** Stores the snapshot unless one exists for its quarter; false when one did (nothing written). */
  write(snapshot: QbrSnapshot): Promise<boolean>;
  /** Quarters that have a snapshot, oldest first. */
  list(): Promise<string[]>;
}

/** A stored snapshot that cannot be read back. */
export class InvalidSnapshotError extends Error {
  override readonly name = 'InvalidSnapshotError';
}
