import { type QbrReport, qbrReportSchema } from '#domain/qbr/report.ts';

/** A partner whose name a spreadsheet would run as a formula. */
export const FORMULA_PARTNER = '=HYPERLINK("http://x")';
/** A partner whose name a browser would run as a script. */
export const SCRIPT_PARTNER = '<script>alert(1)</script>';

const conversion = (submitted: number, approved: number, opportunities: number, won: number) => ({
  submittedToApproved: submitted === 0 ? null : approved / submitted,
  approvedToOpportunity: approved === 0 ? null : opportunities / approved,
  opportunityToClosedWon: opportunities === 0 ? null : won / opportunities,
});

function row(key: string, label: string, counts: [number, number, number, number], amount: number) {
  const [submitted, approved, opportunities, closedWon] = counts;
  return {
    key,
    label,
    submitted,
    approved,
    opportunities,
    closedWon,
    closedWonAmount: amount,
    conversion: conversion(submitted, approved, opportunities, closedWon),
  };
}

/**
 * A pre-QBR report as the metrics produce it: 40 submitted, 30 approved, 24 opportunities,
 * 12 closed-won for 1,250,000.50 USD; two partners with hostile names; every finding severity.
 */
export function sampleQbrReport(overrides: Partial<QbrReport> = {}): QbrReport {
  return qbrReportSchema.parse({
    quarter: '2026-Q4',
    asOf: '2026-12-14T17:00:00.000Z',
    generatedAt: '2026-12-14T17:00:05.000Z',
    policyVersion: 'sha256:3f9a0c1d',
    scorecard: {
      closedWonAmount: 1_250_000.5,
      partnerSourcedRevenue: 800_000,
      croPartnerRevenue: 650_000,
      slaCompliance: 0.8,
      findings: { critical: 1, high: 1, medium: 1, low: 1 },
    },
    funnel: {
      submitted: 40,
      approved: 30,
      rejected: 6,
      opportunities: 24,
      closedWon: 12,
      closedWonAmount: 1_250_000.5,
      conversion: conversion(40, 30, 24, 12),
    },
    byCampaign: [
      row('cmp-1', 'AWS re:Invent follow-up', [25, 20, 16, 8], 900_000.5),
      row('cmp-2', '@Q4 co-sell push', [15, 10, 8, 4], 350_000),
    ],
    byPartner: [
      row('p-1', 'Acme Cloud Partners', [20, 16, 12, 7], 700_000.5),
      row('p-2', FORMULA_PARTNER, [12, 9, 8, 4], 450_000),
      row('p-3', SCRIPT_PARTNER, [8, 5, 4, 1], 100_000),
    ],
    byCloudMarketplace: [
      row('aws', 'AWS Marketplace', [30, 22, 18, 9], 1_000_000.5),
      row('none', 'None', [10, 8, 6, 3], 250_000),
    ],
    byRegion: [
      row('emea', 'EMEA', [22, 17, 14, 7], 750_000),
      row('na', 'North America', [18, 13, 10, 5], 500_000.5),
    ],
    attribution: {
      partnerSourcedRevenue: 800_000,
      partnerInfluencedRevenue: 450_000.5,
      croPartnerRevenue: 650_000,
      difference: 150_000,
      croView: {
        dealProperty: 'deal_source',
        available: true,
        unavailableReason: null,
        wonDeals: 12,
        emptyOnWonDeals: 0,
      },
      differenceDeals: [
        {
          opportunityId: '9001',
          dealName: 'Globex data platform',
          amount: 150_000,
          ledgerRelationship: 'sourced',
          croCountsAsPartner: false,
          explanation:
            'HubSpot deal source is "Direct" but the ledger holds an approved sourced registration.',
        },
        {
          opportunityId: '9002',
          dealName: SCRIPT_PARTNER,
          amount: 0,
          ledgerRelationship: 'influenced',
          croCountsAsPartner: true,
          explanation: '-2+3 counted as partner by the CRO view only',
        },
      ],
    },
    roiByInvestmentType: [
      {
        investmentType: 'MDF',
        invested: 50_000,
        closedWonRevenue: 600_000,
        roi: 11,
        revenueThroughOpportunities: 100_000,
        revenueThroughCampaigns: 500_000,
        attributedThrough: '1 investment through its named opportunity; 1 investment through its campaign',
      },
      {
        investmentType: 'Events',
        invested: 80_000,
        closedWonRevenue: 120_000,
        roi: 0.5,
        revenueThroughOpportunities: 0,
        revenueThroughCampaigns: 120_000,
        attributedThrough: '1 investment through its campaign',
      },
      {
        investmentType: 'SPIFF',
        invested: 0,
        closedWonRevenue: 0,
        roi: null,
        revenueThroughOpportunities: 0,
        revenueThroughCampaigns: 0,
        attributedThrough: '1 investment through its campaign',
      },
    ],
    investments: [
      {
        investmentId: 'inv-1',
        investmentType: 'MDF',
        campaignId: 'cmp-1',
        opportunityId: '9001',
        attributedThrough: 'opportunity',
        invested: 20_000,
        closedWonRevenue: 100_000,
      },
      {
        investmentId: 'inv-2',
        investmentType: 'MDF',
        campaignId: 'cmp-1',
        opportunityId: null,
        attributedThrough: 'campaign',
        invested: 30_000,
        closedWonRevenue: 500_000,
      },
      {
        investmentId: 'inv-3',
        investmentType: 'Events',
        campaignId: 'cmp-2',
        opportunityId: null,
        attributedThrough: 'campaign',
        invested: 80_000,
        closedWonRevenue: 120_000,
      },
      {
        investmentId: 'inv-4',
        investmentType: 'SPIFF',
        campaignId: 'cmp-2',
        opportunityId: null,
        attributedThrough: 'campaign',
        invested: 0,
        closedWonRevenue: 0,
      },
    ],
    sla: {
      approvals: 31,
      decisions: 30,
      withinSla: 24,
      waiting: 1,
      waitingPastDeadline: 0,
      breaches: 6,
      reminders: 9,
      escalations: 4,
      defaulted: 2,
      medianHoursToDecision: 11.5,
    },
    exceptions: [
      {
        registrationId: 'reg-0007',
        decidedBy: 'Dana Sales <dana@example.com>',
        decidedAt: '2026-11-02T10:00:00.000Z',
        verdictRuleId: 'competing-partner',
        decision: 'approved as sourced',
        reason: '+ customer asked for this partner',
      },
    ],
    findings: [
      {
        code: 'LEDGER_INTEGRITY',
        severity: 'critical',
        opportunityId: '9003',
        detail: 'The hash chain of opportunity 9003 breaks at entry 4.',
        evidence: { sequence: 4, expectedHash: 'ab12', actualHash: 'cd34' },
        fix: 'Restore the entry from the digest and run dealreg ledger verify.',
      },
      {
        code: 'ATTRIBUTION_DRIFT',
        severity: 'high',
        opportunityId: '9001',
        detail: `HubSpot shows ${SCRIPT_PARTNER} as the partner; the ledger has Acme Cloud Partners.`,
        evidence: { ledgerPartner: 'Acme Cloud Partners', hubspotPartner: FORMULA_PARTNER },
        fix: 'Restore the association in HubSpot or record a correction with its approver.',
      },
      {
        code: 'SLA_BREACH',
        severity: 'medium',
        registrationId: 'reg-0011',
        detail: 'Decided 31 business hours after its deadline.',
        evidence: { deadline: '2026-10-12T17:00:00Z', decidedAt: '2026-10-16T12:00:00Z', late: true },
        fix: 'Ask the approver’s manager to confirm the routing.',
      },
      {
        code: 'POLICY_EXCEPTION',
        severity: 'low',
        registrationId: 'reg-0007',
        detail: 'Approved as sourced against the competing-partner rule.',
        evidence: { verdictRuleId: 'competing-partner', reason: null },
        fix: 'Be ready to explain the exception.',
      },
    ],
    integrity: {
      chains: 24,
      chainsNotInLedger: 0,
      entries: 311,
      broken: 1,
      digests: { status: 'checked', detail: 'checked against 3 digest(s)' },
    },
    ...overrides,
  });
}

