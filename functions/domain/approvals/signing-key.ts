import { createHmac } from 'node:crypto';

/** Fewer bytes than this cannot carry the 256 bits an HMAC-SHA256 key should have. */
export const minimumSigningKeyBytes = 32;

/** The secret approval links and page nonces are signed with (Secrets Manager in AWS). */
export class ApprovalSigningKey {
  readonly #linkKey: Buffer;
  readonly #nonceKey: Buffer;

  constructor(secret: Uint8Array | string) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (bytes.byteLength < minimumSigningKeyBytes) {
      throw new RangeError(
        `the approval signing key has ${bytes.byteLength} bytes; it needs at least ${minimumSigningKeyBytes}`,
      );
    }
    // One secret, two derived keys: a page nonce can never be replayed as a link token or back.
    this.#linkKey = createHmac('sha256', bytes).update('dealreg approval link v1').digest();
    this.#nonceKey = createHmac('sha256', bytes).update('dealreg approval page nonce v1').digest();
  }

  /** HMAC-SHA256 of `data` under the link-token key. */
  signLink(data: string): Buffer {
    return createHmac('sha256', this.#linkKey).update(data).digest();
  }

  /** HMAC-SHA256 of `data` under the page-nonce key. */
  signNonce(data: string): Buffer {
    return createHmac('sha256', this.#nonceKey).update(data).digest();
  }
}
