import { base64url } from 'jose';

/** Claims of an approval link for Casey at the first level, a week ahead of the tests' `now`. */
export const approvalLinkClaims = {
  subject: 'apr-1',
  holder: 'Casey@Vendor.example',
  scope: 'first-level',
  expiresAt: new Date('2026-12-01T09:00:00Z'),
};

function decoded(part: string): unknown {
  return JSON.parse(new TextDecoder().decode(base64url.decode(part)));
}

/** The claims a token carries, read without checking it. */
export function claimsOf(token: string): Record<string, unknown> {
  return decoded(token.split('.')[1] ?? '') as Record<string, unknown>;
}

/** The `kid` a token's header names, read without checking it. */
export function keyIdOf(token: string): unknown {
  return (decoded(token.split('.')[0] ?? '') as { kid?: unknown }).kid;
}

/** The token with its claims changed and its header and MAC kept, as a forger would send it. */
export function withClaims(
  token: string,
  change: (claims: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header, , mac] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify(change(claimsOf(token))))}.${mac}`;
}
