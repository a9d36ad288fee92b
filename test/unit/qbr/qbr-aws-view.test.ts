import { describe, expect, it } from 'vitest';
import { summarise } from '#bin/commands/qbr-actions.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { freezeMoney } from '#domain/money.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { renderQbrReportEmail } from '#emails/qbr-report.ts';
import { qbrReportCsvFiles } from '#rendering/qbr-report-csv.ts';
import { approval, chain, created, crmDeal, crmOf, record, report, won } from './qbr-fixtures.ts';

/**
 * The AWS view worked out by hand. Quarter 2026-Q4 (October–December), as of 2026-12-15 00:00 UTC.
 *
 *   O1 Orion   P1 sourced   80,000  won 11-20  ACE Approved, Launched            → fine
 *   O2 Lyra    P1 sourced   50,000  won 12-01  ACE Approved, Committed           → COSELL_DRIFT (won, not Launched)
 *   O3 Vega    P2 referral  30,000  open       ACE Action Required since 12-01   → COSELL_ACTION_REQUIRED (336 h > 72 h)
 *   O4 Draco   P2 sourced   20,000  lost 12-05 ACE Rejected, Closed Lost         → fine
 *   O5 Hydra   P3 sourced   10,000  won 12-10  ACE Rejected, Prospect            → COSELL_DRIFT (won, not Launched)
 *   O6 Lynx    P3 sourced   40,000  open       approved 12-01 for aws, not shared → COSELL_MISSING
 *   O7 Ursa    P3 sourced   60,000  open       approved 12-01 for azure, not shared → nothing (not a shared marketplace)
 *   O8 Pavo    P3 sourced    5,000  open       shared 12-02, not submitted       → Pending Submission
 *
 * Shared: O1–O5, O8 = 6 for 195,000; submitted: all but O8 = 5 for 190,000.
 * Approved O1+O2 = 2 / 130,000; Action Required O3 = 1 / 30,000; Rejected O4+O5 = 2 / 30,000;
 * Pending Submission O8 = 1 / 5,000. Launched O1 = 1 / 80,000; Closed Lost O4 = 1 / 20,000.
 */

const coSellOn = loadPolicy({
  coSell: { enabled: true, solutions: ['S-0000001'], catalog: 'AWS', actionRequiredSlaHours: 72 },
});
const coSellOff = loadPolicy({});

type Body = Parameters<typeof chain>[1][number];

function shared(aceOpportunityId: string, registrationId: string, at: string, submittedToAws = true): Body {
  return {
    type: 'CoSellShared',
    effectiveAt: at,
    registrationId,
    aceOpportunityId,
    catalog: 'AWS',
    submittedToAws,
  };
}

function status(
  aceOpportunityId: string,
  at: string,
  change: {
    reviewStatus?: string;
    stage?: string;
    reviewComments?: string;
    expectedMonthlySpend?: { amount: string; currency: string };
  },
): Body {
  return {
    type: 'CoSellStatusChanged',
    recordedBy: 'co-sell-events',
    effectiveAt: at,
    aceOpportunityId,
    ...change,
  };
}

const lost = (at: string): Body => ({ type: 'ClosedLost', effectiveAt: at, recordedBy: 'crm-events' });

