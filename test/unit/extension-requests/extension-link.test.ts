import { describe, expect, it } from 'vitest';
import { approvalLinkFor, approvalLinks } from '#domain/approvals/approval-link.ts';
import { ExtensionOfferExpiredError } from '#domain/extension-requests/errors.ts';
import { extensionLinks, extensionRequestLink } from '#domain/extension-requests/extension-link.ts';
import { LinkRefusedError } from '#domain/signed-links/errors.ts';
import { signLinkToken, verifyLinkToken } from '#domain/signed-links/link-token.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { withClaims } from '#test/unit/signed-links/signed-token-parts.ts';
import { viewExtensionOffer } from '#use-cases/request-extension.ts';

const key = new ApprovalSigningKey('unit-test-signing-key-0123456789abcdef');
const now = new Date('2027-02-06T09:00:00Z');
const expiresAt = new Date('2027-02-20T17:00:00Z');
const offer = { registrationId: 'reg-1', partnerEmail: 'Pat@Cloudsmiths.example' };

const verifyExtension = (token: string, subject = 'reg-1', verifyingKey = key) =>
  verifyLinkToken(verifyingKey, extensionLinks, token, { subject, now });

async function rejection(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof LinkRefusedError) return error.rejection;
    throw error;
  }
  return undefined;
}

async function tokenOf(link: Promise<string>): Promise<string> {
  return new URL(await link).searchParams.get('t') ?? '';
}

describe('extension request links', () => {
  it('carry the registration, the lower-cased partner email and the expiry', async () => {
    const token = await tokenOf(extensionRequestLink(key, 'https://api.example/prod', offer, expiresAt));

    expect(await verifyExtension(token)).toEqual({
      subject: 'reg-1',
      holder: 'pat@cloudsmiths.example',
      scope: undefined,
      expiresAt,
    });
  });

  it('lead to the registration’s extension page', async () => {
    const link = new URL(await extensionRequestLink(key, 'https://api.example/prod', offer, expiresAt));

    expect(link.pathname).toBe('/prod/registrations/reg-1/extension');
  });

  it('are forged when signed with another key, when a claim or the MAC is altered, or the MAC is spelled otherwise', async () => {
    const token = await tokenOf(extensionRequestLink(key, 'https://api.example', offer, expiresAt));
    const [header, payload = '', mac = ''] = token.split('.');
    const otherKey = await tokenOf(
      extensionRequestLink(
        new ApprovalSigningKey('another-signing-key-0123456789abcdef'),
        'https://api.example',
        offer,
        expiresAt,
      ),
    );
    const alteredClaims = withClaims(token, (claims) => ({ ...claims, email: 'eve@evil.example' }));
    const alteredMac = `${header}.${payload}.${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    // The last of 43 base64url characters carries 2 spare bits: another spelling of the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${header}.${payload}.${mac.slice(0, -1)}${alphabet[alphabet.indexOf(mac.at(-1) ?? '') ^ 1]}`;

    for (const forged of [otherKey, alteredClaims, alteredMac, respelled]) {
      expect(await rejection(() => verifyExtension(forged))).toBe('forged');
    }
  });

  it('are not approval links, nor the reverse', async () => {
    const extension = await tokenOf(extensionRequestLink(key, 'https://api.example', offer, expiresAt));
    const approval = await tokenOf(
      approvalLinkFor(
        key,
        'https://api.example',
        { approvalId: 'reg-1', approver: { email: offer.partnerEmail }, step: 'first-level' },
        expiresAt,
      ),
    );

    expect(await rejection(() => verifyExtension(approval))).toBe('malformed');
    await expect(verifyLinkToken(key, approvalLinks, extension, { subject: 'reg-1', now })).rejects.toThrow(
      /incomplete or damaged/,
    );
    const asExtension = withClaims(approval, (claims) => ({ ...claims, aud: extensionLinks.name }));
    expect(await rejection(() => verifyExtension(asExtension))).toBe('forged');
  });

  it('belong to one registration', async () => {
    const token = await tokenOf(extensionRequestLink(key, 'https://api.example', offer, expiresAt));

    expect(await rejection(() => verifyExtension(token, 'reg-2'))).toBe('wrong-registration');
  });

  it('expire with the offer, as a 410 rather than a forgery', async () => {
    const token = await tokenOf(extensionRequestLink(key, 'https://api.example', offer, expiresAt));
    const opening = viewExtensionOffer(
      {
        store: {
          get: () => Promise.reject(new Error('an expired link loads nothing')),
          recordRequest: () => Promise.reject(new Error('not called')),
          recordHandedOver: () => Promise.reject(new Error('not called')),
        },
        sendTaskSuccess: () => Promise.reject(new Error('not called')),
        signingKey: async () => key,
        now: () => expiresAt,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      },
      { subject: 'reg-1', token, access: { userAgent: 'test', sourceIp: '127.0.0.1' } },
    );

    await expect(opening).rejects.toThrow(ExtensionOfferExpiredError);
    await expect(opening).rejects.toMatchObject({ detail: { expiredAt: expiresAt.toISOString() } });
  });

  it('signed with the previous key still verify during a rotation', async () => {
    const token = await signLinkToken(
      new ApprovalSigningKey('previous-signing-key-0123456789abcdef'),
      extensionLinks,
      { subject: 'reg-1', holder: offer.partnerEmail, expiresAt },
    );
    const rotated = new ApprovalSigningKey(
      'current-signing-key-0123456789abcdefgh',
      'previous-signing-key-0123456789abcdef',
    );

    expect((await verifyExtension(token, 'reg-1', rotated)).subject).toBe('reg-1');
  });
});
