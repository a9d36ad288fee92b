import { describe, expect, it } from 'vitest';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { type ExpiryWarningEmailInput, renderExpiryWarningEmail } from '#emails/expiry-warning.ts';
import { occurrences, registration } from './registration-email-fixtures.ts';

const EXTENSION_URL = 'https://partners.vendor.example/extend?registration=reg_01JDEALREG';

function input(overrides: Partial<ExpiryWarningEmailInput> = {}): ExpiryWarningEmailInput {
  return {
    to: 'pat@acme-partners.example',
    registration: registration(),
    relationshipLabel: 'Partner-sourced',
    expiresAt: '2027-02-23T15:30:00Z',
    extension: {
      available: true,
      days: 90,
      requestUrl: EXTENSION_URL,
      contactEmail: 'partners@vendor.example',
    },
    timeZone: 'America/New_York',
    policyVersion: 'pv-3f9a2c',
    ...overrides,
  };
}

describe('the expiry warning email', () => {
  it('says when the registration expires and what that means', () => {
    const email = renderExpiryWarningEmail(input());

    expect(email.to).toEqual(['pat@acme-partners.example']);
    expect(email.template).toBe('expiry-warning');
    expect(email.subject).toBe(
      'Action needed: your deal registration for Globex GmbH expires on 23 Feb 2027; request the extension if the deal is still open',
    );
    expect(email.text).toContain(
      'Your registration of the deal with Globex GmbH (approved as Partner-sourced) expires on Tuesday 23 February 2027, 10:30 EST (America/New_York).',
    );
    expect(email.text).toContain('After that it no longer protects your claim to this deal');
  });

  it('explains how to request the one extension: the link once, and the contact', () => {
    const email = renderExpiryWarningEmail(input());

    expect(email.text).toContain('you can request one extension of 90 days. An approver decides on it');
    expect(email.text).toContain(`Request the extension: ${EXTENSION_URL}`);
    expect(occurrences(email.text, EXTENSION_URL)).toBe(1);
    expect(occurrences(email.html, 'href=')).toBe(1);
    expect(email.text).toContain('Or write to partners@vendor.example and quote reference reg_01JDEALREG.');
  });

  it('says when the extension was already used', () => {
    const email = renderExpiryWarningEmail(input({ extension: { available: false } }));

    expect(email.subject).toBe('Your deal registration for Globex GmbH expires on 23 Feb 2027');
    expect(email.text).toContain(
      'This registration has already had its extension and cannot be extended again.',
    );
    expect(email.text).not.toContain('request one extension');
    expect(email.html).not.toContain('href=');
  });

  it.each([
    [
      'an extension with no way to request it',
      { extension: { available: true as const, days: 90 } },
      'extension.requestUrl: say how to request the extension',
    ],
    [
      'a script link',
      { extension: { available: true as const, days: 90, requestUrl: 'javascript:alert(1)' } },
      'extension.requestUrl: the extension request link must be an http or https URL',
    ],
    ['no expiry date', { expiresAt: '' }, 'expiresAt: expiresAt must be an ISO-8601 date-time'],
    ['a bad recipient', { to: 'pat' }, 'to: the recipient must be an email address'],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    const render = () => renderExpiryWarningEmail(input(overrides));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