function chains(withCoSell: boolean): LedgerEntry[][] {
  const coSell = (...bodies: Body[]) => (withCoSell ? bodies : []);
  const sourced = (
    registrationId: string,
    partnerId: string,
    at: string,
    cloudMarketplace: 'aws' | 'azure' = 'aws',
  ) => approval({ registrationId, partnerId, relationshipType: 'sourced', at, cloudMarketplace });
  return [
    chain('O1', [
      ...sourced('R1', 'P1', '2026-10-05T12:00:00Z'),
      created('2026-10-05T13:00:00Z', 'Orion', 80_000),
      ...coSell(
        shared('O1001', 'R1', '2026-10-06T12:00:00Z'),
        status('O1001', '2026-10-08T12:00:00Z', { reviewStatus: 'Approved', stage: 'Qualified' }),
      ),
      ...won('2026-11-20T12:00:00Z', 80_000),
      ...coSell(status('O1001', '2026-11-21T12:00:00Z', { stage: 'Launched' })),
    ]),
    chain('O2', [
      ...sourced('R2', 'P1', '2026-10-09T12:00:00Z'),
      created('2026-10-09T13:00:00Z', 'Lyra', 50_000),
      ...coSell(
        shared('O1002', 'R2', '2026-10-10T12:00:00Z'),
        status('O1002', '2026-11-01T12:00:00Z', { reviewStatus: 'Approved', stage: 'Committed' }),
      ),
      ...won('2026-12-01T12:00:00Z', 50_000),
    ]),
    chain('O3', [
      ...approval({
        registrationId: 'R3',
        partnerId: 'P2',
        relationshipType: 'referral',
        at: '2026-10-31T12:00:00Z',
        cloudMarketplace: 'aws',
      }),
      created('2026-10-31T13:00:00Z', 'Vega', 30_000),
      ...coSell(
        shared('O1003', 'R3', '2026-11-01T12:00:00Z'),
        status('O1003', '2026-12-01T00:00:00Z', {
          reviewStatus: 'Action Required',
          reviewComments: 'Add the customer website',
        }),
      ),
    ]),
    chain('O4', [
      ...sourced('R4', 'P2', '2026-10-19T12:00:00Z'),
      created('2026-10-19T13:00:00Z', 'Draco', 20_000),
      ...coSell(
        shared('O1004', 'R4', '2026-10-20T12:00:00Z'),
        status('O1004', '2026-10-25T12:00:00Z', { reviewStatus: 'Rejected', stage: 'Prospect' }),
      ),
      lost('2026-12-05T12:00:00Z'),
      ...coSell(status('O1004', '2026-12-06T12:00:00Z', { stage: 'Closed Lost' })),
    ]),
    chain('O5', [
      ...sourced('R5', 'P3', '2026-11-04T12:00:00Z'),
      created('2026-11-04T13:00:00Z', 'Hydra', 10_000),
      ...coSell(
        shared('O1005', 'R5', '2026-11-05T12:00:00Z'),
        status('O1005', '2026-11-09T12:00:00Z', { reviewStatus: 'Rejected', stage: 'Prospect' }),
      ),
      ...won('2026-12-10T12:00:00Z', 10_000),
    ]),
    chain('O6', [
      ...sourced('R6', 'P3', '2026-12-01T12:00:00Z'),
      created('2026-12-01T13:00:00Z', 'Lynx', 40_000),
    ]),
    chain('O7', [
      ...sourced('R7', 'P3', '2026-12-01T12:00:00Z', 'azure'),
      created('2026-12-01T13:00:00Z', 'Ursa', 60_000),
    ]),
    chain('O8', [
      ...sourced('R8', 'P3', '2026-12-01T12:00:00Z'),
      created('2026-12-01T13:00:00Z', 'Pavo', 5_000),
      ...coSell(shared('O1008', 'R8', '2026-12-02T12:00:00Z', false)),
    ]),
  ];
}

const registrations = [
  record({
    registrationId: 'R1',
    submittedAt: '2026-10-05T10:00:00Z',
    partnerId: 'P1',
    partnerName: 'Acme Partners',
    progress: { status: 'approved' },
  }),
  record({
    registrationId: 'R3',
    submittedAt: '2026-10-31T10:00:00Z',
    partnerId: 'P2',
    partnerName: 'Beta Cloud',
    progress: { status: 'approved' },
  }),
];

const codes = (findings: readonly { code: string }[]) => findings.map((finding) => finding.code);
const coSellCodes = (findings: readonly { code: string }[]) =>
  codes(findings).filter((code) => code.startsWith('COSELL_'));

