import { describe, expect, it } from 'vitest';
import {
  type ApprovalEscalationEmailInput,
  renderApprovalEscalationEmail,
} from '#emails/approval-escalation.ts';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { occurrences, registration, verdict } from './registration-email-fixtures.ts';

const REVIEW_URL = 'https://dealreg.example/approvals/apr_01?t=second.token';

function input(overrides: Partial<ApprovalEscalationEmailInput> = {}): ApprovalEscalationEmailInput {
  return {
    approvalId: 'apr_01',
    approver: { name: 'Dee Director', email: 'dee@vendor.example', timeZone: 'Europe/London' },
    previousApprover: { name: 'Cam Channel', email: 'cam@vendor.example' },
    registration: registration(),
    verdict: verdict(),
    reviewUrl: REVIEW_URL,
    requestedAt: '2026-11-24T14:00:00Z',
    missedDeadline: '2026-11-26T22:00:00Z',
    deadline: '2026-11-30T17:00:00Z',
    finalDeadline: '2026-12-01T17:00:00Z',
    slaDefault: 'approve',
    ...overrides,
  };
}

describe('the approval escalation email', () => {
  it('goes to the next approver with a subject saying it was escalated and the new deadline', () => {
    const email = renderApprovalEscalationEmail(input());

    expect(email.to).toEqual(['dee@vendor.example']);
    expect(email.template).toBe('approval-escalation');
    expect(email.subject).toBe(
      'Escalated to you: decide by Mon 30 Nov, 17:00 GMT on Globex GmbH, EUR 300,000.00, registered by Acme Cloud Partners',
    );
  });

  it('names who did not act and the deadline they missed, in the new approver’s zone', () => {
    const email = renderApprovalEscalationEmail(input());

    expect(email.text).toContain(
      'Dee Director, Cam Channel (cam@vendor.example) was asked on Tuesday 24 November 2026, 14:00 GMT (Europe/London) to decide',
    );
    expect(email.text).toContain(
      'did not decide by the SLA deadline of Thursday 26 November 2026, 22:00 GMT (Europe/London).',
    );
    expect(email.text).toContain('The link sent to Cam Channel no longer works.');
  });

  it('gives the new deadline and what the policy decides at the final one', () => {
    const email = renderApprovalEscalationEmail(input());

    expect(email.text).toContain('Please decide by Monday 30 November 2026, 17:00 GMT (Europe/London).');
    expect(email.text).toContain(
      "If nobody has decided by Tuesday 1 December 2026, 17:00 GMT (Europe/London), the policy's default applies: approved as Partner-influenced.",
    );
    const rejecting = renderApprovalEscalationEmail(input({ slaDefault: 'reject' }));
    expect(rejecting.text).toContain("the policy's default applies: rejected.");
  });

  it('shows the full evidence, since the new approver has not seen it', () => {
    const email = renderApprovalEscalationEmail(input());

    expect(email.text).toContain('1. Open HubSpot deal "Globex renewal" owned by Dana Direct.');
    expect(email.text).toContain('2. Dana Direct had a meeting with Globex');
  });

  it('carries the new approver’s review link exactly once', () => {
    const email = renderApprovalEscalationEmail(input());

    expect(occurrences(email.html, 'href=')).toBe(1);
    expect(occurrences(email.html, `href="${REVIEW_URL}"`)).toBe(1);
    expect(occurrences(email.text, REVIEW_URL)).toBe(1);
  });

  it.each([
    ['no previous approver', { previousApprover: undefined }, 'previousApprover:'],
    [
      'no missed deadline',
      { missedDeadline: 'soon' },
      'missedDeadline: missedDeadline must be an ISO-8601 date-time',
    ],
    ['an unknown default', { slaDefault: 'maybe' }, 'slaDefault: slaDefault must be approve or reject'],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    const render = () =>
      renderApprovalEscalationEmail(input(overrides as unknown as Partial<ApprovalEscalationEmailInput>));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