const aws = (opportunities: number, amount: number) => ({ opportunities, amount });

/** An AWS view (co-sell on) with a long partner name, for the report's layout on a phone. */
export const sampleAwsView: NonNullable<QbrReport['awsView']> = {
  catalog: 'AWS',
  shared: aws(9, 1_120_000.5),
  submitted: aws(8, 1_020_000.5),
  byReviewStatus: {
    Approved: aws(5, 800_000.5),
    'Action Required': aws(1, 90_000),
    Rejected: aws(1, 30_000),
    'In review / Submitted': aws(1, 100_000),
    'Pending Submission': aws(1, 100_000),
  },
  launched: aws(3, 520_000),
  closedLost: aws(1, 30_000),
  byPartner: [
    {
      key: 'p-1',
      label: 'Acme Cloud Partners International Holdings',
      shared: aws(6, 820_000.5),
      submitted: aws(5, 720_000.5),
      approved: aws(4, 700_000.5),
      actionRequired: aws(1, 20_000),
      rejected: aws(0, 0),
      launched: aws(2, 420_000),
      closedLost: aws(0, 0),
    },
    {
      key: 'p-2',
      label: FORMULA_PARTNER,
      shared: aws(3, 300_000),
      submitted: aws(3, 300_000),
      approved: aws(1, 100_000),
      actionRequired: aws(0, 0),
      rejected: aws(1, 30_000),
      launched: aws(1, 100_000),
      closedLost: aws(1, 30_000),
    },
  ],
};
