import { describe, expect, it } from 'vitest';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { CrmDealsRead } from '#domain/qbr/crm-deal.ts';
import { approval, chain, created, crmDeal, crmOf, report, won } from './qbr-fixtures.ts';

// The default policy's calendar is America/New_York.
const q3 = parseFiscalQuarter('2026-Q3', 1, 'America/New_York');
const q4 = parseFiscalQuarter('2026-Q4', 1, 'America/New_York');
const asOf = '2026-12-15T00:00:00.000Z';

/** O1, 100,000, won on 1 Nov (10:00 in New York), then its close date edited in HubSpot. */
function wonThenRedated(closeDate: string) {
  return chain('O1', [
    created('2026-10-05T15:00:00.000Z', 'Northwind renewal', 100_000),
    ...won('2026-11-01T15:00:00.000Z', 100_000),
    {
      type: 'CloseDateChanged',
      effectiveAt: '2026-11-20T15:00:00.000Z',
      recordedBy: 'crm-events',
      closeDate,
    },
  ]);
}

/** HubSpot's deal O1 as won, owned by Dana Reyes. */
function crmWithOwner(): CrmDealsRead {
  return {
    ...crmOf([
      crmDeal('O1', {
        name: 'Northwind renewal',
        amount: 100_000,
        stageId: 'closedwon',
        closedWon: true,
        ownerId: '601',
      }),
    ]),
    owners: new Map([['601', { name: 'Dana Reyes', email: 'dana@vendor.example' }]]),
  };
}

describe('a close date edited into another quarter', () => {
  it('keeps counting the revenue by the stage change and says so in both quarters, naming the deal owner', () => {
    // Won 1 Nov (Q4), close date moved to 30 Sep (Q3): the report counts 100,000 in Q4 and none in
    // Q3 (the stage change is what counts); HubSpot's close-date reports put the 100,000 in Q3.
    const chains = [wonThenRedated('2026-09-30')];
    const crm = crmWithOwner();

    const inQ4 = report({ quarter: q4, asOf, chains, crm });
    const inQ3 = report({ quarter: q3, asOf, chains, crm });

    expect([inQ4.scorecard.closedWonAmount, inQ3.scorecard.closedWonAmount]).toEqual([100_000, 0]);
    const [q4Finding] = inQ4.findings.filter((finding) => finding.code === 'CLOSE_DATE_MISMATCH');
    expect(q4Finding).toMatchObject({
      severity: 'high',
      opportunityId: 'O1',
      evidence: {
        wonOn: '2026-11-01',
        closeDate: '2026-09-30',
        closeDateSetAt: '2026-11-20T15:00:00.000Z',
        countedIn: '2026-Q4',
        closeDateQuarter: '2026-Q3',
        wonUsd: 100_000,
      },
      context: { owner: 'Dana Reyes (the deal owner)' },
    });
    expect(q4Finding?.detail).toBe(
      "Northwind renewal was won on 2026-11-01, so its USD 100,000.00 counts in 2026-Q4 here, but its close date in HubSpot is 2026-09-30 (set on 2026-11-20), in 2026-Q3: HubSpot's reports, which group deals by close date, count it in 2026-Q3, not 2026-Q4.",
    );
    expect(q4Finding?.fix).toMatch(
      /^Ask Dana Reyes \(the deal owner\) which date is right\. If the deal was won on 2026-11-01, set its close date back to 2026-11-01 in HubSpot/,
    );
    const [q3Finding] = inQ3.findings.filter((finding) => finding.code === 'CLOSE_DATE_MISMATCH');
    expect(q3Finding?.detail).toBe(
      "Northwind renewal's close date in HubSpot is 2026-09-30 (set on 2026-11-20), in 2026-Q3, so HubSpot's reports count its USD 100,000.00 in 2026-Q3; it was won on 2026-11-01, and this report counts it in 2026-Q4, not here.",
    );
  });

  it('raises nothing for a close date in the quarter the deal was won in', () => {
    const inQ4 = report({ quarter: q4, asOf, chains: [wonThenRedated('2026-12-20')], crm: crmWithOwner() });

    expect(inQ4.findings.filter((finding) => finding.code === 'CLOSE_DATE_MISMATCH')).toEqual([]);
  });

  it('raises nothing for the close date HubSpot sets at the win, a UTC date across the quarter’s edge', () => {
    // Won at 21:00 on 31 Dec in New York (2027-01-01T02:00Z): HubSpot's own close date is that
    // moment, recorded as its UTC date 2027-01-01 — the same win, not an edit.
    const chains = [
      chain('O1', [
        created('2026-10-05T15:00:00.000Z', 'Northwind renewal', 100_000),
        ...won('2027-01-01T02:00:00.000Z', 100_000),
        {
          type: 'CloseDateChanged',
          effectiveAt: '2027-01-01T02:00:00.000Z',
          recordedBy: 'crm-events',
          closeDate: '2027-01-01',
        },
      ]),
    ];

    const inQ4 = report({ quarter: q4, asOf: '2027-01-05T00:00:00.000Z', chains, crm: crmWithOwner() });

    expect(inQ4.scorecard.closedWonAmount).toBe(100_000);
    expect(inQ4.findings.filter((finding) => finding.code === 'CLOSE_DATE_MISMATCH')).toEqual([]);
  });
});

