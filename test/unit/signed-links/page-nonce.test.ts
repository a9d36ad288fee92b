import { describe, expect, it } from 'vitest';
import { ApprovalLinkRejectedError } from '#domain/approvals/errors.ts';
import { signLinkToken } from '#domain/approvals/link-token.ts';
import { issuePageNonce, pageNonceLifetimeMs, verifyPageNonce } from '#domain/approvals/page-nonce.ts';
import { ApprovalSigningKey } from '#domain/approvals/signing-key.ts';

const key = new ApprovalSigningKey('k'.repeat(32));
const now = new Date('2026-11-24T09:00:00Z');
const token = signLinkToken(key, {
  approvalId: 'apr-1',
  approverEmail: 'casey@vendor.example',
  step: 'first-level',
  expiresAt: new Date('2026-12-01T09:00:00Z'),
});

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApprovalLinkRejectedError) return error.rejection;
    throw error;
  }
  return 'accepted';
}

describe('page nonces', () => {
  it('accepts the nonce issued for this approval and link token', () => {
    const nonce = issuePageNonce(key, 'apr-1', token, now);

    expect(rejection(() => verifyPageNonce(key, nonce, { approvalId: 'apr-1', token, now }))).toBe(
      'accepted',
    );
  });

  it('issues a different nonce for every rendering of the page', () => {
    expect(issuePageNonce(key, 'apr-1', token, now)).not.toBe(issuePageNonce(key, 'apr-1', token, now));
  });

  it('refuses a nonce issued for another approval or another link token', () => {
    const nonce = issuePageNonce(key, 'apr-1', token, now);

    expect(rejection(() => verifyPageNonce(key, nonce, { approvalId: 'apr-2', token, now }))).toBe('forged');
    expect(
      rejection(() => verifyPageNonce(key, nonce, { approvalId: 'apr-1', token: `${token}x`, now })),
    ).toBe('forged');
  });

  it('refuses a link token presented as a nonce, and a nonce under another key', () => {
    const foreign = issuePageNonce(new ApprovalSigningKey('x'.repeat(32)), 'apr-1', token, now);

    expect(rejection(() => verifyPageNonce(key, token, { approvalId: 'apr-1', token, now }))).toBe(
      'malformed',
    );
    expect(rejection(() => verifyPageNonce(key, foreign, { approvalId: 'apr-1', token, now }))).toBe(
      'forged',
    );
  });

  it('refuses a nonce whose expiry or random part was changed', () => {
    const [version, random, expiry, mac] = issuePageNonce(key, 'apr-1', token, now).split('.');
    const later = `${version}.${random}.${Number(expiry) + 3600}.${mac}`;
    const otherRandom = `${version}.${'A'.repeat(22)}.${expiry}.${mac}`;

    expect(rejection(() => verifyPageNonce(key, later, { approvalId: 'apr-1', token, now }))).toBe('forged');
    expect(rejection(() => verifyPageNonce(key, otherRandom, { approvalId: 'apr-1', token, now }))).toBe(
      'forged',
    );
  });

  it('refuses a nonce once the page has been open longer than its lifetime', () => {
    const nonce = issuePageNonce(key, 'apr-1', token, now);
    const late = new Date(now.getTime() + pageNonceLifetimeMs);

    expect(rejection(() => verifyPageNonce(key, nonce, { approvalId: 'apr-1', token, now: late }))).toBe(
      'expired',
    );
  });

  it('refuses a missing nonce', () => {
    expect(rejection(() => verifyPageNonce(key, '', { approvalId: 'apr-1', token, now }))).toBe('malformed');
  });
});

describe('page nonces across a key rotation', () => {
  it('accepts a page opened before the rotation', () => {
    const before = new ApprovalSigningKey('o'.repeat(32));
    const during = new ApprovalSigningKey('n'.repeat(32), 'o'.repeat(32));
    const nonce = issuePageNonce(before, 'apr-1', token, now);

    expect(rejection(() => verifyPageNonce(during, nonce, { approvalId: 'apr-1', token, now }))).toBe(
      'accepted',
    );
  });
});
