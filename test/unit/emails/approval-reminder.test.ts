import { describe, expect, it } from 'vitest';
import { type ApprovalReminderEmailInput, renderApprovalReminderEmail } from '#emails/approval-reminder.ts';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { occurrences, registration, verdict } from './registration-email-fixtures.ts';

const REVIEW_URL = 'http://127.0.0.1:4010/approvals/apr_01?t=tok.sig';

function input(overrides: Partial<ApprovalReminderEmailInput> = {}): ApprovalReminderEmailInput {
  return {
    approvalId: 'apr_01',
    approver: { name: 'Cam Channel', email: 'cam@vendor.example', timeZone: 'America/New_York' },
    registration: registration(),
    verdict: verdict(),
    reviewUrl: REVIEW_URL,
    requestedAt: new Date('2026-11-24T14:00:00Z'),
    deadline: new Date('2026-11-26T22:00:00Z'),
    escalatesTo: 'Director of Partnerships',
    ...overrides,
  };
}

describe('the approval reminder email', () => {
  it('reminds the same approver, with the deadline in the subject in their zone', () => {
    const email = renderApprovalReminderEmail(input());

    expect(email.to).toEqual(['cam@vendor.example']);
    expect(email.template).toBe('approval-reminder');
    expect(email.subject).toBe(
      'Reminder: decide by Thu 26 Nov, 17:00 EST on Globex GmbH, registered by Acme Cloud Partners',
    );
  });

  it('says when they were asked, the SLA deadline and who it escalates to, in their zone', () => {
    const email = renderApprovalReminderEmail(input());

    expect(email.text).toContain(
      'you were asked on Tuesday 24 November 2026, 09:00 EST (America/New_York) to decide on the deal',
    );
    expect(email.text).toContain(
      'The SLA deadline is Thursday 26 November 2026, 17:00 EST (America/New_York). After that it is escalated to Director of Partnerships and this link no longer works.',
    );
  });

  it('carries the review link exactly once, http included, and says opening it decides nothing', () => {
    const email = renderApprovalReminderEmail(input());

    expect(occurrences(email.html, 'href=')).toBe(1);
    expect(occurrences(email.html, `href="${REVIEW_URL}"`)).toBe(1);
    expect(occurrences(email.text, REVIEW_URL)).toBe(1);
    expect(email.text).toContain('Opening it decides nothing');
  });

  it('keeps the registration and the verdict’s reason but leaves the evidence list to the page', () => {
    const email = renderApprovalReminderEmail(input());

    expect(email.text).toContain('Customer: Globex GmbH (globex.example)');
    expect(email.text).toContain(`${verdict().reason} The page lists the evidence.`);
    expect(email.text).not.toContain('Globex renewal');
    expect(email.text).toContain('Partner earns: 10% margin (USD 32,400.00)');
  });

  it('reminds a second-level approver that it is the second level', () => {
    const email = renderApprovalReminderEmail(
      input({
        level: 2,
        firstLevelApproval: { approverName: 'Cam Channel', approvedAt: '2026-11-23T15:00:00Z' },
      }),
    );

    expect(email.text).toContain('This is the second approval level');
    expect(email.text).toContain(
      'Cam Channel approved the first level on Monday 23 November 2026, 10:00 EST',
    );
  });

  it.each([
    ['no request time', { requestedAt: undefined }, 'requestedAt: requestedAt must be an ISO-8601 date-time'],
    [
      'a script link',
      { reviewUrl: 'javascript:alert(1)' },
      'reviewUrl: the review link must be an http or https URL',
    ],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    const render = () => renderApprovalReminderEmail(input(overrides as Partial<ApprovalReminderEmailInput>));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
