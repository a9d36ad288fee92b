import { describe, expect, it } from 'vitest';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { renderExpiryWarningEmail } from '#emails/expiry-warning.ts';
import { renderInformationRequestEmail } from '#emails/information-request.ts';
import { renderRegistrationReceivedEmail } from '#emails/registration-received.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { registration } from './registration-email-fixtures.ts';

const STATUS_URL = 'https://api.vendor.example/prod/registrations/reg_01JDEALREG/status?t=abc.def.ghi';
const common = {
  to: 'pat@acme-partners.example',
  registration: registration(),
  statusUrl: STATUS_URL,
  timeZone: 'America/New_York',
  policyVersion: 'pv-3f9a2c',
};

const emails: [string, () => OutgoingEmail][] = [
  [
    'registration-received',
    () => renderRegistrationReceivedEmail({ ...common, slaDeadline: '2026-11-27T22:00:00Z' }),
  ],
  [
    'information-request',
    () =>
      renderInformationRequestEmail({
        ...common,
        approverName: 'Cam Channel',
        approverEmail: 'cam@vendor.example',
        question: 'Who is your contact?',
        askedAt: '2026-11-25T15:30:00Z',
      }),
  ],
  [
    'expiry-warning',
    () =>
      renderExpiryWarningEmail({
        ...common,
        relationshipLabel: 'Partner-sourced',
        expiresAt: '2027-02-23T15:30:00Z',
        extension: { available: false },
      }),
  ],
];

describe('the link to the status page in every email to the partner', () => {
  it.each(emails)('the %s email links to the status page in both parts', (_, render) => {
    const email = render();

    expect(email.text).toContain(`See where your registration stands: ${STATUS_URL}`);
    expect(email.html).toContain(`href="${STATUS_URL}"`);
  });

  it('the confirmation says by when an approver decides, in the partner-facing zone', () => {
    const email = renderRegistrationReceivedEmail({ ...common, slaDeadline: '2026-11-27T22:00:00Z' });

    expect(email.subject).toBe('Registration received: Globex GmbH');
    expect(email.text).toContain(
      'An approver decides by Friday 27 November 2026, 17:00 EST (America/New_York)',
    );
  });

  it('refuses a status link that is not a web link, naming it', () => {
    expect(() =>
      renderRegistrationReceivedEmail({
        ...common,
        statusUrl: 'javascript:alert(1)',
        slaDeadline: '2026-11-27T22:00:00Z',
      }),
    ).toThrow(EmailTemplateInputError);
  });
});
