/**
 * The metrics (namespace `Dealreg`) the ledger's tampering alarm watches, named once for the
 * functions that publish them and the construct that alarms on them.
 */
export const ledgerGuardMetrics = {
  namespace: 'Dealreg',
  /** Entries modified or removed (the stream guard). */
  nonInsertEvents: 'LedgerNonInsertEvents',
  /** Entries inserted, or found by the digest writer, without a valid MAC: forged, copied or fabricated. */
  unauthenticatedEntries: 'LedgerUnauthenticatedEntries',
} as const;
