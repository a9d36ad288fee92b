import { base64url, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { approvalLinkFor, approvalLinks } from '#domain/approvals/approval-link.ts';
import { extensionLinks } from '#domain/extension-requests/extension-link.ts';
import { LinkRefusedError } from '#domain/signed-links/errors.ts';
import { checkLinkHolder, linkUrl, signLinkToken, verifyLinkToken } from '#domain/signed-links/link-token.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { approvalLinkClaims, withClaims } from './signed-token-parts.ts';

const key = new ApprovalSigningKey('k'.repeat(32));
const now = new Date('2026-11-24T09:00:00Z');
const claims = approvalLinkClaims;

afterEach(() => {
  vi.restoreAllMocks();
});

async function rejection(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof LinkRefusedError) return error.rejection;
    throw error;
  }
  return 'accepted';
}

const verifyApproval = (token: string, at = now, subject = 'apr-1') =>
  verifyLinkToken(key, approvalLinks, token, { subject, now: at });

describe('link tokens', () => {
  it('accepts the token it signed, with the holder email lower-cased', async () => {
    const token = await signLinkToken(key, approvalLinks, claims);

    const verified = await verifyApproval(token);

    expect(verified).toEqual({ ...claims, holder: 'casey@vendor.example' });
  });

  it.each([
    ['approval id', (c: Record<string, unknown>) => ({ ...c, sub: 'apr-2' })],
    ['approver', (c: Record<string, unknown>) => ({ ...c, email: 'mallory@vendor.example' })],
    ['step', (c: Record<string, unknown>) => ({ ...c, scope: 'escalated' })],
    ['expiry', (c: Record<string, unknown>) => ({ ...c, exp: Number(c.exp) + 86_400 })],
    ['purpose', (c: Record<string, unknown>) => ({ ...c, aud: 'extension' })],
  ])('refuses a token whose %s was changed as forged', async (_part, change) => {
    const tampered = withClaims(await signLinkToken(key, approvalLinks, claims), change);

    expect(await rejection(() => verifyApproval(tampered))).toBe('forged');
  });

  it('refuses a token with any single character of its MAC changed', async () => {
    const token = await signLinkToken(key, approvalLinks, claims);
    const macStart = token.lastIndexOf('.') + 1;
    for (let i = macStart; i < token.length; i++) {
      const swapped = token[i] === 'A' ? 'B' : 'A';
      const tampered = `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
      expect(await rejection(() => verifyApproval(tampered))).toBe('forged');
    }
  });

  it('refuses a token signed with another key, even one that names this key', async () => {
    const otherSecret = new Uint8Array(32).fill(1);
    const otherKey = await signLinkToken(new ApprovalSigningKey('x'.repeat(32)), approvalLinks, claims);
    const posingAsThisKey = await new SignJWT({
      sub: 'apr-1',
      email: 'casey@vendor.example',
      scope: 'first-level',
    })
      .setProtectedHeader({ alg: 'HS256', kid: key.current.id })
      .setAudience(approvalLinks.name)
      .setExpirationTime(claims.expiresAt)
      .sign(otherSecret);

    expect(await rejection(() => verifyApproval(otherKey))).toBe('forged');
    expect(await rejection(() => verifyApproval(posingAsThisKey))).toBe('forged');
  });

  it('refuses a token whose header was changed to another algorithm as forged', async () => {
    const [, payload, mac] = (await signLinkToken(key, approvalLinks, claims)).split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'HS512', kid: key.current.id }));

    expect(await rejection(() => verifyApproval(`${header}.${payload}.${mac}`))).toBe('forged');
  });

  it('refuses a genuine token used on another approval', async () => {
    const token = await signLinkToken(key, approvalLinks, claims);

    expect(await rejection(() => verifyApproval(token, now, 'apr-2'))).toBe('wrong-approval');
  });

  it('accepts a token until its expiry and refuses it from then on', async () => {
    const token = await signLinkToken(key, approvalLinks, claims);
    const justBefore = new Date(claims.expiresAt.getTime() - 1000);

    expect(await rejection(() => verifyApproval(token, justBefore))).toBe('accepted');
    expect(await rejection(() => verifyApproval(token, claims.expiresAt))).toBe('expired');
  });

  it.each([
    '',
    'v1',
    'v1..',
    'v2.abc.def',
    'v1.abc.de=f',
    'v1.abc.def.ghi',
    'v1.%%%.AAAA',
    'eyJhbGciOiJub25lIn0.e30.',
  ])('refuses the damaged token %j without throwing anything else', async (token) => {
    expect(['malformed', 'forged']).toContain(await rejection(() => verifyApproval(token)));
  });

  it('checks the MAC with WebCrypto’s HMAC verify, which compares in constant time', async () => {
    const token = await signLinkToken(key, approvalLinks, claims);
    const verify = vi.spyOn(crypto.subtle, 'verify');

    await verifyApproval(token);

    expect(verify).toHaveBeenCalledTimes(1);
    const [algorithm, , signature] = verify.mock.calls[0] ?? [];
    expect(algorithm).toMatchObject({ name: 'HMAC' });
    expect(base64url.encode(new Uint8Array(signature as Uint8Array))).toBe(token.split('.')[2]);
  });

  it('builds the emailed link under the API base URL with the token as `t`', () => {
    const link = linkUrl(approvalLinks, 'https://api.example/prod', 'apr 1', 'a.b.c');

    expect(link).toBe('https://api.example/prod/approvals/apr%201?t=a.b.c');
  });
});

describe('link purposes', () => {
  it('never verify a link of one purpose as another, in either direction', async () => {
    const extension = await signLinkToken(key, extensionLinks, { ...claims, scope: undefined });
    const approval = await signLinkToken(key, approvalLinks, claims);

    expect(await rejection(() => verifyApproval(extension))).toBe('malformed');
    await expect(verifyApproval(extension)).rejects.toThrow(/approval link is incomplete or damaged/);
    expect(
      await rejection(() => verifyLinkToken(key, extensionLinks, approval, { subject: 'apr-1', now })),
    ).toBe('malformed');
  });

  it('refuse a link naming another person or another scope, with the purpose’s words', async () => {
    const verified = await verifyApproval(await signLinkToken(key, approvalLinks, claims));

    expect(() =>
      checkLinkHolder(approvalLinks, verified, { email: ' CASEY@vendor.example', scope: 'first-level' }),
    ).not.toThrow();
    expect(() =>
      checkLinkHolder(approvalLinks, verified, { email: 'lee@vendor.example', scope: 'first-level' }),
    ).toThrow(
      expect.objectContaining({
        rejection: 'wrong-approver',
        message: 'the approval link was issued to another approver',
      }),
    );
    expect(() =>
      checkLinkHolder(approvalLinks, verified, { email: 'casey@vendor.example', scope: 'escalated' }),
    ).toThrow(LinkRefusedError);
  });
});

describe('the emailed approval link', () => {
  it('carries a token that verifies for the task it was issued for', async () => {
    const task = {
      approvalId: 'apr-9',
      approver: { email: 'lee@vendor.example' },
      step: 'escalated' as const,
    };
    const link = new URL(await approvalLinkFor(key, 'http://127.0.0.1:3000', task, claims.expiresAt));

    const verified = await verifyApproval(link.searchParams.get('t') ?? '', now, 'apr-9');

    expect(link.pathname).toBe('/approvals/apr-9');
    expect(verified).toEqual({
      subject: 'apr-9',
      holder: 'lee@vendor.example',
      scope: 'escalated',
      expiresAt: claims.expiresAt,
    });
  });
});
