import { createHmac } from 'node:crypto';
import * as z from 'zod';

/** Fewer bytes than this cannot carry the 256 bits an HMAC-SHA256 key should have. */
const minimumSigningKeyBytes = 32;

/** One secret as tokens use it: the key id tokens name it by, and the HMAC key derived from it. */
interface TokenKey {
  /** Public and stable for the secret: the `kid` header of every token it signs. */
  readonly id: string;
  readonly secret: Uint8Array;
}

function derive(secret: Uint8Array | string, which: string): TokenKey {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.byteLength < minimumSigningKeyBytes) {
    throw new RangeError(
      `the ${which} approval signing key has ${bytes.byteLength} bytes; it needs at least ${minimumSigningKeyBytes}`,
    );
  }
  // Both derived from the secret, neither reveals it: the id is published in every token.
  return {
    id: createHmac('sha256', bytes).update('dealreg signing key id').digest('base64url').slice(0, 11),
    secret: createHmac('sha256', bytes).update('dealreg signed tokens v2').digest(),
  };
}

/**
 * The secret every emailed link and page nonce is signed with (Secrets Manager in AWS). New
 * tokens are signed with the current key; tokens signed with the previous key keep working after
 * a rotation, so someone holding an emailed link is not locked out mid-SLA.
 */
export class ApprovalSigningKey {
  /** The key new tokens are signed with. */
  readonly current: TokenKey;
  readonly #previous: TokenKey | undefined;

  constructor(current: Uint8Array | string, previous?: Uint8Array | string) {
    this.current = derive(current, 'current');
    this.#previous = previous === undefined ? undefined : derive(previous, 'previous');
  }

  /** The key a token names by its `kid`, if it is the current or the previous one. */
  byId(id: unknown): TokenKey | undefined {
    return [this.current, this.#previous].find((key) => key !== undefined && key.id === id);
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
