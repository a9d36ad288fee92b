import { base64url, decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { ApprovalSigningKey } from './signing-key.ts';

/**
 * Signed tokens: compact JWS (JWT) with HS256 under the signing key, the key named by `kid` so a
 * rotation keeps older tokens verifying, `aud` naming what the token is for (an approval link
 * never verifies as an extension link or a page nonce, nor the reverse) and `exp`. The MAC is
 * checked by WebCrypto's HMAC verify, in constant time.
 */

const algorithm = 'HS256';
const macBytes = 32;

/** Claims a token carries besides `aud` and `exp`; an undefined claim is left out. */
type TokenClaims = Readonly<Record<string, string | undefined>>;

type TokenCheck =
  | { readonly valid: true; readonly claims: JWTPayload }
  | { readonly valid: false; readonly refusal: 'malformed' | 'forged' }
  /** Expired, with the claims its (verified) MAC vouches for. */
  | {
      readonly valid: false;
      readonly refusal: 'expired';
      readonly expiredAt: Date;
      readonly claims: JWTPayload;
    };

/** Signs `claims` for `audience`, valid until `expiresAt` (to the second). */
export function signToken(
  key: ApprovalSigningKey,
  audience: string,
  claims: TokenClaims,
  expiresAt: Date,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: algorithm, kid: key.current.id })
    .setAudience(audience)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key.current.secret);
}

/**
 * Only the canonical spelling of the MAC is accepted: the last base64url character has spare
 * bits, so another spelling of the same MAC would be an altered token that still verified.
 */
function canonicalMac(token: string): boolean {
  const mac = token.split('.')[2] ?? '';
  try {
    const bytes = base64url.decode(mac);
    return bytes.byteLength === macBytes && base64url.encode(bytes) === mac;
  } catch {
    return false;
  }
}

/**
 * Checks a token for `audience` at `now`: its form, then its MAC under the key it names (current
 * or previous), then its audience and expiry. A token for another audience is malformed here.
 */
export async function verifyToken(
  key: ApprovalSigningKey,
  token: string,
  audience: string,
  now: Date,
): Promise<TokenCheck> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { valid: false, refusal: 'malformed' };
  }
  const signedWith = key.byId(kid);
  if (signedWith === undefined || !canonicalMac(token)) return { valid: false, refusal: 'forged' };
  try {
    const { payload } = await jwtVerify(token, signedWith.secret, {
      algorithms: [algorithm],
      audience,
      currentDate: now,
      requiredClaims: ['exp'],
    });
    return { valid: true, claims: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      // jose checks the MAC before the claims: an expired token reaching here is authentic.
      return {
        valid: false,
        refusal: 'expired',
        expiredAt: new Date(Number(error.payload.exp) * 1000),
        claims: error.payload,
      };
    }
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
      return { valid: false, refusal: 'forged' };
    }
    if (error instanceof errors.JOSEError) return { valid: false, refusal: 'malformed' };
    throw error;
  }
}
