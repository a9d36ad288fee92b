import { describe, expect, it, vi } from 'vitest';
import { ApprovalLinkRejectedError } from '#domain/approvals/errors.ts';
import {
  approvalLink,
  approvalLinkFor,
  signLinkToken,
  verifyLinkToken,
} from '#domain/approvals/link-token.ts';
import { ApprovalSigningKey, signingKeyFromSecret } from '#domain/approvals/signing-key.ts';

const compare = vi.hoisted(() => ({ calls: [] as [Buffer, Buffer][] }));

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return {
    ...original,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compare.calls.push([
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      ]);
      return original.timingSafeEqual(a, b);
    },
  };
});

const key = new ApprovalSigningKey('k'.repeat(32));
const now = new Date('2026-11-24T09:00:00Z');
const claims = {
  approvalId: 'apr-1',
  approverEmail: 'Casey@Vendor.example',
  step: 'first-level' as const,
  expiresAt: new Date('2026-12-01T09:00:00Z'),
};

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApprovalLinkRejectedError) return error.rejection;
    throw error;
  }
  return 'accepted';
}

/** Re-encodes the claims part of a token with one claim changed, keeping the original MAC. */
function withClaims(token: string, change: (claims: unknown[]) => unknown[]): string {
  const [version, encoded, mac] = token.split('.');
  const decoded = JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString('utf8')) as unknown[];
  return `${version}.${Buffer.from(JSON.stringify(change(decoded))).toString('base64url')}.${mac}`;
}

describe('approval link tokens', () => {
  it('accepts the token it signed, with the approver email lower-cased', () => {
    const token = signLinkToken(key, claims);

    const verified = verifyLinkToken(key, token, { approvalId: 'apr-1', now });

    expect(verified).toEqual({ ...claims, approverEmail: 'casey@vendor.example' });
  });

  it.each([
    ['approval id', (c: unknown[]) => ['apr-2', ...c.slice(1)]],
    ['approver', (c: unknown[]) => [c[0], 'mallory@vendor.example', ...c.slice(2)]],
    ['step', (c: unknown[]) => [c[0], c[1], 'escalated', c[3]]],
    ['expiry', (c: unknown[]) => [c[0], c[1], c[2], Number(c[3]) + 86_400]],
  ])('refuses a token whose %s was changed as forged', (_part, change) => {
    const tampered = withClaims(signLinkToken(key, claims), change);

    expect(rejection(() => verifyLinkToken(key, tampered, { approvalId: 'apr-1', now }))).toBe('forged');
  });

  it('refuses a token with any single character of its MAC changed', () => {
    const token = signLinkToken(key, claims);
    const macStart = token.lastIndexOf('.') + 1;
    for (let i = macStart; i < token.length; i++) {
      const swapped = token[i] === 'A' ? 'B' : 'A';
      const tampered = `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
      expect(rejection(() => verifyLinkToken(key, tampered, { approvalId: 'apr-1', now }))).toBe('forged');
    }
  });

  it('refuses a token signed with another key', () => {
    const token = signLinkToken(new ApprovalSigningKey('x'.repeat(32)), claims);

    expect(rejection(() => verifyLinkToken(key, token, { approvalId: 'apr-1', now }))).toBe('forged');
  });

  it('refuses a genuine token used on another approval', () => {
    const token = signLinkToken(key, claims);

    expect(rejection(() => verifyLinkToken(key, token, { approvalId: 'apr-2', now }))).toBe('wrong-approval');
  });

  it('accepts a token until its expiry and refuses it from then on', () => {
    const token = signLinkToken(key, claims);
    const justBefore = new Date(claims.expiresAt.getTime() - 1000);

    expect(rejection(() => verifyLinkToken(key, token, { approvalId: 'apr-1', now: justBefore }))).toBe(
      'accepted',
    );
    expect(rejection(() => verifyLinkToken(key, token, { approvalId: 'apr-1', now: claims.expiresAt }))).toBe(
      'expired',
    );
  });

  it.each(['', 'v1', 'v1..', 'v2.abc.def', 'v1.abc.de=f', 'v1.abc.def.ghi', 'v1.%%%.AAAA'])(
    'refuses the damaged token %j without throwing anything else',
    (token) => {
      expect(['malformed', 'forged']).toContain(
        rejection(() => verifyLinkToken(key, token, { approvalId: 'apr-1', now })),
      );
    },
  );

  it('compares MACs with the constant-time comparison', () => {
    const token = signLinkToken(key, claims);
    compare.calls.length = 0;

    verifyLinkToken(key, token, { approvalId: 'apr-1', now });

    expect(compare.calls).toHaveLength(1);
    const [expected, given] = compare.calls[0] ?? [];
    expect(given?.toString('base64url')).toBe(token.split('.')[2]);
    expect(expected?.equals(given ?? Buffer.alloc(0))).toBe(true);
  });

  it('refuses a signing key shorter than 32 bytes', () => {
    expect(() => new ApprovalSigningKey('short')).toThrow(/at least 32/);
  });

  it('builds the emailed link under the API base URL with the token as `t`', () => {
    const link = approvalLink('https://api.example/prod', 'apr 1', 'v1.a.b');

    expect(link).toBe('https://api.example/prod/approvals/apr%201?t=v1.a.b');
  });
});

describe('the emailed approval link', () => {
  it('carries a token that verifies for the task it was issued for', () => {
    const task = {
      approvalId: 'apr-9',
      approver: { email: 'lee@vendor.example' },
      step: 'escalated' as const,
    };
    const link = new URL(approvalLinkFor(key, 'http://127.0.0.1:3000', task, claims.expiresAt));

    const verified = verifyLinkToken(key, link.searchParams.get('t') ?? '', { approvalId: 'apr-9', now });

    expect(link.pathname).toBe('/approvals/apr-9');
    expect(verified).toEqual({
      approvalId: 'apr-9',
      approverEmail: 'lee@vendor.example',
      step: 'escalated',
      expiresAt: claims.expiresAt,
    });
  });
});

describe('rotating the signing key', () => {
  const oldSecret = 'o'.repeat(32);
  const newSecret = 'n'.repeat(32);

  it('keeps links signed with the previous key working and signs new links with the current key', () => {
    const before = new ApprovalSigningKey(oldSecret);
    const during = signingKeyFromSecret(JSON.stringify({ current: newSecret, previous: oldSecret }));
    const after = new ApprovalSigningKey(newSecret);
    const oldLink = signLinkToken(before, claims);
    const newLink = signLinkToken(during, claims);

    expect(rejection(() => verifyLinkToken(during, oldLink, { approvalId: 'apr-1', now }))).toBe('accepted');
    expect(rejection(() => verifyLinkToken(after, newLink, { approvalId: 'apr-1', now }))).toBe('accepted');
    expect(rejection(() => verifyLinkToken(after, oldLink, { approvalId: 'apr-1', now }))).toBe('forged');
  });

  it('compares against every accepted key, each in constant time', () => {
    const during = new ApprovalSigningKey(newSecret, oldSecret);
    compare.calls.length = 0;

    verifyLinkToken(during, signLinkToken(during, claims), { approvalId: 'apr-1', now });

    expect(compare.calls).toHaveLength(2);
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