describe('the AWS view of the pre-QBR report', () => {
  const computed = report({
    chains: chains(true),
    policy: coSellOn.policy,
    policyVersion: coSellOn.policyVersion,
    registrations,
  });

  it('counts the ACE opportunities shared in the quarter by review status and stage, with amounts', () => {
    const view = computed.awsView;
    expect(view).toMatchObject({
      catalog: 'AWS',
      shared: { opportunities: 6, amount: 195_000 },
      submitted: { opportunities: 5, amount: 190_000 },
      byReviewStatus: {
        Approved: { opportunities: 2, amount: 130_000 },
        'Action Required': { opportunities: 1, amount: 30_000 },
        Rejected: { opportunities: 2, amount: 30_000 },
        'In review / Submitted': { opportunities: 0, amount: 0 },
        'Pending Submission': { opportunities: 1, amount: 5_000 },
      },
      launched: { opportunities: 1, amount: 80_000 },
      closedLost: { opportunities: 1, amount: 20_000 },
    });
  });

  it('breaks the AWS view down per partner, named where the registrations name them', () => {
    expect(
      computed.awsView?.byPartner.map((row) => [row.label, row.shared.amount, row.submitted.opportunities]),
    ).toEqual([
      ['Acme Partners', 130_000, 2],
      ['Beta Cloud', 50_000, 2],
      ['P3', 15_000, 1],
    ]);
    expect(computed.awsView?.byPartner[1]).toMatchObject({
      actionRequired: { opportunities: 1, amount: 30_000 },
      rejected: { opportunities: 1, amount: 20_000 },
      closedLost: { opportunities: 1, amount: 20_000 },
      launched: { opportunities: 0, amount: 0 },
    });
  });

  it('raises COSELL_DRIFT, COSELL_ACTION_REQUIRED and COSELL_MISSING, each explained', () => {
    const found = computed.findings.filter((finding) => finding.code.startsWith('COSELL_'));
    expect(found.map((finding) => [finding.code, finding.severity, finding.opportunityId])).toEqual([
      ['COSELL_ACTION_REQUIRED', 'high', 'O3'],
      ['COSELL_DRIFT', 'high', 'O2'],
      ['COSELL_DRIFT', 'high', 'O5'],
      ['COSELL_MISSING', 'medium', 'O6'],
    ]);
    const [waiting, lyra, hydra, lynx] = found;
    expect(waiting?.detail).toContain('waited 336 clock hours, over the 72 clock hours');
    expect(waiting?.detail).toContain('Add the customer website');
    expect(lyra?.detail).toContain(
      'Lyra is closed-won in the ledger (following HubSpot) but ACE opportunity O1002 (AWS catalog) is at stage Committed, not Launched',
    );
    expect(hydra?.evidence).toMatchObject({
      aceReviewStatus: 'Rejected',
      aceStage: 'Prospect',
      ledgerOutcome: 'won',
    });
    // Named as the other findings are: partner, customer, deal and the amount at stake.
    expect(lyra?.context).toMatchObject({ deal: 'Lyra', amountUsd: 50_000 });
    expect(waiting?.context).toMatchObject({
      partner: 'Beta Cloud',
      customer: 'Customer of R3',
      deal: 'Vega',
      amountUsd: 30_000,
    });
    expect(lynx?.context).toMatchObject({ partner: 'P3', deal: 'Lynx' });
    expect(lynx?.registrationId).toBe('R6');
    expect(lynx?.detail).toContain('approved as sourced on 2026-12-01 for the aws marketplace');
  });

  it('dates an approval and an Action Required on their day in the policy calendar’s zone, not the UTC date', () => {
    // 02:00 UTC on 1 December is 21:00 on 30 November in New York (EST, UTC−5).
    const evening = '2026-12-01T02:00:00Z';
    const found = report({
      chains: [
        chain('O6', [
          ...approval({
            registrationId: 'R6',
            partnerId: 'P3',
            relationshipType: 'sourced',
            at: evening,
            cloudMarketplace: 'aws',
          }),
          created('2026-12-01T03:00:00Z', 'Lynx', 40_000),
        ]),
        chain('O3', [
          ...approval({
            registrationId: 'R3',
            partnerId: 'P2',
            relationshipType: 'referral',
            at: '2026-11-01T12:00:00Z',
            cloudMarketplace: 'aws',
          }),
          created('2026-11-01T13:00:00Z', 'Vega', 30_000),
          shared('O1003', 'R3', '2026-11-02T12:00:00Z'),
          status('O1003', evening, { reviewStatus: 'Action Required' }),
        ]),
      ],
      quarter: parseFiscalQuarter('2026-Q4', 1, 'America/New_York'),
      policy: coSellOn.policy,
      policyVersion: coSellOn.policyVersion,
    }).findings.filter((finding) => finding.code.startsWith('COSELL_'));

    expect(found.find((finding) => finding.code === 'COSELL_MISSING')?.detail).toContain(
      'approved as sourced on 2026-11-30 for the aws marketplace',
    );
    expect(found.find((finding) => finding.code === 'COSELL_ACTION_REQUIRED')?.detail).toContain(
      'for Vega on 2026-11-30 and it has waited',
    );
  });

  it('compares ACE with HubSpot when HubSpot was read: won in HubSpot, lost in ACE', () => {
    // HubSpot moved O1 back out of closed-won (the ledger has not heard yet): ACE still says Launched.
    const crm = crmOf([
      crmDeal('O1', { name: 'Orion', stageId: 'contractsent', closedWon: false, amount: 80_000 }),
    ]);
    const withCrm = report({
      chains: chains(true),
      policy: coSellOn.policy,
      policyVersion: coSellOn.policyVersion,
      crm,
    });
    const orion = withCrm.findings.find(
      (finding) => finding.code === 'COSELL_DRIFT' && finding.opportunityId === 'O1',
    );
    expect(orion?.detail).toContain(
      'ACE opportunity O1001 (AWS catalog) is Launched but Orion is not closed-won in HubSpot (contractsent)',
    );
  });

  describe('closed-lost as HubSpot’s stage says, in any pipeline, when HubSpot was read', () => {
    // Draco is in a custom pipeline whose stage ids are numbers: 75841207 is its closed stage of
    // probability 0.0 (closed lost), 75841205 an open one. ACE says Closed Lost.
    const draco = (lostInLedger: boolean) =>
      chain('O4', [
        ...approval({
          registrationId: 'R4',
          partnerId: 'P2',
          relationshipType: 'sourced',
          at: '2026-10-19T12:00:00Z',
          cloudMarketplace: 'aws',
        }),
        created('2026-10-19T13:00:00Z', 'Draco', 20_000),
        shared('O1004', 'R4', '2026-10-20T12:00:00Z'),
        ...(lostInLedger ? [lost('2026-12-05T12:00:00Z')] : []),
        status('O1004', '2026-12-06T12:00:00Z', { reviewStatus: 'Approved', stage: 'Closed Lost' }),
      ]);
    const drift = (lostInLedger: boolean, deal: Parameters<typeof crmDeal>[1]) =>
      report({
        chains: [draco(lostInLedger)],
        policy: coSellOn.policy,
        policyVersion: coSellOn.policyVersion,
        crm: crmOf([crmDeal('O4', { name: 'Draco', amount: 20_000, ...deal })]),
      }).findings.filter((finding) => finding.code === 'COSELL_DRIFT');

    it('agrees with ACE when HubSpot has the deal closed lost though the ledger has not heard', () => {
      expect(drift(false, { stageId: '75841207', closed: true, closedWon: false })).toEqual([]);
    });

    it('names the drift when HubSpot has the deal open again though the ledger still says lost', () => {
      expect(drift(true, { stageId: '75841205', closed: false, closedWon: false })[0]?.detail).toContain(
        'is Closed Lost but Draco is not closed-lost in HubSpot (75841205)',
      );
    });
  });

  it('has no AWS view (null) and raises no co-sell finding when co-sell is off', () => {
    const off = report({
      chains: chains(true),
      policy: coSellOff.policy,
      policyVersion: coSellOff.policyVersion,
    });
    expect(off.awsView).toBeNull();
    expect(coSellCodes(off.findings)).toEqual([]);
  });

  it('never moves partner attribution: the figures are the same with and without the co-sell entries', () => {
    const without = report({
      chains: chains(false),
      policy: coSellOn.policy,
      policyVersion: coSellOn.policyVersion,
      registrations,
    });
    // Won in the quarter, all sourced: O1 80,000 + O2 50,000 + O5 10,000 (its ACE submission rejected).
    expect(computed.attribution.partnerSourcedRevenue).toBe(140_000);
    expect(computed.attribution).toEqual(without.attribution);
    expect(computed.scorecard).toEqual({
      ...without.scorecard,
      findings: computed.scorecard.findings,
    });
    expect(computed.funnel).toEqual(without.funnel);
    expect(computed.byPartner).toEqual(without.byPartner);
    // Without the entries every aws approval of the quarter is missing (R1–R6, R8; not R7 on azure), none drifts.
    expect(
      without.findings
        .filter((finding) => finding.code.startsWith('COSELL_'))
        .map((finding) => finding.registrationId),
    ).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R8']);
  });

  it('shows the AWS view in the email next to the other views, with its chart, and "co-sell is off" when it is', async () => {
    const email = await renderQbrReportEmail(computed, ['cro@vendor.example']);
    expect(email.text).toContain('AWS VIEW (Partner Central, AWS catalog)');
    expect(email.text).toContain('  Shared with ACE: 6 ($195,000.00)');
    expect(email.text).toContain('  Rejected by AWS: 2 ($30,000.00)');
    expect(email.text).toContain(
      '  - Beta Cloud: shared 2 ($50,000.00), submitted 2, approved 0, action required 1, rejected 1',
    );
    expect(email.html).toContain('id="aws-view-partners"');
    expect(email.html).toContain('cid:qbr-aws@dealreg');
    const off = report({
      chains: chains(true),
      policy: coSellOff.policy,
      policyVersion: coSellOff.policyVersion,
    });
    const plain = await renderQbrReportEmail(off, ['cro@vendor.example']);
    expect(plain.text).toContain(
      'AWS VIEW (Partner Central)\n  Co-sell is off in the policy (coSell.enabled)',
    );
    expect(plain.text).not.toContain('Shared with ACE');
    expect(plain.html).toContain('Co-sell is off in the policy');
    expect(plain.html).not.toContain('qbr-aws@dealreg');
    expect(plain.html).not.toContain('id="aws-view-figures"');
    expect(summarise(computed)).toContain(
      'AWS view     shared 6 ($195,000) · submitted 5 ($190,000) · approved 2 ($130,000) · action required 1 ($30,000) · rejected 2 ($30,000)',
    );
    expect(summarise(off)).toContain('AWS view     co-sell is off (policy coSell.enabled)');
    expect(JSON.parse(JSON.stringify(off)).awsView).toBeNull();
    const csv = qbrReportCsvFiles(computed);
    expect(csv.find((file) => file.filename === 'qbr-2026-Q4-aws-view.csv')?.content).toContain(
      'Rejected by AWS,2,30000',
    );
    expect(csv.find((file) => file.filename === 'qbr-2026-Q4-aws-view-by-partner.csv')?.content).toContain(
      'P3,P3,2,15000,1,10000,0,0,0,0,1,10000,0,0,0,0',
    );
    expect(qbrReportCsvFiles(off).map((file) => file.filename)).not.toContain('qbr-2026-Q4-aws-view.csv');
  });
});