describe('a won deal deleted in HubSpot', () => {
  it('still counts, and a finding per deal names it and the revenue that still counts', () => {
    // O2 sourced 40,000 and O3 influenced 25,000, both won in Q4 and both gone from HubSpot;
    // closed-won 65,000, partner-sourced 40,000, partner-influenced 25,000 — still counted.
    const sourced = chain('O2', [
      ...approval({
        registrationId: 'R2',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-10-05T15:00:00.000Z',
      }),
      created('2026-10-05T15:00:00.000Z', 'Contoso expansion', 40_000),
      ...won('2026-11-10T15:00:00.000Z', 40_000),
    ]);
    const influenced = chain('O3', [
      ...approval({
        registrationId: 'R3',
        partnerId: 'P2',
        relationshipType: 'influenced',
        at: '2026-10-05T15:00:00.000Z',
      }),
      created('2026-10-05T15:00:00.000Z', 'Fabrikam pilot', 25_000),
      ...won('2026-11-12T15:00:00.000Z', 25_000),
    ]);

    const computed = report({
      quarter: q4,
      asOf,
      chains: [sourced, influenced],
      crm: crmOf([], ['O2', 'O3']),
    });

    expect([
      computed.scorecard.closedWonAmount,
      computed.attribution.partnerSourcedRevenue,
      computed.attribution.partnerInfluencedRevenue,
    ]).toEqual([65_000, 40_000, 25_000]);
    const deleted = computed.findings.filter((finding) => finding.code === 'DEAL_DELETED_IN_HUBSPOT');
    expect(deleted.map((finding) => [finding.opportunityId, finding.severity, finding.evidence])).toEqual([
      [
        'O2',
        'high',
        {
          hubspotDealId: 'O2',
          inHubSpot: false,
          stillCounted: true,
          wonAt: '2026-11-10T15:00:00.000Z',
          wonUsd: 40_000,
          attribution: 'sourced',
          partnersAtClose: 'P1:sourced',
        },
      ],
      [
        'O3',
        'high',
        {
          hubspotDealId: 'O3',
          inHubSpot: false,
          stillCounted: true,
          wonAt: '2026-11-12T15:00:00.000Z',
          wonUsd: 25_000,
          attribution: 'influenced',
          partnersAtClose: 'P2:influenced',
        },
      ],
    ]);
    expect(deleted[1]?.detail).toBe(
      "Fabrikam pilot (HubSpot deal O3), won on 2026-11-12, is no longer in HubSpot. Its USD 25,000.00 still counts in this report's closed-won and partner-influenced revenue for 2026-Q4, as the ledger recorded the win; HubSpot's reports no longer include it, so this report is USD 25,000.00 above HubSpot's.",
    );
  });

  it('raises nothing without HubSpot, or for a deal HubSpot still has', () => {
    const wonDeal = chain('O2', [
      created('2026-10-05T15:00:00.000Z', 'Contoso expansion', 40_000),
      ...won('2026-11-10T15:00:00.000Z', 40_000),
    ]);
    const still = crmOf([crmDeal('O2', { amount: 40_000, stageId: 'closedwon', closedWon: true })]);

    const codes = [undefined, still].map((crm) =>
      report({ quarter: q4, asOf, chains: [wonDeal], crm }).findings.map((finding) => finding.code),
    );

    expect(codes.flat()).not.toContain('DEAL_DELETED_IN_HUBSPOT');
  });
});
