import { describe, expect, it } from 'vitest';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { qbrReportSchema } from '#domain/qbr/report.ts';
import { approval, chain, created, decision, investment, record, report, usd, won } from './qbr-fixtures.ts';
import { scenarioChains, scenarioCrm, scenarioRegistrations } from './qbr-scenario.ts';

const scenario = () =>
  report({ chains: scenarioChains(), registrations: scenarioRegistrations(), crm: scenarioCrm() });

describe('pre-QBR metrics of a hand-computed quarter', () => {
  it('follows the cohort submitted in the quarter through the funnel', () => {
    const { funnel } = scenario();
    // submitted: R1–R6 (R7, R9 were submitted in Q3, R8 after asOf) = 6
    // approved: R1, R2, R3 = 3; rejected: R4 (approver) + R5 (invalid) = 2; R6 pending
    // opportunities: O1, O2, O3 = 3; closed-won: O1 100,000 + O3 50,000 = 2 for 150,000
    // conversions: 3/6 = 0.5, 3/3 = 1, 2/3 = 0.6667
    expect(funnel).toEqual({
      submitted: 6,
      approved: 3,
      rejected: 2,
      opportunities: 3,
      closedWon: 2,
      closedWonAmount: 150_000,
      conversion: { submittedToApproved: 0.5, approvedToOpportunity: 1, opportunityToClosedWon: 0.6667 },
    });
  });

  it('breaks the funnel down by campaign, richest first', () => {
    const rows = scenario().byCampaign.map((row) => [
      row.key,
      row.submitted,
      row.approved,
      row.opportunities,
      row.closedWon,
      row.closedWonAmount,
    ]);
    // C1: R1, R2 → 2 approved, 2 opportunities, O1 won 100,000
    // C2: R3, R6 → 1 approved (R3), 1 opportunity, O3 won 50,000
    // none: R4, R5 → nothing past submission
    expect(rows).toEqual([
      ['C1', 2, 2, 2, 1, 100_000],
      ['C2', 2, 1, 1, 1, 50_000],
      ['none', 2, 0, 0, 0, 0],
    ]);
    expect(scenario().byCampaign[1]?.conversion).toEqual({
      submittedToApproved: 0.5,
      approvedToOpportunity: 1,
      opportunityToClosedWon: 1,
    });
  });

  it('breaks the funnel down by partner, named as the registrations name them', () => {
    const rows = scenario().byPartner.map((row) => [
      row.key,
      row.label,
      row.submitted,
      row.approved,
      row.closedWonAmount,
    ]);
    // P1 Acme: R1, R2, R6 → 2 approved, O1 100,000; P2 Beta: R3, R4 → 1 approved, O3 50,000; R5 has no partner
    expect(rows).toEqual([
      ['P1', 'Acme Partners', 3, 2, 100_000],
      ['P2', 'Beta Cloud', 2, 1, 50_000],
      ['unknown', 'unknown', 1, 0, 0],
    ]);
  });

  it('counts a submission intake refused under the partner and campaign its form names', () => {
    // Skyline (P3, skyline.example) submits twice for campaign C9: the first is refused at intake
    // (its close date is in the past), so only its raw form values are stored; the second is approved.
    const refused = {
      registrationId: 'R-REFUSED',
      submittedAt: '2026-11-02T10:00:00Z',
      status: 'rejected',
      submission: {
        values: [
          { name: 'email', value: 'tom@skyline.example' },
          { name: 'partner_company_domain', value: ' Skyline.example ' },
          { name: 'campaign_id', value: 'C9' },
          { name: 'customer_country', value: 'us' },
        ],
      },
    };
    const approved = record({
      registrationId: 'R-FIXED',
      submittedAt: '2026-11-03T10:00:00Z',
      partnerId: 'P3',
      partnerName: 'Skyline Integrators',
      campaignId: 'C9',
      country: 'US',
      progress: { status: 'approved', decision: decision('approve', '2026-11-03T12:00:00Z') },
    });
    const computed = report({
      registrations: [
        refused,
        { ...approved, details: { ...approved.details, partnerDomain: 'skyline.example' } },
      ],
    });
    const row = (rows: typeof computed.byPartner) =>
      rows.map((item) => [item.key, item.label, item.submitted, item.approved]);

    // Skyline submitted 2 and had 1 approved (50%), not 1 of 1 beside an "unknown" partner.
    expect(row(computed.byPartner)).toEqual([['P3', 'Skyline Integrators', 2, 1]]);
    expect(row(computed.byCampaign)).toEqual([['C9', 'C9', 2, 1]]);
    expect(computed.byRegion.map((item) => [item.key, item.submitted])).toEqual([['north-america', 2]]);
  });

  it('breaks the funnel down by cloud marketplace and by region of the policy', () => {
    const report = scenario();
    // aws: R1 (won 100,000), R6; gcp: R3 (won 50,000); azure: R2; none: R4; R5 states none
    expect(report.byCloudMarketplace.map((row) => [row.key, row.submitted, row.closedWonAmount])).toEqual([
      ['aws', 2, 100_000],
      ['gcp', 1, 50_000],
      ['azure', 1, 0],
      ['none', 1, 0],
      ['unknown', 1, 0],
    ]);
    // north-america: R1 (US), R6 (CA); apac: R3 (JP); emea: R2 (DE); unassigned: R4 (BR), R5 (no country)
    expect(report.byRegion.map((row) => [row.key, row.submitted, row.approved, row.closedWonAmount])).toEqual(
      [
        ['north-america', 2, 1, 100_000],
        ['apac', 1, 1, 50_000],
        ['unassigned', 2, 0, 0],
        ['emea', 1, 1, 0],
      ],
    );
  });

  it('puts partner-sourced and influenced revenue next to the CRO view and names the deals between them', () => {
    const { attribution } = scenario();
    // won in Q4: O1 100,000 sourced (P1), O3 50,000 influenced (P2), O4 20,000 sourced (P3)
    // sourced = 100,000 + 20,000 = 120,000; influenced = 50,000
    // CRO (deal_source = Partner): O1 + O3 = 150,000; difference = 120,000 − 150,000 = −30,000
    expect(attribution.partnerSourcedRevenue).toBe(120_000);
    expect(attribution.partnerInfluencedRevenue).toBe(50_000);
    expect(attribution.croPartnerRevenue).toBe(150_000);
    expect(attribution.difference).toBe(-30_000);
    expect(
      attribution.differenceDeals.map((deal) => [
        deal.opportunityId,
        deal.dealName,
        deal.amount,
        deal.ledgerRelationship,
        deal.croCountsAsPartner,
      ]),
    ).toEqual([
      ['O3', 'Kite expansion', 50_000, 'influenced', true],
      ['O4', 'Lynx renewal', 20_000, 'sourced', false],
    ]);
    expect(attribution.differenceDeals[1]?.explanation).toContain('deal_source is "Direct"');
  });

  it('shares a campaign’s revenue among the investment types that funded it', () => {
    // C1 invested mdf 10,000 + events 30,000 = 40,000 and won O1 100,000:
    //   mdf gets 100,000 × 10/40 = 25,000 → ROI (25,000 − 10,000) / 10,000 = 1.5
    //   events gets 100,000 × 30/40 = 75,000 → ROI (75,000 − 30,000) / 30,000 = 1.5
    // C2 invested spiff 5,000 and won O3 50,000 → ROI (50,000 − 5,000) / 5,000 = 9
    const campaignOnly = (investmentType: string, invested: number, revenue: number, roi: number) => ({
      investmentType,
      invested,
      closedWonRevenue: revenue,
      roi,
      revenueThroughOpportunities: 0,
      revenueThroughCampaigns: revenue,
      attributedThrough: '1 investment through its campaign',
    });
    expect(scenario().roiByInvestmentType).toEqual([
      campaignOnly('events', 30_000, 75_000, 1.5),
      campaignOnly('mdf', 10_000, 25_000, 1.5),
      campaignOnly('spiff', 5_000, 50_000, 9),
    ]);
  });

  it('attributes to an investment that names an opportunity the revenue of that opportunity, not of a campaign', () => {
    // MDF 5,000 imported with opportunityId O5 (recorded on O5's chain); O5 has no campaign and is won for 12,000
    //   → MDF revenue 12,000 through its named opportunity; ROI (12,000 − 5,000) / 5,000 = 1.4
    // O6 (campaign C1, won 30,000) is named by co-marketing 2,000, so C1's events 10,000 do not count it:
    //   co-marketing 30,000 → ROI (30,000 − 2,000) / 2,000 = 14; events 0 → ROI (0 − 10,000) / 10,000 = −1
    const named = (investmentId: string, investmentType: string, dollars: number, campaignId: string) => ({
      type: 'InvestmentRecorded' as const,
      effectiveAt: '2026-10-02T00:00:00Z',
      investmentId,
      investmentType,
      campaignId,
      amount: usd(dollars),
    });
    const computed = report({
      chains: [
        chain('O5', [
          ...approval({
            registrationId: 'R5',
            partnerId: 'P1',
            relationshipType: 'sourced',
            at: '2026-10-01T12:00:00Z',
          }),
          created('2026-10-01T12:00:00Z', 'Vega', 12_000),
          named('inv-mdf', 'MDF', 5_000, 'spring-push'),
          ...won('2026-11-10T12:00:00Z', 12_000),
        ]),
        chain('O6', [
          ...approval({
            registrationId: 'R6',
            partnerId: 'P1',
            relationshipType: 'sourced',
            at: '2026-10-01T12:00:00Z',
            campaignId: 'C1',
          }),
          created('2026-10-01T12:00:00Z', 'Altair', 30_000),
          named('inv-cm', 'co-marketing', 2_000, 'C1'),
          ...won('2026-11-12T12:00:00Z', 30_000),
        ]),
        investment('C1', 'inv-events', 'events', 10_000, '2026-10-03T00:00:00Z'),
      ],
    });

    expect(computed.roiByInvestmentType).toEqual([
      {
        investmentType: 'MDF',
        invested: 5_000,
        closedWonRevenue: 12_000,
        roi: 1.4,
        revenueThroughOpportunities: 12_000,
        revenueThroughCampaigns: 0,
        attributedThrough: '1 investment through its named opportunity',
      },
      {
        investmentType: 'co-marketing',
        invested: 2_000,
        closedWonRevenue: 30_000,
        roi: 14,
        revenueThroughOpportunities: 30_000,
        revenueThroughCampaigns: 0,
        attributedThrough: '1 investment through its named opportunity',
      },
      {
        investmentType: 'events',
        invested: 10_000,
        closedWonRevenue: 0,
        roi: -1,
        revenueThroughOpportunities: 0,
        revenueThroughCampaigns: 0,
        attributedThrough: '1 investment through its campaign',
      },
    ]);
    expect(computed.investments).toEqual([
      {
        investmentId: 'inv-mdf',
        investmentType: 'MDF',
        campaignId: 'spring-push',
        opportunityId: 'O5',
        attributedThrough: 'opportunity',
        invested: 5_000,
        closedWonRevenue: 12_000,
      },
      {
        investmentId: 'inv-cm',
        investmentType: 'co-marketing',
        campaignId: 'C1',
        opportunityId: 'O6',
        attributedThrough: 'opportunity',
        invested: 2_000,
        closedWonRevenue: 30_000,
      },
      {
        investmentId: 'inv-events',
        investmentType: 'events',
        campaignId: 'C1',
        opportunityId: null,
        attributedThrough: 'campaign',
        invested: 10_000,
        closedWonRevenue: 0,
      },
    ]);
  });

  it('measures SLA compliance over the approvals of the quarter, decided or still waiting', () => {
    // decisions with an SLA decided in Q4: R1, R3, R4, R9 (R2 was automatic) = 4
    // still waiting at 12-15: R6 (requested 11-05, deadline 11-09 passed) = 1; approvals 4 + 1 = 5
    // within SLA: R1 (by 10-07), R4 (by 10-22) = 2; R3 decided after its deadline; R9 defaulted
    // breaches: R3 (late) + R9 (default) + R6 (waiting past its deadline) = 3 — the SLA_BREACH findings
    // reminders 1 (R3) + 2 (R9) + 1 (R6) = 4; escalations 1 (R3) + 1 (R9) + 0 (R6) = 2; defaulted 1
    // business hours (New York, 9–17, Mon–Fri): R1 10:00→14:00 = 4; R4 Tue 9:00→Wed 9:00 = 8;
    //   R3 Mon 9:00→Fri 9:00 = 32; R9 Mon 9-28 9:00→Wed 10-07 17:00 = 5×8 + 3×8 = 64
    // median of 4, 8, 32, 64 = (8 + 32) / 2 = 20
    const computed = scenario();
    expect(computed.sla).toEqual({
      approvals: 5,
      decisions: 4,
      withinSla: 2,
      waiting: 1,
      waitingPastDeadline: 1,
      breaches: 3,
      reminders: 4,
      escalations: 2,
      defaulted: 1,
      medianHoursToDecision: 20,
    });
    // The table and the findings add up the same: every breach is a finding, with its own counts.
    const breaches = computed.findings.filter((finding) => finding.code === 'SLA_BREACH');
    expect(breaches.map((finding) => finding.registrationId).sort()).toEqual(['R3', 'R6', 'R9']);
    const sum = (key: string) =>
      breaches.reduce((total, finding) => total + Number(finding.evidence[key]), 0);
    // 1 (R3) + 1 (R6) + 2 (R9) = 4 reminders; 1 + 0 + 1 = 2 escalations: R1 and R4 had none
    expect([sum('reminders'), sum('escalations')]).toEqual([
      computed.sla.reminders,
      computed.sla.escalations,
    ]);
  });

  it('lists the decisions that departed from the verdict', () => {
    expect(scenario().exceptions).toEqual([
      {
        registrationId: 'R4',
        decidedBy: 'channel-manager@example.com',
        decidedAt: '2026-10-21T13:00:00.000Z',
        verdictRuleId: 'no-conflict',
        decision: 'rejected',
        reason: 'Direct team already negotiating',
      },
    ]);
  });

  it('puts the headline numbers on the scorecard and validates against the report schema', () => {
    const computed = scenario();
    // closed-won in Q4: 100,000 + 50,000 + 20,000 = 170,000; SLA compliance: 2 within SLA (R1, R4)
    // of 4 decisions + 1 still waiting past its deadline (R6) = 2/5 = 0.4
    expect(computed.scorecard).toEqual({
      closedWonAmount: 170_000,
      partnerSourcedRevenue: 120_000,
      croPartnerRevenue: 150_000,
      slaCompliance: 0.4,
      findings: { critical: 0, high: 5, medium: 3, low: 0 },
    });
    expect(qbrReportSchema.parse(JSON.parse(JSON.stringify(computed)))).toEqual(computed);
  });

  it('ranks the findings of the quarter critical first', () => {
    const findings = scenario().findings.map((finding) => [
      finding.severity,
      finding.code,
      finding.opportunityId ?? finding.registrationId,
    ]);
    expect(findings).toEqual([
      ['high', 'DEFINITION_MISMATCH', 'O3'],
      ['high', 'DEFINITION_MISMATCH', 'O4'],
      ['high', 'SLA_BREACH', 'R6'],
      ['high', 'SLA_BREACH', 'R9'],
      ['high', 'SOURCED_WITHOUT_REGISTRATION', 'O4'],
      ['medium', 'ORPHAN_REGISTRATION', 'R9'],
      ['medium', 'POLICY_EXCEPTION', 'R4'],
      ['medium', 'SLA_BREACH', 'R3'],
    ]);
    for (const finding of scenario().findings) expect(finding.fix.length).toBeGreaterThan(20);
  });

  it('counts an opportunity two registrations lead to once in the totals, and once in each group', () => {
    // O1 (won 50,000 on 11-20) was registered by P1 (R1, sourced, C1) and by P2 (R2, influenced, C1);
    // O2 (open) by P1 alone (R3, C2). Cohort: R1, R2, R3 → 3 approved, 2 opportunities, 1 won.
    const chains = [
      chain('O1', [
        ...approval({
          registrationId: 'R1',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-10-05T12:00:00Z',
          campaignId: 'C1',
        }),
        ...approval({
          registrationId: 'R2',
          partnerId: 'P2',
          relationshipType: 'influenced',
          at: '2026-10-06T12:00:00Z',
          campaignId: 'C1',
        }),
        created('2026-10-07T12:00:00Z', 'Orion', 50_000),
        ...won('2026-11-20T12:00:00Z', 50_000),
      ]),
      chain('O2', [
        ...approval({
          registrationId: 'R3',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-10-08T12:00:00Z',
          campaignId: 'C2',
        }),
        created('2026-10-09T12:00:00Z', 'Nimbus', 10_000),
      ]),
    ];

    const computed = report({ chains });

    // 3 approved → 2 opportunities (O1 once) → 1 won for 50,000, not 100,000
    expect(computed.funnel).toMatchObject({
      approved: 3,
      opportunities: 2,
      closedWon: 1,
      closedWonAmount: 50_000,
    });
    expect(computed.funnel.conversion).toEqual({
      submittedToApproved: 1,
      approvedToOpportunity: 0.6667,
      opportunityToClosedWon: 0.5,
    });
    // C1: R1 + R2 share O1 → 1 opportunity, 1 won; P1: O1 and O2; P2: O1
    expect(
      computed.byCampaign.map((row) => [
        row.key,
        row.approved,
        row.opportunities,
        row.closedWon,
        row.closedWonAmount,
      ]),
    ).toEqual([
      ['C1', 2, 1, 1, 50_000],
      ['C2', 1, 1, 0, 0],
    ]);
    expect(computed.byPartner.map((row) => [row.key, row.opportunities, row.closedWonAmount])).toEqual([
      ['P1', 2, 50_000],
      ['P2', 1, 50_000],
    ]);
  });
});

describe('the period a report covers', () => {
  it('states the days of the quarter, which its label does not say when the fiscal year starts in February', () => {
    // Fiscal year 2027 starts on 1 February 2026: its Q4 is November 2026 to January 2027, midnight
    // to midnight in Sydney (UTC+11 in summer).
    const february = loadPolicy({
      reporting: { fiscalYearStartMonth: 2 },
      calendar: { timeZone: 'Australia/Sydney' },
    });
    const quarter = parseFiscalQuarter('2027-Q4', 2, 'Australia/Sydney');

    const computed = report({ quarter, policy: february.policy, asOf: '2027-01-15T00:00:00.000Z' });

    expect(computed.period).toEqual({
      firstDay: '2026-11-01',
      lastDay: '2027-01-31',
      start: '2026-10-31T13:00:00.000Z',
      end: '2027-01-31T13:00:00.000Z',
    });
  });
});

describe('whether the report was checked against HubSpot', () => {
  it('records that HubSpot was not read, and that it was when it was', () => {
    const withoutHubSpot = report({ chains: scenarioChains(), registrations: scenarioRegistrations() });

    expect(withoutHubSpot.hubspotRead).toBe(false);
    expect(scenario().hubspotRead).toBe(true);
  });
});
