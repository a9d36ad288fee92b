import { describe, expect, it } from 'vitest';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import {
  type InformationRequestEmailInput,
  renderInformationRequestEmail,
} from '#emails/information-request.ts';
import { occurrences, registration } from './registration-email-fixtures.ts';

const FORM_URL = 'https://partners.vendor.example/register-a-deal?ref=reg_01JDEALREG';

function input(overrides: Partial<InformationRequestEmailInput> = {}): InformationRequestEmailInput {
  return {
    to: 'pat@acme-partners.example',
    registration: registration(),
    approverName: 'Cam Channel',
    approverEmail: 'cam@vendor.example',
    question: 'Who is your contact at Globex?\nIs procurement already involved?',
    askedAt: '2026-11-25T15:30:00Z',
    resubmitUrl: FORM_URL,
    timeZone: 'America/New_York',
    policyVersion: 'pv-3f9a2c',
    ...overrides,
  };
}

describe('the information request email', () => {
  it('asks the submitter to act, quoting the approver’s question as written', () => {
    const email = renderInformationRequestEmail(input());

    expect(email.to).toEqual(['pat@acme-partners.example']);
    expect(email.template).toBe('information-request');
    expect(email.subject).toBe(
      'Action needed: answer a question about your deal registration for Globex GmbH',
    );
    expect(email.text).toContain(
      'Cam Channel asked on Wednesday 25 November 2026, 10:30 EST (America/New_York):\n> Who is your contact at Globex?\n> Is procurement already involved?',
    );
    expect(email.html).toContain('Who is your contact at Globex?\nIs procurement already involved?');
  });

  it('says how to answer: the form link once, or writing to the approver with the reference', () => {
    const email = renderInformationRequestEmail(input());

    expect(email.text).toContain(
      'Submit the deal registration form again with the missing details and quote reference reg_01JDEALREG',
    );
    expect(occurrences(email.text, FORM_URL)).toBe(1);
    expect(occurrences(email.html, 'href=')).toBe(1);
    expect(email.text).toContain(
      'If the question is unclear, write to Cam Channel at cam@vendor.example and quote reference reg_01JDEALREG; the approval goes on once you have submitted the form again.',
    );

    const byEmailOnly = renderInformationRequestEmail(input({ resubmitUrl: undefined }));
    expect(byEmailOnly.text).toContain('Write to Cam Channel at cam@vendor.example');
    expect(byEmailOnly.html).not.toContain('href=');
  });

  it('says the SLA clock is paused until the partner answers', () => {
    const email = renderInformationRequestEmail(input());

    for (const part of [email.text, email.html]) {
      expect(part).toContain('The approval clock (SLA) is paused until you answer.');
    }
  });

  it.each([
    ['an empty question', { question: '  \n ' }, 'question: the question must not be empty'],
    [
      'no way to answer',
      { resubmitUrl: undefined, approverEmail: undefined },
      'resubmitUrl: give the partner a way to answer',
    ],
    [
      'a script link',
      { resubmitUrl: 'javascript:alert(1)' },
      'resubmitUrl: the resubmission link must be an http or https URL',
    ],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone: must be an IANA time zone'],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    const render = () => renderInformationRequestEmail(input(overrides));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
