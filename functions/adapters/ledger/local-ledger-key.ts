import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LedgerAuthenticator, MacClaim } from '#ports/ledger-authenticator.ts';

/** The key file's name in a local stack's data directory (beside `local.json` and the digests). */
export const LOCAL_LEDGER_KEY_FILE = 'ledger-mac.key';

/** Where a local stack keeps its ledger key. */
export function localLedgerKeyPath(dataDir: string): string {
  return join(dataDir, LOCAL_LEDGER_KEY_FILE);
}

/** A key file that is missing or does not hold a key. */
export class LedgerKeyError extends Error {
  override readonly name = 'LedgerKeyError';
}

const KEY_BYTES = 32;
const MAC_HEX = /^[0-9a-f]{64}$/;

/**
 * The ledger key on one machine: 32 random bytes in a file readable by its owner only, used with
 * HMAC-SHA256 (RFC 2104) as the KMS HMAC key is in AWS. Checks compare in constant time and need
 * no call to anyone, so verifying a million entries costs a few hundred milliseconds.
 */
export class LocalLedgerKey implements LedgerAuthenticator {
  readonly keyName: string;
  /** A KeyObject: an HMAC with it is four to five times faster than with the raw bytes. */
  readonly #key: KeyObject;

  constructor(key: Buffer, keyName = 'local ledger key') {
    if (key.length < KEY_BYTES)
      throw new LedgerKeyError(`${keyName} holds ${key.length} bytes; it needs ${KEY_BYTES}`);
    this.#key = createSecretKey(Buffer.from(key));
    this.keyName = keyName;
  }

  /** A fresh random key (tests). */
  static random(): LocalLedgerKey {
    return new LocalLedgerKey(randomBytes(KEY_BYTES), 'random ledger key');
  }

  /** Reads the key file; throws `LedgerKeyError` naming the file when it is missing or not a key. */
  static async load(path: string): Promise<LocalLedgerKey> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LedgerKeyError(
          `no ledger key at ${path}: start the local stack (npx dealreg local) to create one, or set LEDGER_MAC_KEY to the KMS key of a deployed ledger`,
          { cause: error },
        );
      }
      throw error;
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new LedgerKeyError(`${path} does not hold a ledger key (${KEY_BYTES} bytes, base64)`);
    }
    return new LocalLedgerKey(key, path);
  }

  /**
   * Reads the key file, or creates it (mode 0600, never overwriting: two starting processes agree
   * on the one that won) when there is none.
   */
  static async loadOrCreate(path: string): Promise<LocalLedgerKey> {
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return LocalLedgerKey.load(path);
  }

  #mac(message: string): Buffer {
    return createHmac('sha256', this.#key).update(message, 'utf8').digest();
  }

  async generateMac(message: string): Promise<string> {
    return this.#mac(message).toString('hex');
  }

  async verifyMacs(claims: readonly MacClaim[]): Promise<boolean[]> {
    return claims.map(({ message, mac }) => {
      if (!MAC_HEX.test(mac)) return false;
      return timingSafeEqual(this.#mac(message), Buffer.from(mac, 'hex'));
    });
  }
}