/**
 * COSELL_DRIFT on value, worked out by hand: ACE's contract value is its expected monthly spend
 * times the months Dealreg shared it for (recorded on CoSellShared); it drifts when it is more
 * than 1% and more than $1 away from the deal's amount, both in USD at the rate the ledger froze.
 *
 *   V1 Nova   120,000 USD  sent 10,000.00 × 12 = 120,000, AWS later 12,500.00 → 150,000    → drift (30,000)
 *   V2 Rigel  120,000 USD  AWS 10,100.00 × 12 = 121,200: 1,200.00 = 1% exactly             → nothing
 *   V3 Sirius 120,000 USD  AWS 10,100.01 × 12 = 121,200.12: 1,200.12 > 1%                  → drift
 *   V4 Wren        50 USD  AWS 4.25 × 12 = 51.00: $1.00 (2%) not over $1                    → nothing
 *   V5 Tern   120,000 USD  sent 5,000.00 × 24 months = 120,000                             → nothing
 *   V6 Auk    100,000 EUR at 1.08 (108,000 USD); sent 8,333.33 EUR × 12 = 99,999.96 EUR     → nothing
 *             (107,999.96 USD); AWS later 9,000.00 EUR × 12 = 108,000 EUR = 116,640 USD      → drift (8,640)
 *   V7 Ibis   120,000 USD won 12-01, ACE Committed, AWS 11,000.00 × 12 = 132,000            → one drift: stage and value
 *   V8 Kea    120,000 USD, shared before Dealreg recorded the spend, none read back since  → nothing
 */
