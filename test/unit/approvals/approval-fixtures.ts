import { randomUUID } from 'node:crypto';
import type { ApprovalSubject, NewApprovalTask } from '#domain/approvals/approval-task.ts';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';

/** A needs-review verdict: a direct rep had a meeting with the customer 12 days before. */
export function directActivityVerdict(overrides: Partial<ConflictVerdict> = {}): ConflictVerdict {
  return {
    outcome: 'needs-review',
    ruleId: 'direct-activity',
    reason:
      'A direct rep met the customer 12 days before the submission; approve as influenced unless sourced.',
    evidence: [
      {
        kind: 'engagement',
        ruleId: 'direct-activity',
        detail: 'Meeting by Dana Direct on 2026-11-12, 12 days before the submission.',
        engagementId: 'e-1',
        type: 'MEETING',
        ownerName: 'Dana Direct',
        occurredAt: '2026-11-12T15:00:00.000Z',
        daysBeforeSubmission: 12,
      },
    ],
    firedRules: [
      {
        ruleId: 'direct-activity',
        outcome: 'needs-review',
        reason: 'direct activity',
        relationshipType: 'sourced',
      },
    ],
    relationshipType: 'sourced',
    compensation: {
      relationshipType: 'sourced',
      label: 'Partner-sourced',
      partner: { kind: 'margin', percent: 20, amountUsdMinor: 6_000_000 },
      directRep: { creditPercent: 0, creditUsdMinor: 0 },
      summary:
        'Partner-sourced: the partner earns a 20% margin (USD 60,000.00); the direct rep is credited 0%.',
    },
    policyVersion: 'sha256:0f3a9c1e5b7d',
    ...overrides,
  };
}

export function approvalSubject(overrides: Partial<ApprovalSubject> = {}): ApprovalSubject {
  return {
    partnerName: 'Cloudsmiths',
    partnerDomain: 'cloudsmiths.example',
    submitterEmail: 'pat@cloudsmiths.example',
    customerCompanyName: 'Acme Analytics',
    customerDomain: 'acme-analytics.example',
    customerCountry: 'DE',
    amount: { minorUnits: 30_000_000, currency: 'EUR' },
    amountUsdMinor: 32_400_000,
    expectedCloseDate: '2027-02-26',
    products: ['Data Platform', 'Support'],
    campaignId: 'cmp-q4-aws',
    cloudMarketplace: 'aws',
    dealDescription: 'Migration of the reporting stack',
    submittedAt: '2026-11-24T08:30:00.000Z',
    verdict: directActivityVerdict(),
    ...overrides,
  };
}

export const channelManager = {
  email: 'casey@vendor.example',
  name: 'Casey Channel',
  timeZone: 'Europe/Berlin',
};
export const salesLeader = { email: 'lee@vendor.example', name: 'Lee Leader', timeZone: 'America/New_York' };

export function newApprovalTask(overrides: Partial<NewApprovalTask> = {}): NewApprovalTask {
  return {
    approvalId: `apr-${randomUUID()}`,
    registrationId: `reg-${randomUUID()}`,
    step: 'first-level',
    approver: channelManager,
    deadline: '2026-11-26T16:00:00.000Z',
    createdAt: '2026-11-24T09:00:00.000Z',
    subject: approvalSubject(),
    ...overrides,
  };
}
