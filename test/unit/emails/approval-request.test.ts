import { describe, expect, it } from 'vitest';
import type { RegistrationDetails } from '#domain/registration.ts';
import { type ApprovalRequestEmailInput, renderApprovalRequestEmail } from '#emails/approval-request.ts';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { registrationSummaryFromApprovalSubject } from '#emails/registration-summary.ts';
import { occurrences, registration, verdict } from './registration-email-fixtures.ts';

const REVIEW_URL = 'https://dealreg.example/approvals/apr_01?t=tok.sig&v=2';

function input(overrides: Partial<ApprovalRequestEmailInput> = {}): ApprovalRequestEmailInput {
  return {
    approvalId: 'apr_01',
    approver: { name: 'Cam Channel', email: 'cam@vendor.example', timeZone: 'America/Los_Angeles' },
    registration: registration(),
    verdict: verdict(),
    reviewUrl: REVIEW_URL,
    deadline: '2026-11-26T22:00:00Z',
    escalatesTo: 'Director of Partnerships',
    ...overrides,
  };
}

describe('the approval request email', () => {
  it('about an extension, says what approving it does, not which relationship type to approve as', () => {
    const email = renderApprovalRequestEmail(
      input({
        request: { kind: 'extension', note: 'The partner asks to extend the registration by 90 days.' },
        finalDeadline: '2026-12-01T22:00:00Z',
        slaDefault: 'approve',
      }),
    );

    expect(email.text).toContain('IF YOU APPROVE THE EXTENSION');
    expect(email.text).toContain('The relationship the registration was approved as does not change.');
    expect(email.text).not.toContain('approve it as another relationship type');
    expect(email.text).not.toContain('the policy records it as');
    expect(email.text).toContain("the policy's default applies: the extension is approved.");
  });

  it('goes to the approver with a subject that says what to do and by when, in their zone', () => {
    const email = renderApprovalRequestEmail(input());

    expect(email.to).toEqual(['cam@vendor.example']);
    expect(email.template).toBe('approval-request');
    expect(email.subject).toBe(
      'Review and decide by Thu 26 Nov, 14:00 PST: Globex GmbH, EUR 300,000.00, registered by Acme Cloud Partners',
    );
  });

  it.each([
    ['America/Los_Angeles', 'Thursday 26 November 2026, 14:00 PST (America/Los_Angeles)'],
    ['Europe/Berlin', 'Thursday 26 November 2026, 23:00 GMT+1 (Europe/Berlin)'],
    ['Asia/Kolkata', 'Friday 27 November 2026, 03:30 GMT+5:30 (Asia/Kolkata)'],
  ])('shows the SLA deadline in the approver’s zone %s', (timeZone, shown) => {
    const email = renderApprovalRequestEmail(
      input({ approver: { name: 'Cam Channel', email: 'cam@vendor.example', timeZone } }),
    );

    expect(email.text).toContain(
      `Please decide by ${shown}. If you have not decided by then, it goes to Director of Partnerships.`,
    );
    expect(email.html).toContain(`Please decide by ${shown}.`);
  });

  it('summarises the registration: partner, customer, amount in its currency and USD, date, products, marketplace, campaign', () => {
    const email = renderApprovalRequestEmail(input());

    for (const line of [
      'Partner: Acme Cloud Partners (acme-partners.example)',
      'Customer: Globex GmbH (globex.example)',
      "Amount: EUR 300,000.00 (USD 324,000.00 at the day's rate)",
      'Expected close date: 15 Jan 2027',
      'Products: Analytics Cloud, Data Guard',
      'Cloud marketplace: AWS Marketplace',
      'Campaign: cmp-q4-aws-summit',
      'Reference: reg_01JDEALREG',
    ]) {
      expect(email.text).toContain(line);
    }
    expect(email.html).toContain('EUR 300,000.00 (USD 324,000.00 at the day&#39;s rate)');
    expect(email.html).toContain('Analytics Cloud, Data Guard');
  });

  it('takes a registration’s details as intake stores them, plus the id, partner name and USD amount', () => {
    const details: RegistrationDetails = {
      submitterEmail: 'pat@acme-partners.example',
      partnerDomain: 'acme-partners.example',
      customerCompanyName: 'Initech Ltd',
      customerCompanyKey: 'initech',
      customerDomain: 'initech.example',
      estimatedAmount: { minorUnits: 5_000_000, currency: 'GBP' },
      expectedCloseDate: '2027-03-31',
      products: ['Analytics Cloud'],
      cloudMarketplace: 'none',
    };

    const email = renderApprovalRequestEmail(
      input({ registration: { ...details, registrationId: 'reg_02', amountUsdMinor: 6_300_000 } }),
    );

    expect(email.text).toContain('Partner: acme-partners.example\n');
    expect(email.text).toContain("Amount: GBP 50,000.00 (USD 63,000.00 at the day's rate)");
    expect(email.text).toContain('Cloud marketplace: None');
    expect(email.text).toContain('Campaign: none given');
  });

  it('takes the subject an approval task stores', () => {
    const summary = registrationSummaryFromApprovalSubject('reg_03', {
      partnerDomain: 'acme-partners.example',
      submitterEmail: 'pat@acme-partners.example',
      customerCompanyName: 'Umbrella Corp',
      customerDomain: 'umbrella.example',
      amount: { minorUnits: 9_900_000, currency: 'EUR' },
      expectedCloseDate: '2027-04-30',
      products: [],
      cloudMarketplace: 'gcp',
      submittedAt: '2026-11-24T08:00:00.000Z',
      verdict: verdict(),
    });

    const email = renderApprovalRequestEmail(input({ registration: summary }));

    expect(email.text).toContain('Customer: Umbrella Corp (umbrella.example)');
    expect(email.text).toContain('Amount: EUR 99,000.00\n');
    expect(email.text).toContain('Products: none given');
    expect(email.text).toContain('Cloud marketplace: Google Cloud Marketplace');
    expect(email.text).toContain('Reference: reg_03');
  });

  it('shows a USD amount once', () => {
    const email = renderApprovalRequestEmail(
      input({
        registration: registration({
          estimatedAmount: { minorUnits: 12_000_000, currency: 'USD' },
          amountUsdMinor: 12_000_000,
        }),
      }),
    );

    expect(email.text).toContain('Amount: USD 120,000.00\n');
  });

  it('explains the verdict: outcome, rule, reason and every evidence item', () => {
    const email = renderApprovalRequestEmail(input());

    expect(email.text).toContain('Outcome: Needs review');
    expect(email.text).toContain('Rule: Direct-rep activity (direct-activity)');
    expect(email.text).toContain(`Reason: ${verdict().reason}`);
    expect(email.text).toContain('1. Open HubSpot deal "Globex renewal" owned by Dana Direct.');
    expect(email.text).toContain('open HubSpot deal "Globex renewal" (9001) · owner Dana Direct');
    expect(email.text).toContain('2. Dana Direct had a meeting with Globex 12 days before the submission.');
    expect(email.text).toContain('12 days before submission');
    expect(email.html).toContain('Open HubSpot deal &quot;Globex renewal&quot; owned by Dana Direct.');
  });

  it('says so when no rule fired', () => {
    const email = renderApprovalRequestEmail(
      input({
        verdict: verdict({
          outcome: 'clear',
          ruleId: 'no-conflict',
          reason: 'No rule fired.',
          evidence: [],
          firedRules: [],
        }),
      }),
    );

    expect(email.text).toContain('Outcome: No conflict');
    expect(email.text).toContain('Evidence: none');
  });

  it('names the intake finding that sent a registration no conflict rule fired for to review', () => {
    const submitter = {
      id: 'submitter-not-at-partner' as const,
      reason:
        "Submitted by pat@gmail.com, a free email address, not one at Acme Cloud Partners' domain acme-partners.example.",
    };
    const closeDate = {
      id: 'close-date-beyond-horizon' as const,
      reason:
        'The expected close date 2030-01-15 is more than 24 months after the registration was received (2026-11-24).',
    };
    const email = renderApprovalRequestEmail(
      input({
        verdict: verdict({
          outcome: 'needs-review',
          ruleId: 'no-conflict',
          reason: `No rule fired. ${submitter.reason} ${closeDate.reason}`,
          evidence: [],
          firedRules: [],
          intakeFindings: [submitter, closeDate],
        }),
      }),
    );

    expect(email.text).toContain('Outcome: Needs review');
    expect(email.text).not.toContain('No rule fired (no-conflict)');
    expect(email.text).toContain(
      'Rule: Intake check: submitter not at the partner company (submitter-not-at-partner); close date beyond the horizon (close-date-beyond-horizon)',
    );
    expect(email.html).not.toContain('No rule fired (no-conflict)');
    expect(email.html).toContain('submitter not at the partner company (submitter-not-at-partner)');
  });

  it('names the intake finding, not a rule whose own outcome was clear, as what sent it to review', () => {
    // existingCustomer.outcome "clear": the expansion rule fired but would have let it through.
    const email = renderApprovalRequestEmail(
      input({
        verdict: verdict({
          outcome: 'needs-review',
          ruleId: 'existing-customer',
          reason: 'Globex closed a deal as won 3 months ago. The expected close date 2030-01-15 is too far.',
          evidence: [],
          firedRules: [
            {
              ruleId: 'existing-customer',
              outcome: 'clear',
              reason: 'Globex closed a deal as won 3 months ago.',
              relationshipType: 'influenced',
            },
          ],
          intakeFindings: [
            { id: 'close-date-beyond-horizon', reason: 'The expected close date 2030-01-15 is too far.' },
          ],
        }),
      }),
    );

    expect(email.text).toContain(
      'Rule: Intake check: close date beyond the horizon (close-date-beyond-horizon)\n',
    );
    expect(email.text).toContain('Also: Existing customer (existing-customer), no conflict on its own');
  });

  it('names an intake finding beside the conflict rule that decided', () => {
    const email = renderApprovalRequestEmail(
      input({
        verdict: verdict({
          intakeFindings: [
            { id: 'submitter-not-at-partner', reason: 'Submitted by pat@gmail.com, not at the partner.' },
          ],
        }),
      }),
    );

    expect(email.text).toContain('Rule: Direct-rep activity (direct-activity)');
    expect(email.text).toContain(
      'Intake check: submitter not at the partner company (submitter-not-at-partner)',
    );
  });

  it('states the default relationship and what it means for partner and direct rep', () => {
    const email = renderApprovalRequestEmail(input());

    expect(email.text).toContain('If you approve, the policy records it as Partner-influenced (influenced).');
    expect(email.text).toContain('Partner earns: 10% margin (USD 32,400.00)');
    expect(email.text).toContain('Direct rep credited: 100% of quota (USD 324,000.00)');
    expect(email.html).toContain('10% margin (USD 32,400.00)');
  });

  it('carries the review link exactly once in each part and says opening it decides nothing', () => {
    const email = renderApprovalRequestEmail(input());
    const escaped = REVIEW_URL.replace(/&/g, '&amp;');

    expect(occurrences(email.html, 'href=')).toBe(1);
    expect(occurrences(email.html, `href="${escaped}"`)).toBe(1);
    expect(occurrences(email.text, REVIEW_URL)).toBe(1);
    expect(email.text).toContain(`Review and decide: ${REVIEW_URL}`);
    expect(email.html).toContain('>Review and decide</a>');
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Opening it decides nothing: you decide with the buttons on that page.');
    }
  });

  it.each([
    ['javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['mailto:cam@vendor.example'],
    ['ftp://dealreg.example/approvals/apr_01'],
    ['/approvals/apr_01?t=relative'],
  ])('refuses a review link that is not http or https: %s', (reviewUrl) => {
    expect(() => renderApprovalRequestEmail(input({ reviewUrl }))).toThrow(
      'reviewUrl: the review link must be an http or https URL',
    );
  });

  it('puts the approval id and policy version in the footer', () => {
    const email = renderApprovalRequestEmail(input());

    const footer = email.text.split('\n--\n')[1] ?? '';
    expect(footer).toContain('Approval apr_01 · registration reg_01JDEALREG · policy version pv-3f9a2c');
    expect(email.html).toContain('policy version pv-3f9a2c');
  });

  it('says why the approver is asked, naming the policy rule, in both parts', () => {
    const why =
      'The conflict check is clear, but the amount (USD 120,000.00) is not below the auto-approve limit of USD 25,000.00 (policy rule thresholds.autoApproveBelowUsd).';

    const email = renderApprovalRequestEmail(input({ approvalReason: why }));

    expect(email.text).toContain(`Why you are asked: ${why}`);
    expect(email.html).toContain('Why you are asked:');
    expect(email.html).toContain('(policy rule thresholds.autoApproveBelowUsd)');
  });

  it('says what the policy decides at the final deadline when given', () => {
    const email = renderApprovalRequestEmail(
      input({ finalDeadline: '2026-11-30T22:00:00Z', slaDefault: 'approve' }),
    );

    expect(email.text).toContain(
      "If nobody has decided by Monday 30 November 2026, 14:00 PST (America/Los_Angeles), the policy's default applies: approved as Partner-influenced.",
    );
  });

  it('says a second-level request is the second level and who approved the first', () => {
    const email = renderApprovalRequestEmail(
      input({
        level: 2,
        firstLevelApproval: {
          approverName: 'Cam Channel',
          approvedAt: '2026-11-24T15:00:00Z',
          relationshipLabel: 'Partner-influenced',
        },
        approver: { name: 'Vic Sales', email: 'vp-sales@vendor.example', timeZone: 'America/Los_Angeles' },
      }),
    );

    expect(email.subject).toMatch(/^Second-level approval: review and decide by /);
    expect(email.text).toContain('A deal registration needs your second-level approval');
    expect(email.text).toContain(
      'This is the second approval level, required for deals of this size. Cam Channel approved the first level as Partner-influenced on Tuesday 24 November 2026, 07:00 PST (America/Los_Angeles).',
    );
    expect(renderApprovalRequestEmail(input()).text).not.toContain('second approval level');
  });

  it.each([
    [
      'a second level without the first approval',
      { level: 2 as const },
      'firstLevelApproval: a second-level approval names who approved the first level',
    ],
    [
      'an unknown time zone',
      { approver: { name: 'Cam', email: 'cam@vendor.example', timeZone: 'Mars/Olympus' } },
      'approver.timeZone: must be an IANA time zone',
    ],
    [
      'a bad approver address',
      { approver: { name: 'Cam', email: 'cam', timeZone: 'UTC' } },
      'approver.email:',
    ],
    [
      'a deadline that is not a date-time',
      { deadline: 'Friday' },
      'deadline: deadline must be an ISO-8601 date-time',
    ],
    [
      'a verdict that rejects',
      { verdict: verdict({ outcome: 'reject', relationshipType: null, compensation: null }) },
      'verdict.compensation: an approver is only asked about a verdict that allows approval',
    ],
    [
      'an unknown currency',
      { registration: registration({ estimatedAmount: { minorUnits: 1, currency: 'EURO' } }) },
      'registration.estimatedAmount.currency: must be an ISO 4217 currency code',
    ],
    [
      'a bad close date',
      { registration: registration({ expectedCloseDate: '2027-02-30' }) },
      'registration.expectedCloseDate: must be a calendar date written YYYY-MM-DD',
    ],
    ['no approval id', { approvalId: ' ' }, 'approvalId: the approval id is required'],
  ])('refuses %s with a message naming the field', (_case, overrides, message) => {
    const render = () => renderApprovalRequestEmail(input(overrides as Partial<ApprovalRequestEmailInput>));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