describe('COSELL_DRIFT on the value AWS expects', () => {
  const spend = (amount: string, currency = 'USD') => ({ amount, currency });
  const sharedWith = (
    ace: string,
    registrationId: string,
    monthly: { amount: string; currency: string } | undefined,
    contractMonths?: number,
  ): Body => ({
    ...shared(ace, registrationId, '2026-11-02T12:00:00Z'),
    ...(monthly === undefined ? {} : { expectedMonthlySpend: monthly }),
    ...(contractMonths === undefined ? {} : { contractMonths }),
  });
  const opened = (name: string, dollars: number, registrationId: string) => [
    ...approval({
      registrationId,
      partnerId: 'P1',
      relationshipType: 'sourced',
      at: '2026-11-01T12:00:00Z',
      cloudMarketplace: 'aws',
    }),
    created('2026-11-01T13:00:00Z', name, dollars),
  ];
  const valueChains = (aukLater?: string): LedgerEntry[][] => [
    chain('V1', [
      ...opened('Nova', 120_000, 'RV1'),
      sharedWith('O2001', 'RV1', spend('10000.00'), 12),
      status('O2001', '2026-11-20T12:00:00Z', {
        reviewStatus: 'Approved',
        expectedMonthlySpend: spend('12500.00'),
      }),
    ]),
    chain('V2', [...opened('Rigel', 120_000, 'RV2'), sharedWith('O2002', 'RV2', spend('10100.00'), 12)]),
    chain('V3', [...opened('Sirius', 120_000, 'RV3'), sharedWith('O2003', 'RV3', spend('10100.01'), 12)]),
    chain('V4', [...opened('Wren', 50, 'RV4'), sharedWith('O2004', 'RV4', spend('4.25'), 12)]),
    chain('V5', [...opened('Tern', 120_000, 'RV5'), sharedWith('O2005', 'RV5', spend('5000.00'), 24)]),
    chain('V6', [
      ...approval({
        registrationId: 'RV6',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-11-01T12:00:00Z',
        cloudMarketplace: 'aws',
      }),
      {
        type: 'OpportunityCreated',
        effectiveAt: '2026-11-01T13:00:00Z',
        recordedBy: 'crm-events',
        customer: { domain: 'auk.example.com' },
        dealName: 'Auk',
        stage: 'appointmentscheduled',
        amount: freezeMoney(10_000_000, 'EUR', '1.08'),
      },
      sharedWith('O2006', 'RV6', spend('8333.33', 'EUR'), 12),
      ...(aukLater === undefined
        ? []
        : [status('O2006', '2026-11-20T12:00:00Z', { expectedMonthlySpend: spend(aukLater, 'EUR') })]),
    ]),
    chain('V7', [
      ...opened('Ibis', 120_000, 'RV7'),
      sharedWith('O2007', 'RV7', spend('10000.00'), 12),
      status('O2007', '2026-11-10T12:00:00Z', {
        reviewStatus: 'Approved',
        stage: 'Committed',
        expectedMonthlySpend: spend('11000.00'),
      }),
      ...won('2026-12-01T12:00:00Z', 120_000),
    ]),
    chain('V8', [...opened('Kea', 120_000, 'RV8'), sharedWith('O2008', 'RV8', undefined)]),
  ];
  const drifts = (chains: LedgerEntry[][], crm?: Parameters<typeof report>[0]['crm']) =>
    report({ chains, policy: coSellOn.policy, policyVersion: coSellOn.policyVersion, crm }).findings.filter(
      (finding) => finding.code === 'COSELL_DRIFT',
    );

  it('fires over 1% and $1, not at or under either, with the months Dealreg shared for', () => {
    const found = drifts(valueChains());

    expect(found.map((finding) => [finding.opportunityId, finding.severity, finding.evidence.drift])).toEqual(
      [
        ['V7', 'high', 'stage and value'],
        ['V1', 'medium', 'value'],
        ['V3', 'medium', 'value'],
      ],
    );
    const [ibis, nova, sirius] = found;
    expect(nova?.detail).toBe(
      'ACE opportunity O2001 (AWS catalog) expects USD 12,500.00 a month, USD 150,000.00 over the 12 months Dealreg shared it for, but the deal is worth USD 120,000.00 in the ledger (following HubSpot): AWS and your CRM will count this deal differently.',
    );
    expect(nova?.evidence).toMatchObject({
      aceMonthlySpend: '12500.00',
      aceSpendCurrency: 'USD',
      aceContractMonths: 12,
      aceContractValueUsd: 150_000,
      dealAmountUsd: 120_000,
      valueDifferenceUsd: 30_000,
    });
    expect(nova?.fix).toBe(
      "Set the expected monthly spend of O2001 in Partner Central to USD 10,000.00 (the deal's amount over 12 months), or, if AWS's figure is right, ask the deal owner to correct the deal's amount in HubSpot, so AWS's pipeline and yours agree before the meeting.",
    );
    expect(sirius?.evidence).toMatchObject({ aceContractValueUsd: 121_200.12, valueDifferenceUsd: 1_200.12 });
    // Won and not Launched, and worth 132,000 in ACE: one finding names both, and both fixes.
    expect(ibis?.detail).toContain(
      'Ibis is closed-won in the ledger (following HubSpot) but ACE opportunity O2007 (AWS catalog) is at stage Committed, not Launched; and ACE opportunity O2007 (AWS catalog) expects USD 11,000.00 a month, USD 132,000.00',
    );
    expect(ibis?.fix).toContain('Update the stage of O2007 in Partner Central');
    expect(ibis?.fix).toContain(
      'set the expected monthly spend of O2007 in Partner Central to USD 10,000.00',
    );
  });

  it('converts a euro spend to USD at the rate the ledger froze for the deal', () => {
    // 8,333.33 EUR × 12 = 99,999.96 EUR = 107,999.96 USD against 108,000.00: nothing.
    expect(drifts(valueChains()).map((finding) => finding.opportunityId)).not.toContain('V6');
    const found = drifts(valueChains('9000.00')).find((finding) => finding.opportunityId === 'V6');
    expect(found?.evidence).toMatchObject({
      aceMonthlySpend: '9000.00',
      aceSpendCurrency: 'EUR',
      aceContractValueUsd: 116_640,
      dealAmountUsd: 108_000,
      valueDifferenceUsd: 8_640,
    });
    expect(found?.detail).toContain('expects EUR 9,000.00 a month, USD 116,640.00 over the 12 months');
    expect(found?.detail).toContain('the deal is worth EUR 100,000.00 (USD 108,000.00) in the ledger');
    expect(found?.fix).toContain("to USD 9,000.00 (the deal's amount over 12 months)");
  });

  it("compares with HubSpot's amount when HubSpot was read, in its currency at the ledger's rate", () => {
    // HubSpot: Nova renegotiated to 150,000 USD (now equal to ACE); Auk at 110,000 EUR (118,800 USD)
    // against ACE's 8,333.33 × 12 = 99,999.96 EUR (107,999.96 USD): 10,800.04 apart, over 1% of 118,800.
    const crm = crmOf([
      crmDeal('V1', {
        name: 'Nova',
        amount: 150_000,
        currency: 'USD',
        stageId: 'appointmentscheduled',
        closedWon: false,
      }),
      crmDeal('V6', {
        name: 'Auk',
        amount: 110_000,
        currency: 'EUR',
        stageId: 'appointmentscheduled',
        closedWon: false,
      }),
    ]);

    const found = drifts(valueChains(), crm);

    expect(found.map((finding) => finding.opportunityId)).not.toContain('V1');
    const auk = found.find((finding) => finding.opportunityId === 'V6');
    expect(auk?.detail).toContain('but the deal is worth EUR 110,000.00 (USD 118,800.00) in HubSpot');
    expect(auk?.evidence).toMatchObject({
      aceContractValueUsd: 107_999.96,
      dealAmountUsd: 118_800,
      valueDifferenceUsd: 10_800.04,
    });
  });

  it("names HubSpot's deal owner to correct the deal there, and as the finding's owner", () => {
    const crm = {
      ...crmOf([
        crmDeal('V6', {
          name: 'Auk',
          amount: 110_000,
          currency: 'EUR',
          stageId: 'appointmentscheduled',
          closedWon: false,
          ownerId: '701',
        }),
      ]),
      owners: new Map([['701', { name: 'Dana Reyes', email: 'dana@vendor.example' }]]),
    };

    const auk = drifts(valueChains(), crm).find((finding) => finding.opportunityId === 'V6');

    expect(auk?.fix).toContain(
      "or, if AWS's figure is right, ask Dana Reyes (the deal owner) to correct the deal's amount in HubSpot",
    );
    expect(auk?.context?.owner).toBe('Dana Reyes (the deal owner)');
  });
});

