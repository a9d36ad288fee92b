/** An entry or request the ledger refuses, naming what is wrong. */
export class InvalidLedgerEntryError extends Error {
  override readonly name = 'InvalidLedgerEntryError';
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: ErrorOptions) {
    super(`invalid ledger entry: ${issues.join('; ')}`, options);
    this.issues = issues;
  }
}

/** Another writer kept winning the race for the next sequence number. */
export class AppendContentionError extends Error {
  override readonly name = 'AppendContentionError';
  constructor(opportunityId: string, attempts: number, options?: ErrorOptions) {
    super(`could not append to ${opportunityId} after ${attempts} attempts (concurrent appends)`, options);
  }
}

/** A correction that names an entry the chain does not have, or one it cannot supersede. */
export class InvalidCorrectionError extends Error {
  override readonly name = 'InvalidCorrectionError';
}

/** A digest document that is malformed or whose Merkle root does not match its heads. */
export class InvalidDigestError extends Error {
  override readonly name = 'InvalidDigestError';
}
