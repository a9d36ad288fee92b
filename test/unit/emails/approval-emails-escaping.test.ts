import { describe, expect, it } from 'vitest';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { renderApprovalEscalationEmail } from '#emails/approval-escalation.ts';
import { renderApprovalReminderEmail } from '#emails/approval-reminder.ts';
import { renderApprovalRequestEmail } from '#emails/approval-request.ts';
import { renderExpiryWarningEmail } from '#emails/expiry-warning.ts';
import { renderInformationRequestEmail } from '#emails/information-request.ts';
import { renderRegistrationDecisionEmail } from '#emails/registration-decision.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { unexpectedMarkup } from './html-safety.ts';
import { HOSTILE, HOSTILE_ESCAPED, registration, verdict } from './registration-email-fixtures.ts';

const bad = (label: string) => `${label} ${HOSTILE}`;

/** Every free-text value a partner, a HubSpot user or an approver could have typed. */
const hostileRegistration = registration({
  registrationId: bad('reg'),
  partnerName: bad('Acme'),
  customerCompanyName: bad('Globex'),
  customerDomain: bad('globex.example'),
  customerCountry: bad('DE'),
  products: [bad('Analytics'), bad('Guard')],
  campaignId: bad('cmp'),
  dealDescription: bad('description'),
});

const base = verdict();
const hostileVerdict: ConflictVerdict = {
  ...base,
  reason: bad('reason'),
  policyVersion: bad('pv'),
  evidence: [
    {
      kind: 'registration',
      ruleId: 'competing-partner',
      detail: bad('detail'),
      registrationId: bad('other-reg'),
      partnerId: '1',
      partnerDomain: bad('other.example'),
      partnerName: bad('Other partner'),
      status: 'approved',
      submittedAt: bad('submitted'),
      matchedBy: 'company-name',
      similarity: 0.93,
    },
    {
      kind: 'open-deal',
      ruleId: 'direct-activity',
      detail: bad('deal detail'),
      dealId: bad('9001'),
      dealName: bad('deal'),
      ownerName: bad('Dana'),
      stage: bad('stage'),
    },
    {
      kind: 'engagement',
      ruleId: 'direct-activity',
      detail: bad('engagement detail'),
      engagementId: bad('eng'),
      type: bad('MEETING'),
      occurredAt: '2026-11-12T15:00:00.000Z',
      daysBeforeSubmission: 12,
    },
    {
      kind: 'closed-won-deal',
      ruleId: 'existing-customer',
      detail: bad('won detail'),
      dealId: '7',
      dealName: bad('won deal'),
      closedAt: '2026-03-01T00:00:00.000Z',
    },
  ],
  compensation: base.compensation && { ...base.compensation, label: bad('Partner-influenced') },
};

const approver = { name: bad('Cam'), email: 'cam@vendor.example', timeZone: 'America/New_York' };
const hostileUrl = `https://dealreg.example/approvals/a?t="><script>alert(1)</script>&x='y'`;
const approvalFields = {
  approvalId: bad('apr'),
  approver,
  registration: hostileRegistration,
  verdict: hostileVerdict,
  reviewUrl: hostileUrl,
  deadline: '2026-11-26T22:00:00Z',
  escalatesTo: bad('Director'),
  level: 2 as const,
  firstLevelApproval: {
    approverName: bad('First'),
    approvedAt: '2026-11-24T15:00:00Z',
    relationshipLabel: bad('label'),
    reason: bad('first reason'),
  },
};

/** Each email, how to render it with hostile values, and whether it carries a link. */
const emails: ReadonlyArray<readonly [string, () => OutgoingEmail, boolean]> = [
  ['approval request', () => renderApprovalRequestEmail(approvalFields), true],
  [
    'approval reminder',
    () => renderApprovalReminderEmail({ ...approvalFields, requestedAt: '2026-11-24T14:00:00Z' }),
    true,
  ],
  [
    'approval escalation',
    () =>
      renderApprovalEscalationEmail({
        ...approvalFields,
        previousApprover: { name: bad('Prev'), email: 'prev@vendor.example' },
        requestedAt: '2026-11-24T14:00:00Z',
        missedDeadline: '2026-11-26T22:00:00Z',
      }),
    true,
  ],
  [
    'approval decision',
    () =>
      renderRegistrationDecisionEmail({
        to: 'pat@acme-partners.example',
        registration: hostileRegistration,
        decision: {
          outcome: 'approved',
          decidedThrough: 'approver',
          decidedBy: bad('Cam'),
          decidedAt: '2026-11-25T15:30:00Z',
          relationshipType: 'influenced',
          relationshipLabel: bad('Partner-influenced'),
          override: { policyRelationshipLabel: bad('Partner-sourced'), reason: bad('override reason') },
          validUntil: '2027-02-23T15:30:00Z',
        },
        timeZone: 'America/New_York',
        policyVersion: bad('pv'),
      }),
    false,
  ],
  [
    'rejection decision',
    () =>
      renderRegistrationDecisionEmail({
        to: 'pat@acme-partners.example',
        registration: hostileRegistration,
        decision: {
          outcome: 'rejected',
          decidedThrough: 'approver',
          decidedBy: bad('Cam'),
          decidedAt: '2026-11-25T15:30:00Z',
          reason: bad('rejection reason'),
        },
        timeZone: 'America/New_York',
        policyVersion: bad('pv'),
      }),
    false,
  ],
  [
    'information request',
    () =>
      renderInformationRequestEmail({
        to: 'pat@acme-partners.example',
        registration: hostileRegistration,
        approverName: bad('Cam'),
        approverEmail: 'cam@vendor.example',
        question: bad('question'),
        askedAt: '2026-11-25T15:30:00Z',
        resubmitUrl: hostileUrl,
        timeZone: 'America/New_York',
        policyVersion: bad('pv'),
      }),
    true,
  ],
  [
    'expiry warning',
    () =>
      renderExpiryWarningEmail({
        to: 'pat@acme-partners.example',
        registration: hostileRegistration,
        relationshipLabel: bad('Partner-sourced'),
        expiresAt: '2027-02-23T15:30:00Z',
        extension: { available: true, days: 90, requestUrl: hostileUrl },
        timeZone: 'America/New_York',
        policyVersion: bad('pv'),
      }),
    true,
  ],
];

describe.each(emails)('the %s email with markup in every value', (_name, render, hasLink) => {
  it('keeps every value inert in the HTML part', () => {
    const email = render();

    expect(unexpectedMarkup(email.html)).toEqual([]);
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain(HOSTILE);
    expect(email.html).toContain(HOSTILE_ESCAPED);
    if (hasLink) {
      expect(email.html).toContain('href="https://dealreg.example/approvals/a?t=&quot;&gt;&lt;script&gt;');
    }
  });

  it('keeps every value verbatim in the text part and the subject on one line', () => {
    const email = render();

    expect(email.text).toContain(`Globex ${HOSTILE}`);
    if (hasLink) expect(email.text).toContain(hostileUrl);
    expect(email.subject).not.toMatch(/[\r\n]/);
  });
});

describe('the escaping check', () => {
  it('catches markup that escaped into an approval request', () => {
    const email = renderApprovalRequestEmail(approvalFields);

    expect(unexpectedMarkup(email.html.replace('</h1>', `</h1>${HOSTILE}`))).not.toEqual([]);
  });
});