/**
 * COSELL_MISSING judged by the decision recorded at approval, not by today's policy. Approved
 * 2026-12-01 for the aws marketplace, never shared; as of 2026-12-15.
 *
 *   M1 Mira  recorded: shared (aws was shared then); policy since narrowed to azure → COSELL_MISSING
 *   M2 Nash  recorded: not shared (below 50,000 then); policy since widened         → nothing
 *   M3 Oak   approved before the decision was recorded; today's policy shares aws  → COSELL_MISSING, by the current policy
 */
describe('COSELL_MISSING by the policy that applied at approval', () => {
  const approvedAt = '2026-12-01T12:00:00Z';
  const chainsOf = (): LedgerEntry[][] => [
    chain('M1', [
      ...approval({
        registrationId: 'RM1',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: approvedAt,
        cloudMarketplace: 'aws',
        coSell: {
          share: true,
          reason: 'the policy shares registrations for the aws marketplace approved as sourced (coSell)',
        },
      }),
      created('2026-12-01T13:00:00Z', 'Mira', 40_000),
    ]),
    chain('M2', [
      ...approval({
        registrationId: 'RM2',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: approvedAt,
        cloudMarketplace: 'aws',
        coSell: { share: false, reason: 'the amount (USD 30000.00) is below coSell.minAmountUsd (50000)' },
      }),
      created('2026-12-01T13:00:00Z', 'Nash', 30_000),
    ]),
    chain('M3', [
      ...approval({
        registrationId: 'RM3',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: approvedAt,
        cloudMarketplace: 'aws',
      }),
      created('2026-12-01T13:00:00Z', 'Oak', 20_000),
    ]),
  ];
  const missingUnder = (coSell: Record<string, unknown>) => {
    const loaded = loadPolicy({
      coSell: { enabled: true, solutions: ['S-0000001'], catalog: 'AWS', ...coSell },
    });
    return report({
      chains: chainsOf(),
      policy: loaded.policy,
      policyVersion: loaded.policyVersion,
    }).findings.filter((finding) => finding.code === 'COSELL_MISSING');
  };

  it('still finds a registration the policy shared at approval after the policy is narrowed', () => {
    const found = missingUnder({ marketplaces: ['azure'] });

    expect(found.map((finding) => finding.registrationId)).toEqual(['RM1']);
    expect(found[0]?.evidence).toMatchObject({
      decidedBy: 'policy at approval',
      decisionReason: 'the policy shares registrations for the aws marketplace approved as sourced (coSell)',
    });
    expect(found[0]?.detail).toContain(
      'for the aws marketplace, which the policy in force at the approval shared with AWS, but the ledger has no ACE opportunity',
    );
    expect(found[0]?.fix).toContain('changing the policy now does not undo that');
  });

  it('finds nothing for a registration the policy did not share at approval after the policy is widened', () => {
    const found = missingUnder({ marketplaces: ['aws', 'azure'], minAmountUsd: 0 });

    expect(found.map((finding) => [finding.registrationId, finding.evidence.decidedBy])).toEqual([
      ['RM1', 'policy at approval'],
      ['RM3', 'current policy (approval predates the record)'],
    ]);
    expect(found[1]?.detail).toContain(
      'which the current policy shares (the approval predates the recorded decision)',
    );
    expect(found[1]?.evidence).toMatchObject({ decisionReason: null, minAmountUsd: 0 });
  });
});
