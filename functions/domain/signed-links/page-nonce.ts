import { base64url } from 'jose';
import { LinkRefusedError } from './errors.ts';
import type { LinkPurpose } from './link-token.ts';
import { signToken, verifyToken } from './signed-token.ts';
import type { ApprovalSigningKey } from './signing-key.ts';

/**
 * Per-page nonces: the page a link opens embeds one in its form, and the form is accepted only
 * with a nonce issued for this page (purpose and subject) and this link token, less than
 * `pageNonceLifetimeMs` ago. A POST built from the emailed link alone, without rendering the
 * page, is refused. A nonce is a signed token for `${purpose.name}-page` carrying the subject,
 * the SHA-256 of the link token (`lnk`) and a random id, so every rendering has its own.
 */

/** How long a page may stay open before its form is sent. */
export const pageNonceLifetimeMs = 30 * 60 * 1000;

async function linkDigest(token: string): Promise<string> {
  return base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
  );
}

/** Issues the nonce for one rendering of the page of `page.subject` opened with `page.token`. */
export async function issuePageNonce(
  key: ApprovalSigningKey,
  purpose: LinkPurpose,
  page: { subject: string; token: string },
  now: Date,
): Promise<string> {
  return signToken(
    key,
    `${purpose.name}-page`,
    { sub: page.subject, lnk: await linkDigest(page.token), jti: crypto.randomUUID() },
    new Date(now.getTime() + pageNonceLifetimeMs),
  );
}

/** Verifies the nonce a form came with; throws `LinkRefusedError` (`not-from-page`, `page-expired`). */
export async function verifyPageNonce(
  key: ApprovalSigningKey,
  purpose: LinkPurpose,
  nonce: string,
  expected: { subject: string; token: string; now: Date },
): Promise<void> {
  const check = await verifyToken(key, nonce, `${purpose.name}-page`, expected.now);
  if (!check.valid && check.refusal === 'expired') {
    throw new LinkRefusedError(
      'page-expired',
      `the ${purpose.page} was open too long; open the link from your email again`,
    );
  }
  if (
    !check.valid ||
    check.claims.sub !== expected.subject ||
    check.claims.lnk !== (await linkDigest(expected.token))
  ) {
    throw new LinkRefusedError('not-from-page', `the ${purpose.act} did not come from the ${purpose.page}`);
  }
}
