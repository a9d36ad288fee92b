import {
  GenerateMacCommand,
  type KMSClient,
  KMSInvalidMacException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import type { LedgerAuthenticator, MacClaim } from '#ports/ledger-authenticator.ts';

/** The algorithm of the ledger's HMAC_256 KMS key (KMS API reference, GenerateMac: MacAlgorithm). */
const MAC_ALGORITHM = 'HMAC_SHA_256';
const MAC_HEX = /^[0-9a-f]{64}$/;
/** How many verified MACs are remembered, so a retried batch costs no second call. */
const REMEMBERED = 50_000;

/**
 * The ledger key in AWS: a KMS HMAC key (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC) whose
 * material never leaves KMS. Writers hold `kms:GenerateMac` only, verifiers `kms:VerifyMac` only.
 * KMS verifies one MAC per call (KMS API reference, VerifyMac), so `verifyMacs` runs up to
 * `concurrency` calls at once and remembers the MACs it has seen verify; each call counts against
 * the account's shared cryptographic-operations request quota (AWS KMS Developer Guide, "Request
 * quotas") and costs as any KMS request.
 */
export class KmsLedgerKey implements LedgerAuthenticator {
  readonly keyName: string;
  readonly #client: KMSClient;
  readonly #concurrency: number;
  readonly #verified = new Set<string>();
  /** KMS calls made, for the figures verify reports. */
  calls = 0;

  /**
   * @param keyId the key's id, ARN, alias name (`alias/…`) or alias ARN.
   * @param options.concurrency VerifyMac calls in flight at once. @default 32
   */
  constructor(client: KMSClient, keyId: string, options: { concurrency?: number } = {}) {
    if (keyId.trim() === '') throw new Error('the ledger key id is empty');
    this.#client = client;
    this.keyName = keyId;
    this.#concurrency = options.concurrency ?? 32;
  }

  async generateMac(message: string): Promise<string> {
    this.calls += 1;
    const result = await this.#client.send(
      new GenerateMacCommand({
        KeyId: this.keyName,
        Message: Buffer.from(message, 'utf8'),
        MacAlgorithm: MAC_ALGORITHM,
      }),
    );
    if (result.Mac === undefined) throw new Error(`KMS GenerateMac with ${this.keyName} returned no MAC`);
    return Buffer.from(result.Mac).toString('hex');
  }

  async verifyMacs(claims: readonly MacClaim[]): Promise<boolean[]> {
    const valid = new Array<boolean>(claims.length).fill(false);
    let next = 0;
    const worker = async () => {
      while (next < claims.length) {
        const index = next++;
        valid[index] = await this.#verify(claims[index] as MacClaim);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, claims.length) }, worker));
    return valid;
  }

  async #verify({ message, mac }: MacClaim): Promise<boolean> {
    if (!MAC_HEX.test(mac)) return false;
    const remembered = `${mac}\n${message}`;
    if (this.#verified.has(remembered)) return true;
    this.calls += 1;
    try {
      const result = await this.#client.send(
        new VerifyMacCommand({
          KeyId: this.keyName,
          Message: Buffer.from(message, 'utf8'),
          Mac: Buffer.from(mac, 'hex'),
          MacAlgorithm: MAC_ALGORITHM,
        }),
      );
      if (result.MacValid !== true) return false;
    } catch (error) {
      // KMS answers a MAC that does not verify with this exception rather than MacValid false.
      if (error instanceof KMSInvalidMacException) return false;
      throw error;
    }
    if (this.#verified.size >= REMEMBERED) this.#verified.clear();
    this.#verified.add(remembered);
    return true;
  }
}
