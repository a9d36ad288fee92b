import { describe, expect, it } from 'vitest';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import {
  type InvalidSubmissionEmailInput,
  renderInvalidSubmissionEmail,
} from '#emails/invalid-submission.ts';
import { unexpectedMarkup } from './html-safety.ts';

const HOSTILE = `<script>alert("pwned")</script>' onmouseover='x' "><img src=x onerror=alert(1)>`;

function input(overrides: Partial<InvalidSubmissionEmailInput> = {}): InvalidSubmissionEmailInput {
  return {
    to: 'pat@partner.example',
    registrationId: 'reg_01JDEALREG',
    receivedAt: '2026-11-24T08:05:00.000Z',
    customerCompanyName: 'Globex GmbH',
    problems: [
      {
        field: 'Customer domain',
        formField: 'customer_domain',
        message: 'Enter the customer’s website domain, such as globex.com.',
        value: 'not a domain',
      },
      {
        field: 'Estimated amount',
        formField: 'estimated_amount',
        message: 'Enter a number, such as 125000.',
        value: 'lots',
      },
      {
        field: 'Expected close date',
        formField: 'expected_close_date',
        message: 'The date is in the past; enter a future date as YYYY-MM-DD.',
        value: '2020-01-01',
      },
    ],
    supportEmail: 'partners@vendor.example',
    ...overrides,
  };
}

