import { describe, expect, it } from 'vitest';
import { approvalLinks } from '#domain/approvals/approval-link.ts';
import { extensionLinks } from '#domain/extension-requests/extension-link.ts';
import { LinkRefusedError } from '#domain/signed-links/errors.ts';
import { signLinkToken } from '#domain/signed-links/link-token.ts';
import { issuePageNonce, pageNonceLifetimeMs, verifyPageNonce } from '#domain/signed-links/page-nonce.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { approvalLinkClaims, withClaims } from './signed-token-parts.ts';

const key = new ApprovalSigningKey('k'.repeat(32));
const now = new Date('2026-11-24T09:00:00Z');
const token = await signLinkToken(key, approvalLinks, approvalLinkClaims);
const page = { subject: 'apr-1', token };

/** `accepted`, or the refusal and its message. */
async function outcome(
  nonce: string,
  expected: { subject?: string; token?: string; now?: Date } = {},
  verifyingKey = key,
): Promise<string> {
  try {
    await verifyPageNonce(verifyingKey, approvalLinks, nonce, { ...page, now, ...expected });
  } catch (error) {
    if (error instanceof LinkRefusedError) return `${error.rejection}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

const notFromPage = 'not-from-page: the decision did not come from the approval page';

describe('page nonces', () => {
  it('accepts the nonce issued for this approval and link token', async () => {
    const nonce = await issuePageNonce(key, approvalLinks, page, now);

    expect(await outcome(nonce)).toBe('accepted');
  });

  it('issues a different nonce for every rendering of the page', async () => {
    expect(await issuePageNonce(key, approvalLinks, page, now)).not.toBe(
      await issuePageNonce(key, approvalLinks, page, now),
    );
  });

  it('refuses a nonce issued for another approval or another link token', async () => {
    const nonce = await issuePageNonce(key, approvalLinks, page, now);

    expect(await outcome(nonce, { subject: 'apr-2' })).toBe(notFromPage);
    expect(await outcome(nonce, { token: `${token}x` })).toBe(notFromPage);
  });

  it('refuses a nonce of another kind of page for the same id', async () => {
    const extensionNonce = await issuePageNonce(key, extensionLinks, page, now);

    expect(await outcome(extensionNonce)).toBe(notFromPage);
  });

  it('refuses a link token presented as a nonce, and a nonce under another key', async () => {
    const foreign = await issuePageNonce(new ApprovalSigningKey('x'.repeat(32)), approvalLinks, page, now);

    expect(await outcome(token)).toBe(notFromPage);
    expect(await outcome(foreign)).toBe(notFromPage);
  });

  it('refuses a nonce whose expiry, random id or link digest was changed', async () => {
    const nonce = await issuePageNonce(key, approvalLinks, page, now);
    const later = withClaims(nonce, (c) => ({ ...c, exp: Number(c.exp) + 3600 }));
    const otherRandom = withClaims(nonce, (c) => ({ ...c, jti: 'A'.repeat(36) }));
    const otherLink = withClaims(nonce, (c) => ({ ...c, lnk: 'A'.repeat(43) }));

    for (const tampered of [later, otherRandom, otherLink]) {
      expect(await outcome(tampered)).toBe(notFromPage);
    }
  });

  it('refuses a nonce once the page has been open longer than its lifetime', async () => {
    const nonce = await issuePageNonce(key, approvalLinks, page, now);
    const late = new Date(now.getTime() + pageNonceLifetimeMs);

    expect(await outcome(nonce, { now: late })).toBe(
      'page-expired: the approval page was open too long; open the link from your email again',
    );
  });

  it('refuses a missing nonce', async () => {
    expect(await outcome('')).toBe(notFromPage);
  });
});

describe('page nonces across a key rotation', () => {
  it('accepts a page opened before the rotation', async () => {
    const before = new ApprovalSigningKey('o'.repeat(32));
    const during = new ApprovalSigningKey('n'.repeat(32), 'o'.repeat(32));
    const nonce = await issuePageNonce(before, approvalLinks, page, now);

    expect(await outcome(nonce, {}, during)).toBe('accepted');
  });
});
