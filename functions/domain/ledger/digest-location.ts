/** Where ledger digests are kept: their key prefix in the write-once (Object Lock) digest bucket. */
export const DIGEST_PREFIX = 'ledger-digests/';