describe('the invalid-submission email', () => {
  it('lists every problem with its field, form field, message and entered value in both parts', () => {
    const email = renderInvalidSubmissionEmail(input());

    for (const problem of input().problems) {
      for (const part of [email.html, email.text]) {
        expect(part).toContain(problem.field);
        expect(part).toContain(problem.formField);
        expect(part).toContain(problem.message);
        expect(part).toContain(problem.value);
      }
    }
    expect(email.text).toMatch(
      /1\. Customer domain[\s\S]*2\. Estimated amount[\s\S]*3\. Expected close date/,
    );
    expect(email.text).toContain('3 fields need correcting');
  });

  it('says when it was received in the policy calendar’s zone, as every other partner email does', () => {
    // 02:30 UTC on 24 November is still 23 November in New York.
    const email = renderInvalidSubmissionEmail(
      input({ receivedAt: '2026-11-24T02:30:00.000Z', timeZone: 'America/New_York' }),
    );

    for (const part of [email.html, email.text]) {
      expect(part).toContain('Monday 23 November 2026, 21:30 EST (America/New_York)');
      expect(part).not.toContain('UTC');
    }
    // Without a calendar zone (a stage deployed before it was passed), UTC, said as such.
    expect(renderInvalidSubmissionEmail(input()).text).toContain('24 Nov 2026, 08:05 UTC');
  });

  it('is addressed to the submitter, tagged with its template and carries the reference id', () => {
    const email = renderInvalidSubmissionEmail(input());

    expect(email.to).toEqual(['pat@partner.example']);
    expect(email.template).toBe('invalid-submission');
    expect(email.text).toContain('Reference: reg_01JDEALREG');
    expect(email.html).toContain('reg_01JDEALREG');
    expect(email.text).toContain('Received: 24 Nov 2026, 08:05 UTC');
  });

  it('names the customer in the subject when known', () => {
    expect(renderInvalidSubmissionEmail(input()).subject).toBe(
      'Action needed: your deal registration for Globex GmbH was not accepted',
    );
    expect(renderInvalidSubmissionEmail(input({ customerCompanyName: undefined })).subject).toBe(
      'Action needed: your deal registration was not accepted',
    );
    expect(renderInvalidSubmissionEmail(input({ customerCompanyName: '  ' })).subject).toBe(
      'Action needed: your deal registration was not accepted',
    );
  });

  it('keeps the subject on one line whatever the customer name holds', () => {
    const email = renderInvalidSubmissionEmail(
      input({ customerCompanyName: 'Globex\r\nBcc: all@example.com' }),
    );

    expect(email.subject).toBe(
      'Action needed: your deal registration for Globex Bcc: all@example.com was not accepted',
    );
  });

  it('makes script and quotes in every field inert in HTML and keeps them verbatim in the text part', () => {
    const email = renderInvalidSubmissionEmail(
      input({
        registrationId: `reg-${HOSTILE}`,
        customerCompanyName: `Globex ${HOSTILE}`,
        problems: [
          {
            field: `Label ${HOSTILE}`,
            formField: `form_${HOSTILE}`,
            message: `Message ${HOSTILE}`,
            value: HOSTILE,
          },
        ],
      }),
    );

    expect(unexpectedMarkup(email.html)).toEqual([]);
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain(HOSTILE);
    expect(email.html).toContain(
      '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39;',
    );
    for (const verbatim of [
      `Globex ${HOSTILE}`,
      `Label ${HOSTILE}`,
      `form_${HOSTILE}`,
      `Message ${HOSTILE}`,
      `"${HOSTILE}"`,
      `Reference: reg-${HOSTILE}`,
    ]) {
      expect(email.text).toContain(verbatim);
    }
  });

  it('the inertness check itself catches markup that escaped', () => {
    const email = renderInvalidSubmissionEmail(input());

    expect(unexpectedMarkup(email.html.replace('</h1>', `</h1>${HOSTILE}`))).not.toEqual([]);
  });

  it('says a field was left empty instead of quoting nothing', () => {
    const email = renderInvalidSubmissionEmail(
      input({ problems: [{ field: 'Customer domain', formField: 'customer_domain', message: 'Required.' }] }),
    );

    expect(email.text).toContain('You entered: (left empty)');
    expect(email.html).toContain('(left empty)');
    expect(email.text).toContain('1 field needs correcting');
  });

  it('cuts a very long entered value so the email stays readable', () => {
    const email = renderInvalidSubmissionEmail(
      input({
        problems: [
          {
            field: 'Deal description',
            formField: 'deal_description',
            message: 'Too long.',
            value: 'x'.repeat(5000),
          },
        ],
      }),
    );

    expect(email.text).toContain(`"${'x'.repeat(300)}… (cut)"`);
    expect(email.text).not.toContain('x'.repeat(301));
  });

  it('links the support address when there is one and falls back to a plain instruction when not', () => {
    const withSupport = renderInvalidSubmissionEmail(input());
    const withoutSupport = renderInvalidSubmissionEmail(input({ supportEmail: undefined }));

    expect(withSupport.html).toContain(
      'href="mailto:partners@vendor.example?subject=Deal%20registration%20reg_01JDEALREG"',
    );
    expect(withSupport.text).toContain('Write to partners@vendor.example and quote reference reg_01JDEALREG');
    expect(withoutSupport.html).not.toContain('mailto:');
    expect(withoutSupport.text).toContain('quote reference reg_01JDEALREG');
  });

  it('links back to the page the form was submitted from, and only an http(s) page', () => {
    const withForm = renderInvalidSubmissionEmail(
      input({ formUrl: 'https://partners.example/register?x=1&y=2' }),
    );
    const hostile = renderInvalidSubmissionEmail(input({ formUrl: 'javascript:alert(1)' }));
    const none = renderInvalidSubmissionEmail(input());

    expect(withForm.html).toContain('href="https://partners.example/register?x=1&amp;y=2"');
    expect(withForm.text).toContain('The form: https://partners.example/register?x=1&y=2');
    expect(hostile.html).not.toContain('javascript:');
    expect(hostile.text).not.toContain('The form:');
    expect(none.html).not.toContain('Open the deal registration form');
  });

  it.each([
    ['no problems', { problems: [] }, 'problems: an invalid-submission email needs at least one problem'],
    ['a bad recipient', { to: 'not-an-address' }, 'to: the recipient must be an email address'],
    ['a bad date', { receivedAt: 'yesterday' }, 'receivedAt: receivedAt must be an ISO-8601 date-time'],
    [
      'a problem without a message',
      { problems: [{ field: 'Currency', formField: 'currency', message: ' ' }] },
      'problems[0].message: a problem needs a message',
    ],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    expect(() => renderInvalidSubmissionEmail(input(overrides))).toThrow(EmailTemplateInputError);
    expect(() => renderInvalidSubmissionEmail(input(overrides))).toThrow(message);
  });
});
