import { createHmac } from 'node:crypto';
import { z } from 'zod';

/** Fewer bytes than this cannot carry the 256 bits an HMAC-SHA256 key should have. */
export const minimumSigningKeyBytes = 32;

interface DerivedKeys {
  readonly link: Buffer;
  readonly nonce: Buffer;
}

function derive(secret: Uint8Array | string, which: string): DerivedKeys {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.byteLength < minimumSigningKeyBytes) {
    throw new RangeError(
      `the ${which} approval signing key has ${bytes.byteLength} bytes; it needs at least ${minimumSigningKeyBytes}`,
    );
  }
  // One secret, two derived keys: a page nonce can never be replayed as a link token or back.
  return {
    link: createHmac('sha256', bytes).update('dealreg approval link v1').digest(),
    nonce: createHmac('sha256', bytes).update('dealreg approval page nonce v1').digest(),
  };
}

/**
 * The secret approval links and page nonces are signed with (Secrets Manager in AWS). New links
 * are signed with the current key; links signed with the previous key keep working after a
 * rotation, so approvers holding an emailed link are not locked out mid-SLA.
 */
export class ApprovalSigningKey {
  readonly #current: DerivedKeys;
  readonly #previous: DerivedKeys | undefined;

  constructor(current: Uint8Array | string, previous?: Uint8Array | string) {
    this.#current = derive(current, 'current');
    this.#previous = previous === undefined ? undefined : derive(previous, 'previous');
  }

  /** HMAC-SHA256 of `data` under the current link-token key. */
  signLink(data: string): Buffer {
    return createHmac('sha256', this.#current.link).update(data).digest();
  }

  /** The MACs of `data` a valid link token may carry: current key first, then the previous one. */
  acceptedLinkMacs(data: string): Buffer[] {
    return this.#keys().map((keys) => createHmac('sha256', keys.link).update(data).digest());
  }

  /** HMAC-SHA256 of `data` under the current page-nonce key. */
  signNonce(data: string): Buffer {
    return createHmac('sha256', this.#current.nonce).update(data).digest();
  }

  /** The MACs of `data` a valid page nonce may carry. */
  acceptedNonceMacs(data: string): Buffer[] {
    return this.#keys().map((keys) => createHmac('sha256', keys.nonce).update(data).digest());
  }

  #keys(): DerivedKeys[] {
    return this.#previous === undefined ? [this.#current] : [this.#current, this.#previous];
  }
}

const rotatingSecretSchema = z.strictObject({
  current: z.string({ error: 'is required' }),
  previous: z.string().optional(),
});

/**
 * Reads the signing key from its secret value: either the key itself, or during a rotation
 * `{"current": "…", "previous": "…"}`. Throws naming what is wrong, never the key.
 */
export function signingKeyFromSecret(secret: string): ApprovalSigningKey {
  if (!secret.trimStart().startsWith('{')) return new ApprovalSigningKey(secret);
  let json: unknown;
  try {
    json = JSON.parse(secret);
  } catch (error) {
    throw new RangeError('the approval signing key secret starts with "{" but is not valid JSON', {
      cause: error,
    });
  }
  const parsed = rotatingSecretSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'secret'}: ${issue.message}`,
    );
    throw new RangeError(
      `the approval signing key secret is not {"current", "previous"}: ${problems.join('; ')}`,
    );
  }
  return new ApprovalSigningKey(parsed.data.current, parsed.data.previous);
}
