import { describe, expect, it } from 'vitest';
import { signLinkToken, verifyLinkToken } from '#domain/approvals/link-token.ts';
import { ApprovalSigningKey } from '#domain/approvals/signing-key.ts';
import { ExtensionLinkRejectedError, ExtensionOfferExpiredError } from '#domain/extension-requests/errors.ts';
import {
  extensionRequestLink,
  signExtensionToken,
  verifyExtensionToken,
} from '#domain/extension-requests/extension-token.ts';

const key = new ApprovalSigningKey('unit-test-signing-key-0123456789abcdef');
const now = new Date('2027-02-06T09:00:00Z');
const expiresAt = new Date('2027-02-20T17:00:00Z');
const claims = { registrationId: 'reg-1', partnerEmail: 'Pat@Cloudsmiths.example', expiresAt };

function rejection(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ExtensionLinkRejectedError) return error.rejection;
    throw error;
  }
  return undefined;
}

describe('extension request tokens', () => {
  it('carry the registration, the lower-cased partner email and the expiry', () => {
    const token = signExtensionToken(key, claims);

    expect(verifyExtensionToken(key, token, { registrationId: 'reg-1', now })).toEqual({
      registrationId: 'reg-1',
      partnerEmail: 'pat@cloudsmiths.example',
      expiresAt,
    });
  });

  it('put the token in a link to the registration’s extension page', () => {
    const link = new URL(extensionRequestLink(key, 'https://api.example/prod', claims, expiresAt));

    expect(link.pathname).toBe('/prod/registrations/reg-1/extension');
    expect(
      verifyExtensionToken(key, link.searchParams.get('t') ?? '', { registrationId: 'reg-1', now })
        .partnerEmail,
    ).toBe('pat@cloudsmiths.example');
  });

  it('are forged when signed with another key, when a claim or the MAC is altered, or the MAC is spelled otherwise', () => {
    const token = signExtensionToken(key, claims);
    const [version, encoded, mac = ''] = token.split('.');
    const otherKey = signExtensionToken(
      new ApprovalSigningKey('another-signing-key-0123456789abcdef'),
      claims,
    );
    const alteredClaims = `${version}.${Buffer.from(JSON.stringify(['extension', 'reg-1', 'eve@evil.example', 1900000000])).toString('base64url')}.${mac}`;
    const alteredMac = `${version}.${encoded}.${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    // The last of 43 base64url characters carries 2 spare bits: another spelling of the same bytes.
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(
      mac.at(-1) ?? '',
    );
    const respelled = `${version}.${encoded}.${mac.slice(0, -1)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex ^ 1]}`;

    for (const forged of [otherKey, alteredClaims, alteredMac, respelled]) {
      expect(rejection(() => verifyExtensionToken(key, forged, { registrationId: 'reg-1', now }))).toBe(
        'forged',
      );
    }
  });

  it('are not approval link tokens, nor the reverse', () => {
    const extension = signExtensionToken(key, claims);
    const approval = signLinkToken(key, {
      approvalId: 'reg-1',
      approverEmail: 'pat@cloudsmiths.example',
      step: 'first-level',
      expiresAt,
    });

    expect(rejection(() => verifyExtensionToken(key, approval, { registrationId: 'reg-1', now }))).toBe(
      'malformed',
    );
    expect(() => verifyLinkToken(key, extension, { approvalId: 'reg-1', now })).toThrow(
      /incomplete or damaged/,
    );
    const asExtension = approval.replace(/^v1\./, 'e1.');
    expect(rejection(() => verifyExtensionToken(key, asExtension, { registrationId: 'reg-1', now }))).toBe(
      'forged',
    );
  });

  it('belong to one registration', () => {
    const token = signExtensionToken(key, claims);

    expect(rejection(() => verifyExtensionToken(key, token, { registrationId: 'reg-2', now }))).toBe(
      'wrong-registration',
    );
  });

  it('expire with the offer, as a 410 rather than a forgery', () => {
    const token = signExtensionToken(key, claims);

    expect(() => verifyExtensionToken(key, token, { registrationId: 'reg-1', now: expiresAt })).toThrow(
      ExtensionOfferExpiredError,
    );
  });

  it('signed with the previous key still verify during a rotation', () => {
    const token = signExtensionToken(new ApprovalSigningKey('previous-signing-key-0123456789abcdef'), claims);
    const rotated = new ApprovalSigningKey(
      'current-signing-key-0123456789abcdefgh',
      'previous-signing-key-0123456789abcdef',
    );

    expect(verifyExtensionToken(rotated, token, { registrationId: 'reg-1', now }).registrationId).toBe(
      'reg-1',
    );
  });
});
