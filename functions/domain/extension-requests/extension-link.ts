import { z } from 'zod';
import { anyMacEqual } from '#domain/approvals/link-token.ts';
import type { ApprovalSigningKey } from '#domain/approvals/signing-key.ts';
import { ExtensionLinkRejectedError, ExtensionOfferExpiredError } from './errors.ts';

/**
 * Extension request link tokens: `e1.<claims>.<mac>`, both parts base64url. The claims are the
 * purpose (`extension`), the registration id, the partner's email and the expiry (epoch
 * seconds); the MAC is HMAC-SHA256 under the approval signing key's link key over `e1.<claims>`.
 * The version prefix and the purpose are inside the MAC, so an approval link token (`v1.…`)
 * never verifies as an extension token, nor the reverse.
 */

export interface ExtensionClaims {
  readonly registrationId: string;
  /** Lower-cased. */
  readonly partnerEmail: string;
  readonly expiresAt: Date;
}

const version = 'e1';
const purpose = 'extension';
const macBytes = 32;
const claimsSchema = z.tuple([z.literal(purpose), z.string().min(1), z.string().min(1), z.number().int()]);

/** Signs an extension request token for one partner and one registration, valid until `expiresAt`. */
export function signExtensionToken(key: ApprovalSigningKey, claims: ExtensionClaims): string {
  const expiry = Math.floor(claims.expiresAt.getTime() / 1000);
  const encoded = Buffer.from(
    JSON.stringify([purpose, claims.registrationId, claims.partnerEmail.trim().toLowerCase(), expiry]),
  ).toString('base64url');
  return `${version}.${encoded}.${key.signLink(`${version}.${encoded}`).toString('base64url')}`;
}

/**
 * Verifies an extension token for the registration at `registrationId`: the MAC first (compared
 * in constant time against the current and the previous key), then that it names this
 * registration, then its expiry. Throws `ExtensionLinkRejectedError` (403) or, for an expired
 * token, `ExtensionOfferExpiredError` (410: the link lives exactly as long as the offer). Whether
 * it names the partner the extension was offered to is for the caller to check.
 */
export function verifyExtensionToken(
  key: ApprovalSigningKey,
  token: string,
  expected: { registrationId: string; now: Date },
): ExtensionClaims {
  const parts = token.split('.');
  const [tokenVersion, encoded, mac] = parts;
  if (parts.length !== 3 || tokenVersion !== version || !encoded || !mac || !/^[\w-]+$/.test(mac)) {
    throw new ExtensionLinkRejectedError('malformed', 'the extension link is incomplete or damaged');
  }
  const given = Buffer.from(mac, 'base64url');
  // Only the canonical base64url spelling of the MAC is accepted (spare bits of the last character).
  if (
    given.toString('base64url') !== mac ||
    given.byteLength !== macBytes ||
    !anyMacEqual(key.acceptedLinkMacs(`${version}.${encoded}`), given)
  ) {
    throw new ExtensionLinkRejectedError(
      'forged',
      'the extension link was not issued by Dealreg or was altered',
    );
  }
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
  } catch (error) {
    throw new ExtensionLinkRejectedError('malformed', 'the extension link carries unreadable claims', {
      cause: error,
    });
  }
  const [, registrationId, partnerEmail, expiry] = claims;
  if (registrationId !== expected.registrationId) {
    throw new ExtensionLinkRejectedError(
      'wrong-registration',
      'the extension link belongs to another registration',
    );
  }
  const expiresAt = new Date(expiry * 1000);
  if (expected.now.getTime() >= expiresAt.getTime()) {
    throw new ExtensionOfferExpiredError(registrationId, expiresAt.toISOString());
  }
  return { registrationId, partnerEmail, expiresAt };
}

/**
 * The link the expiry warning carries:
 * `GET {apiBaseUrl}/registrations/{registrationId}/extension?t={token}`, signed for the
 * registration and the partner it is sent to, valid until `expiresAt` (the end of the offer).
 */
export function extensionRequestLink(
  key: ApprovalSigningKey,
  apiBaseUrl: string,
  offer: { registrationId: string; partnerEmail: string },
  expiresAt: Date,
): string {
  const token = signExtensionToken(key, { ...offer, expiresAt });
  const base = apiBaseUrl.endsWith('/') ? apiBaseUrl : `${apiBaseUrl}/`;
  const url = new URL(`registrations/${encodeURIComponent(offer.registrationId)}/extension`, base);
  url.searchParams.set('t', token);
  return url.toString();
}
