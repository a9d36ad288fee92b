import { afterEach, describe, expect, it, vi } from 'vitest';
import { approvalLinks } from '#domain/approvals/approval-link.ts';
import { LinkRefusedError } from '#domain/signed-links/errors.ts';
import { signLinkToken, verifyLinkToken } from '#domain/signed-links/link-token.ts';
import { ApprovalSigningKey, signingKeyFromSecret } from '#domain/signed-links/signing-key.ts';
import { approvalLinkClaims, keyIdOf } from './signed-token-parts.ts';

const now = new Date('2026-11-24T09:00:00Z');
const claims = approvalLinkClaims;
const oldSecret = 'o'.repeat(32);
const newSecret = 'n'.repeat(32);

afterEach(() => {
  vi.restoreAllMocks();
});

async function rejection(key: ApprovalSigningKey, token: string): Promise<string> {
  try {
    await verifyLinkToken(key, approvalLinks, token, { subject: 'apr-1', now });
  } catch (error) {
    if (error instanceof LinkRefusedError) return error.rejection;
    throw error;
  }
  return 'accepted';
}

describe('the signing key', () => {
  it('refuses a signing key shorter than 32 bytes', () => {
    expect(() => new ApprovalSigningKey('short')).toThrow(/at least 32/);
  });

  it('names its key in every token by an id that does not reveal the secret', async () => {
    const key = new ApprovalSigningKey(newSecret);

    const token = await signLinkToken(key, approvalLinks, claims);

    expect(keyIdOf(token)).toBe(key.current.id);
    expect(key.current.id).not.toContain(newSecret.slice(0, 4));
    expect(new ApprovalSigningKey(oldSecret).current.id).not.toBe(key.current.id);
  });
});

describe('rotating the signing key', () => {
  it('keeps links signed with the previous key working and signs new links with the current key', async () => {
    const before = new ApprovalSigningKey(oldSecret);
    const during = signingKeyFromSecret(JSON.stringify({ current: newSecret, previous: oldSecret }));
    const after = new ApprovalSigningKey(newSecret);
    const oldLink = await signLinkToken(before, approvalLinks, claims);
    const newLink = await signLinkToken(during, approvalLinks, claims);

    expect(await rejection(during, oldLink)).toBe('accepted');
    expect(await rejection(after, newLink)).toBe('accepted');
    expect(await rejection(after, oldLink)).toBe('forged');
  });

  it('checks each token once, in constant time, against the key it names', async () => {
    const during = new ApprovalSigningKey(newSecret, oldSecret);
    const oldLink = await signLinkToken(new ApprovalSigningKey(oldSecret), approvalLinks, claims);
    const newLink = await signLinkToken(during, approvalLinks, claims);
    const verify = vi.spyOn(crypto.subtle, 'verify');

    await verifyLinkToken(during, approvalLinks, oldLink, { subject: 'apr-1', now });
    await verifyLinkToken(during, approvalLinks, newLink, { subject: 'apr-1', now });

    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify.mock.calls.map(([algorithm]) => algorithm)).toEqual([
      expect.objectContaining({ name: 'HMAC' }),
      expect.objectContaining({ name: 'HMAC' }),
    ]);
  });

  it('reads a plain secret as the key and names what is wrong with a malformed rotation secret', () => {
    expect(() => signingKeyFromSecret('p'.repeat(32))).not.toThrow();
    expect(() => signingKeyFromSecret('{"current": ')).toThrow(/not valid JSON/);
    expect(() => signingKeyFromSecret(JSON.stringify({ previous: oldSecret }))).toThrow(
      /current: is required/,
    );
    expect(() => signingKeyFromSecret(JSON.stringify({ current: 'short' }))).toThrow(
      /current approval signing key has 5 bytes/,
    );
  });
});
