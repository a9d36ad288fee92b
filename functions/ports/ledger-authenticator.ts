/** A message and the MAC someone claims was made over it with the ledger key. */
export interface MacClaim {
  readonly message: string;
  /** HMAC-SHA256, hex. */
  readonly mac: string;
}

/**
 * The ledger key: makes and checks HMAC-SHA256 MACs over ledger entries and digests. In AWS a KMS
 * HMAC key (the writers may only generate, the verifiers only verify); locally a key file in the
 * data directory. Whoever cannot use the key cannot add an entry or a digest that verifies.
 */
export interface LedgerAuthenticator {
  /** Names the key in messages (a KMS key ARN or alias, a key file). */
  readonly keyName: string;
  /** The MAC (hex) of a UTF-8 message. */
  generateMac(message: string): Promise<string>;
  /** Whether each claim's MAC is the key's MAC of its message: one answer per claim, in order. */
  verifyMacs(claims: readonly MacClaim[]): Promise<boolean[]>;
}
