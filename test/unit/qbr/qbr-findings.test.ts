import { describe, expect, it } from 'vitest';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { lastInstantOf } from '#domain/qbr/fiscal-calendar.ts';
import { quarterFigures } from '#domain/qbr/quarter-figures.ts';
import { compareWithSnapshot } from '#domain/qbr/snapshot.ts';
import {
  approval,
  chain,
  created,
  crmDeal,
  crmOf,
  decision,
  factsOf,
  record,
  report,
  sla,
  usd,
  won,
} from './qbr-fixtures.ts';

const definitions = { sourcedTypes: ['sourced', 'referral'], influencedTypes: ['influenced', 'resell'] };
const codes = (findings: readonly { code: string }[]) => findings.map((finding) => finding.code);
/** A finding without the context the report adds (partner, owner, links: see qbr-finding-context). */
const withoutContext = <T extends { context?: unknown }>({ context: _context, ...finding }: T) => finding;

/** Registration R1 approved for partner P1 as sourced, then its deal O1 created. */
function approvedEntries(dealName: string, amount: number) {
  return [
    ...approval({
      registrationId: 'R1',
      partnerId: 'P1',
      relationshipType: 'sourced',
      at: '2026-10-05T18:00:00Z',
    }),
    created('2026-10-06T12:00:00Z', dealName, amount),
  ];
}

/** Opportunity O1 as `approvedEntries` leaves it. */
function approvedAsSourced(dealName: string, amount: number) {
  return chain('O1', approvedEntries(dealName, amount));
}

/**
 * Opportunity O1, approved for partner P1 as sourced, whose partner association HubSpot then
 * relabelled "Influenced partner": the ledger follows the label (detached sourced, attached
 * influenced).
 */
function relabelledToInfluenced(dealName: string) {
  return chain('O1', [
    ...approvedEntries(dealName, 80_000),
    {
      type: 'PartnerDetached',
      effectiveAt: '2026-11-02T12:00:00Z',
      recordedBy: 'crm-events',
      partnerId: 'P1',
      relationshipType: 'sourced',
      reason: 'partner association label removed in HubSpot',
    },
    {
      type: 'PartnerAttached',
      effectiveAt: '2026-11-02T12:00:00Z',
      recordedBy: 'crm-events',
      partnerId: 'P1',
      customer: { domain: 'r1.example.com' },
      relationshipType: 'influenced',
    },
  ]);
}

describe('pre-QBR reconciliation findings', () => {
  it('reports a broken ledger chain as critical LEDGER_INTEGRITY', () => {
    const computed = report({
      integrity: {
        chains: 3,
        chainsNotInLedger: 0,
        entries: 12,
        broken: [
          {
            opportunityId: 'O7',
            sequence: 4,
            problem: 'hash-mismatch',
            detail: 'stored hash 1a2b… ≠ computed 9f8e…',
          },
        ],
      },
    });
    expect(computed.integrity).toMatchObject({ chains: 3, chainsNotInLedger: 0, entries: 12, broken: 1 });
    expect(computed.findings).toEqual([
      expect.objectContaining({
        code: 'LEDGER_INTEGRITY',
        severity: 'critical',
        opportunityId: 'O7',
        evidence: { sequence: 4, problem: 'hash-mismatch' },
      }),
    ]);
  });

  it('says a broken chain counts from its first bad entry on in no figure, and compares no truncated chain with HubSpot', () => {
    // O1's ClosedWon (entry 5) was altered: the report projects entries 1-4 only, so the ledger
    // reads it open while HubSpot says won. That is the break, not a missed stage change.
    const chains = [approvedAsSourced('Orion', 80_000)];
    const crm = crmOf([
      crmDeal('O1', {
        amount: 95_000,
        stageId: 'closedwon',
        closedWon: true,
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
      }),
    ]);
    const broken = [
      { opportunityId: 'O1', sequence: 5, problem: 'hash-mismatch', detail: 'content was altered' },
    ];

    const computed = report({
      chains,
      crm,
      integrity: { chains: 1, chainsNotInLedger: 0, entries: 5, broken, excludedEntries: 1 },
    });

    expect(codes(computed.findings)).toEqual(['LEDGER_INTEGRITY']);
    expect(computed.findings[0]?.detail).toBe(
      'The ledger chain of opportunity O1 is broken at entry #5 (hash-mismatch): content was altered. Its entries from #5 on count in no figure of this report.',
    );
  });

  it('reports a partner relationship overwritten in HubSpot after approval as ATTRIBUTION_DRIFT', () => {
    // Approved as sourced on 10-05; on 11-02 someone relabels the association in HubSpot to
    // influenced: the CRM-events handler records the detach and the new label.
    const chains = [relabelledToInfluenced('Orion rollout')];
    const crm = crmOf([
      crmDeal('O1', {
        amount: 80_000,
        stageId: 'appointmentscheduled',
        closedWon: false,
        registrationId: 'R1',
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
      }),
    ]);
    const drift = report({ chains, crm }).findings.filter((finding) => finding.code === 'ATTRIBUTION_DRIFT');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({
      severity: 'high',
      opportunityId: 'O1',
      registrationId: 'R1',
      evidence: {
        approved: 'P1:sourced',
        ledgerNow: 'P1:influenced',
        hubspotReadFrom: "deal property dealreg_partner_relationship (Dealreg's copy; associations not read)",
        hubspotNow: 'P1:sourced',
        dealPropertyNow: 'P1:sourced',
      },
    });
    expect(drift[0]?.detail).toContain('approved P1 as sourced, but it is now labelled influenced');
  });

  it("judges HubSpot's attribution by the partner association label, noting Dealreg's stale property", () => {
    // Approved as sourced; the association is relabelled "Influenced partner" in HubSpot, which
    // the ledger follows. Dealreg's mirrored deal property still says sourced.
    const chains = [relabelledToInfluenced('Stark upgrade')];
    const crm = crmOf([
      crmDeal('O1', {
        amount: 80_000,
        registrationId: 'R1',
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
        partnerAssociations: [{ companyId: 'P1', relationship: 'influenced', label: 'Influenced partner' }],
      }),
    ]);
    const [drift, ...others] = report({ chains, crm }).findings.filter(
      (finding) => finding.code === 'ATTRIBUTION_DRIFT',
    );
    expect(others).toEqual([]);
    expect(drift?.evidence).toMatchObject({
      ledgerNow: 'P1:influenced',
      hubspotReadFrom: 'partner association label',
      hubspotNow: 'P1:influenced ("Influenced partner")',
      dealPropertyNow: 'P1:sourced',
    });
    // The label agrees with the ledger: the drift is the relabel after approval, not HubSpot.
    expect(drift?.detail).not.toContain("HubSpot's partner association label shows");
    expect(drift?.detail).toContain("Dealreg's deal property still says P1 as sourced");
  });

  it('reports a partner association label the ledger does not have, whatever the property says', () => {
    const chains = [approvedAsSourced('Orion', 1_000)];
    const relabelled = crmDeal('O1', {
      amount: 1_000,
      partnerCompanyId: 'P1',
      partnerRelationship: 'sourced',
      partnerAssociations: [{ companyId: 'P1', relationship: 'referral', label: 'Referral partner' }],
    });
    const [drift] = report({ chains, crm: crmOf([relabelled]) }).findings;
    expect(drift?.code).toBe('ATTRIBUTION_DRIFT');
    expect(drift?.detail).toContain(
      `HubSpot's partner association label shows P1 as referral ("Referral partner"), the ledger P1 as sourced`,
    );
    // No labelled association at all, while the property still names the partner.
    const unlabelled = { ...relabelled, partnerAssociations: [] };
    const [missing] = report({ chains, crm: crmOf([unlabelled]) }).findings;
    expect(missing?.detail).toContain('HubSpot shows no partner association label on the deal');
    // Label and ledger agree; a stale property alone is no attribution drift.
    const agreeing = {
      ...relabelled,
      partnerRelationship: 'influenced',
      partnerAssociations: [{ companyId: 'P1', relationship: 'sourced', label: 'Sourced partner' }],
    };
    expect(codes(report({ chains, crm: crmOf([agreeing]) }).findings)).toEqual([]);
  });

  it('names the partners of an ATTRIBUTION_DRIFT by name, as the other findings do', () => {
    const chains = [relabelledToInfluenced('Orion rollout')];
    const crm = crmOf([
      crmDeal('O1', {
        amount: 80_000,
        registrationId: 'R1',
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
        partnerAssociations: [
          { companyId: 'P1', relationship: 'influenced', label: 'Influenced partner' },
          { companyId: 'P2', relationship: 'sourced', label: 'Sourced partner' },
        ],
      }),
    ]);
    const registrations = [
      record({
        registrationId: 'R1',
        submittedAt: '2026-10-05T15:00:00Z',
        partnerId: 'P1',
        partnerName: 'Northwind Cloud',
        progress: { status: 'approved', approvedAt: '2026-10-05T18:00:00Z', dealId: 'O1' },
      }),
      record({
        registrationId: 'R2',
        submittedAt: '2026-10-07T15:00:00Z',
        partnerId: 'P2',
        partnerName: 'Cloudwise',
        progress: { status: 'declined' },
      }),
    ];

    const [drift] = report({ chains, crm, registrations }).findings.filter(
      (finding) => finding.code === 'ATTRIBUTION_DRIFT',
    );

    expect(drift?.detail).toBe(
      'Partner attribution of Orion rollout drifted: registration R1 approved Northwind Cloud as sourced, but it is now labelled influenced; ' +
        'HubSpot\'s partner association label shows Cloudwise as sourced ("Sourced partner"), the ledger Northwind Cloud as influenced; ' +
        "Dealreg's deal property still says Northwind Cloud as sourced, a copy the label change left behind.",
    );
    expect(drift?.detail).not.toMatch(/\bP[12]\b/);
  });

  it('reports a HubSpot partner the ledger does not have as ATTRIBUTION_DRIFT', () => {
    const chains = [approvedAsSourced('Orion', 1_000)];
    const crm = crmOf([
      crmDeal('O1', { amount: 1_000, partnerCompanyId: 'P9', partnerRelationship: 'sourced' }),
    ]);
    expect(codes(report({ chains, crm }).findings)).toEqual(['ATTRIBUTION_DRIFT']);
  });

  it('reports amounts and stages that differ from HubSpot as AMOUNT_DRIFT and STAGE_DRIFT', () => {
    // O1 won 100,000.00 USD on 11-20 in the ledger; HubSpot says 95,000.50 and not won.
    // O2 open at 40,000 in stage appointmentscheduled; HubSpot has it in contractsent at 40,000.
    const chains = [
      chain('O1', [
        ...approval({
          registrationId: 'R1',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-10-05T18:00:00Z',
        }),
        created('2026-10-06T12:00:00Z', 'Orion', 90_000),
        ...won('2026-11-20T15:00:00Z', 100_000),
      ]),
      chain('O2', [
        ...approval({
          registrationId: 'R2',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-10-05T18:00:00Z',
        }),
        created('2026-10-06T12:00:00Z', 'Nimbus', 40_000),
      ]),
    ];
    const crm = crmOf([
      crmDeal('O1', {
        amount: 95_000.5,
        stageId: 'contractsent',
        closedWon: false,
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
        registrationId: 'R1',
        croValue: 'Partner',
      }),
      crmDeal('O2', {
        amount: 40_000,
        stageId: 'contractsent',
        closedWon: false,
        partnerCompanyId: 'P1',
        partnerRelationship: 'sourced',
        registrationId: 'R2',
      }),
    ]);
    const findings = report({ chains, crm }).findings.map((finding) => [
      finding.code,
      finding.severity,
      finding.opportunityId,
    ]);
    // O1 was won in the quarter, so both of its drifts are high; O2's stage drift is medium.
    expect(findings).toEqual([
      ['AMOUNT_DRIFT', 'high', 'O1'],
      ['STAGE_DRIFT', 'high', 'O1'],
      ['STAGE_DRIFT', 'medium', 'O2'],
    ]);
    const amount = report({ chains, crm }).findings[0];
    // 100,000.00 USD = 10,000,000 cents in the ledger; HubSpot 95,000.50
    expect(amount?.evidence).toMatchObject({
      ledgerAmountMinor: 10_000_000,
      ledgerUsd: 100_000,
      hubspotAmount: 95_000.5,
    });
    // The sentence gives both amounts as money, not the ledger's minor units.
    expect(amount?.detail).toBe('The amount of Orion differs: ledger USD 100,000.00, HubSpot USD 95,000.50.');
  });

  it('reports a deal counted partner-sourced without an approved registration', () => {
    const chains = [
      chain('O4', [
        {
          type: 'PartnerAttached',
          effectiveAt: '2026-11-01T12:00:00Z',
          recordedBy: 'crm-events',
          partnerId: 'P3',
          customer: { domain: 'lynx.example.com' },
          relationshipType: 'referral',
        },
        created('2026-11-01T12:00:00Z', 'Lynx', 20_000),
        ...won('2026-12-05T15:00:00Z', 20_000),
      ]),
    ];
    const computed = report({ chains });
    // referral counts as sourced under the default definitions: 20,000 sourced, no registration
    expect(computed.attribution.partnerSourcedRevenue).toBe(20_000);
    expect(computed.findings).toEqual([
      expect.objectContaining({
        code: 'SOURCED_WITHOUT_REGISTRATION',
        severity: 'high',
        opportunityId: 'O4',
      }),
    ]); // Named as the report knows the partner (here from another, rejected registration of theirs).
    const named = report({
      chains,
      registrations: [
        record({
          registrationId: 'R40',
          submittedAt: '2026-10-20T15:00:00Z',
          partnerId: 'P3',
          partnerName: 'Lynx Partners',
          progress: { status: 'declined' },
        }),
      ],
    }).findings.find((finding) => finding.code === 'SOURCED_WITHOUT_REGISTRATION');
    expect(named?.detail).toBe(
      'Lynx counts as partner-sourced (Lynx Partners as referral) but no approved registration backs it.',
    );
  });

  it('reports an approved registration with no opportunity after 30 days as ORPHAN_REGISTRATION', () => {
    // Approved 2026-11-01 (44 days before asOf 12-15) on deal O5, which never appeared; R6 approved
    // 12-01 (14 days) is not an orphan yet.
    const chains = [
      chain(
        'O5',
        approval({
          registrationId: 'R5',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-11-01T00:00:00Z',
        }),
      ),
      chain(
        'O6',
        approval({
          registrationId: 'R6',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-12-01T00:00:00Z',
        }),
      ),
    ];
    const crm = crmOf([], ['O5', 'O6']);
    expect(report({ chains, crm }).findings).toEqual([
      expect.objectContaining({
        code: 'ORPHAN_REGISTRATION',
        registrationId: 'R5',
        evidence: { approvedAt: '2026-11-01T00:00:00.000Z', daysSinceApproval: 44, dealInHubSpot: false },
      }),
    ]);
  });

  it('reports a registration waiting past its SLA deadline at asOf, even when decided later', () => {
    // Requested 12-01, deadline 12-03; decided on 12-20, after asOf 12-15: at asOf it was waiting.
    const late = record({
      registrationId: 'R7',
      submittedAt: '2026-12-01T12:00:00Z',
      partnerId: 'P1',
      progress: {
        status: 'approved',
        decision: decision('approve', '2026-12-20T12:00:00Z'),
        sla: sla('2026-12-01T13:00:00Z', '2026-12-03T21:00:00Z'),
      },
    });
    const computed = report({ registrations: [late] });
    expect(computed.findings).toEqual([
      expect.objectContaining({
        code: 'SLA_BREACH',
        severity: 'high',
        registrationId: 'R7',
        evidence: expect.objectContaining({ status: 'in-review' }),
      }),
    ]);
    // Not yet a decision of the quarter as of 12-15.
    expect(computed.sla.decisions).toBe(0);
    expect(computed.funnel).toMatchObject({ submitted: 1, approved: 0 });
  });

  it('reports a partner still attributed after its registration expired', () => {
    const chains = [
      chain('O8', [
        ...approval({
          registrationId: 'R8',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-08-01T00:00:00Z',
        }),
        created('2026-08-02T00:00:00Z', 'Falcon', 30_000),
        {
          type: 'RegistrationExpired',
          effectiveAt: '2026-10-30T00:00:00Z',
          registrationId: 'R8',
          partnerId: 'P1',
        },
      ]),
      // Won before it expired: the credit stands.
      chain('O9', [
        ...approval({
          registrationId: 'R9',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-08-01T00:00:00Z',
        }),
        created('2026-08-02T00:00:00Z', 'Heron', 30_000),
        ...won('2026-10-01T00:00:00Z', 30_000),
        {
          type: 'RegistrationExpired',
          effectiveAt: '2026-10-30T00:00:00Z',
          registrationId: 'R9',
          partnerId: 'P1',
        },
      ]),
    ];
    expect(report({ chains }).findings).toEqual([
      expect.objectContaining({
        code: 'EXPIRED_STILL_ATTRIBUTED',
        severity: 'high',
        opportunityId: 'O8',
        registrationId: 'R8',
      }),
    ]);
    const registrations = [
      record({
        registrationId: 'R8',
        submittedAt: '2026-07-31T15:00:00Z',
        partnerId: 'P1',
        partnerName: 'Northwind Cloud',
        progress: { status: 'expired' },
      }),
    ];
    const [named] = report({ chains, registrations }).findings;
    expect(named?.detail).toBe(
      'Registration R8 expired on 2026-10-30, but Northwind Cloud is still attributed on Falcon.',
    );
  });

  it('dates an expiry on its day in the policy calendar’s zone, not the UTC date', () => {
    const chains = [
      chain('O8', [
        ...approval({
          registrationId: 'R8',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-08-01T00:00:00Z',
        }),
        created('2026-08-02T00:00:00Z', 'Falcon', 30_000),
        // 02:00 UTC on 30 October is 22:00 on 29 October in New York (EDT, UTC−4).
        {
          type: 'RegistrationExpired',
          effectiveAt: '2026-10-30T02:00:00Z',
          registrationId: 'R8',
          partnerId: 'P1',
        },
      ]),
    ];

    const [expired] = report({
      chains,
      quarter: parseFiscalQuarter('2026-Q4', 1, 'America/New_York'),
    }).findings;

    expect(expired?.detail).toBe(
      'Registration R8 expired on 2026-10-29, but P1 is still attributed on Falcon.',
    );
  });

  it('dates the freezing of a closed quarter on its day in the policy calendar’s zone', () => {
    const differences = [
      { figure: 'closedWonUsdMinor', opportunityId: undefined, frozen: 6_000_000, now: 4_500_000 },
    ];
    // 03:00 UTC on 1 October is 23:00 on 30 September in New York (EDT, UTC−4).
    const [retroactive] = report({
      quarter: parseFiscalQuarter('2026-Q4', 1, 'America/New_York'),
      retroactive: [{ quarter: '2026-Q3', frozenAt: '2026-10-01T03:00:00.000Z', differences }],
    }).findings;

    expect(retroactive?.detail).toMatch(
      /^Closed quarter 2026-Q3 changed since it was frozen on 2026-09-30: /,
    );
  });

  it('reports a closed quarter whose figures moved since its snapshot as RETROACTIVE_CHANGE', () => {
    // Q3 closed with O1 won on 09-10 for 60,000 (sourced). Frozen on 10-01. On 11-15 a correction
    // back-dated to Q3 changes the won amount to 45,000: Q3's figures moved by −15,000.
    const q3 = parseFiscalQuarter('2026-Q3');
    const entries = chain('O1', [
      ...approval({
        registrationId: 'R1',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-08-01T00:00:00Z',
      }),
      created('2026-08-02T00:00:00Z', 'Orion', 60_000),
      ...won('2026-09-10T00:00:00Z', 60_000),
      {
        type: 'Correction',
        effectiveAt: '2026-11-15T00:00:00Z',
        supersedesSequence: 5,
        reason: 'won amount was entered gross of discount',
        approver: 'revops@example.com',
        changes: { amount: usd(45_000) },
      },
    ]);
    const frozenAt = '2026-10-01T00:00:00.000Z';
    const frozen = quarterFigures(factsOf([entries], lastInstantOf(q3), frozenAt), q3, definitions);
    expect(frozen.partnerSourcedUsdMinor).toBe(6_000_000);
    const snapshot = { quarter: '2026-Q3', frozenAt, policyVersion: 'pv-x', figures: frozen };
    const now = quarterFigures(
      factsOf([entries], lastInstantOf(q3), '2026-12-15T00:00:00.000Z'),
      q3,
      definitions,
    );
    const differences = compareWithSnapshot(snapshot, now);
    // closedWonUsdMinor and partnerSourcedUsdMinor: 6,000,000 → 4,500,000 cents; O1 likewise
    expect(differences).toEqual([
      { figure: 'closedWonUsdMinor', opportunityId: undefined, frozen: 6_000_000, now: 4_500_000 },
      { figure: 'partnerSourcedUsdMinor', opportunityId: undefined, frozen: 6_000_000, now: 4_500_000 },
      { figure: 'opportunity.usdMinor', opportunityId: 'O1', frozen: 6_000_000, now: 4_500_000 },
    ]);
    const computed = report({
      chains: [entries],
      retroactive: [{ quarter: '2026-Q3', frozenAt, differences }],
    });
    expect(
      computed.findings.slice(0, 3).map((finding) => [finding.code, finding.severity, finding.opportunityId]),
    ).toEqual([
      ['RETROACTIVE_CHANGE', 'critical', undefined],
      ['RETROACTIVE_CHANGE', 'critical', undefined],
      ['RETROACTIVE_CHANGE', 'critical', 'O1'],
    ]);
    expect(computed.scorecard.findings.critical).toBe(3);
  });

  it('finds nothing retroactive while a closed quarter stays as frozen', () => {
    const q3 = parseFiscalQuarter('2026-Q3');
    const entries = chain('O1', [
      created('2026-08-02T00:00:00Z', 'Orion', 60_000),
      ...won('2026-09-10T00:00:00Z', 60_000),
    ]);
    const figures = quarterFigures(factsOf([entries], lastInstantOf(q3)), q3, definitions);
    const later = chain('O1', [
      created('2026-08-02T00:00:00Z', 'Orion', 60_000),
      ...won('2026-09-10T00:00:00Z', 60_000),
      // Effective in Q4: does not touch Q3.
      { type: 'AmountChanged', effectiveAt: '2026-10-15T00:00:00Z', amount: usd(1) },
    ]);
    const now = quarterFigures(
      factsOf([later], lastInstantOf(q3), '2026-12-15T00:00:00.000Z'),
      q3,
      definitions,
    );
    expect(
      compareWithSnapshot(
        { quarter: '2026-Q3', frozenAt: '2026-10-01T00:00:00.000Z', policyVersion: 'pv', figures },
        now,
      ),
    ).toEqual([]);
  });

  it('reports a decision that departed from its verdict’s rule as POLICY_EXCEPTION, only for decisions of the quarter up to asOf', () => {
    // R10: the competing-partner rule allowed influenced only; the approver approved it as sourced
    // on 11-03 with a reason → one exception. R11 departed too, but was decided in Q3 (09-20);
    // R12 departed on 12-20, after asOf 12-15; R13 followed its verdict. Only R10 counts.
    const competing = {
      outcome: 'needs-review' as const,
      ruleId: 'competing-partner' as const,
      reason: 'P2 holds an approved registration for this customer.',
      evidence: [],
      firedRules: [],
      relationshipType: 'influenced' as const,
      compensation: null,
      policyVersion: 'pv-1',
    };
    const decided = (registrationId: string, at: string, exception: boolean) =>
      record({
        registrationId,
        submittedAt: '2026-09-15T12:00:00Z',
        partnerId: 'P1',
        progress: {
          status: 'approved',
          verdict: competing,
          decision: decision('approve', at, {
            exception,
            relationshipType: 'sourced',
            reason: 'Partner brought the buyer to the first meeting',
          }),
        },
      });
    const computed = report({
      registrations: [
        decided('R10', '2026-11-03T15:00:00Z', true),
        decided('R11', '2026-09-20T15:00:00Z', true),
        decided('R12', '2026-12-20T15:00:00Z', true),
        decided('R13', '2026-11-04T15:00:00Z', false),
      ],
    });
    expect(computed.exceptions.map((exception) => exception.registrationId)).toEqual(['R10']);
    expect(computed.findings.map(withoutContext)).toEqual([
      {
        code: 'POLICY_EXCEPTION',
        severity: 'medium',
        registrationId: 'R10',
        detail:
          'Registration R10 was approved as sourced by channel-manager@example.com, departing from the competing-partner rule: Partner brought the buyer to the first meeting',
        evidence: {
          decidedBy: 'channel-manager@example.com',
          decidedAt: '2026-11-03T15:00:00.000Z',
          verdictRuleId: 'competing-partner',
          decision: 'approved as sourced',
        },
        fix: expect.stringContaining('change the rule in the policy'),
      },
    ]);
  });

  it('reports a registration whose claimed time would have changed its verdict as a candidate POLICY_EXCEPTION, for registrations received in the quarter up to asOf', () => {
    // R20 reached Dealreg on 11-10 but its submission claims 11-08, before a rival's registration:
    // at the claim the check would have found no conflict. R21 is the same, received in Q3 (09-20);
    // R22 received after asOf (12-20); R23's claim changed nothing. Only R20 is reported.
    const competing = {
      outcome: 'needs-review' as const,
      ruleId: 'competing-partner' as const,
      reason: 'P2 registered this customer first.',
      evidence: [],
      firedRules: [],
      relationshipType: 'influenced' as const,
      compensation: null,
      policyVersion: 'pv-1',
    };
    const atClaim = (claimedAt: string) => ({
      claimedAt,
      outcome: 'clear' as const,
      ruleId: 'no-conflict' as const,
      relationshipType: 'sourced' as const,
      reason: 'No other registration was found; the registration counts as sourced.',
    });
    const checked = (registrationId: string, receivedAt: string, claimedAt: string, changed: boolean) =>
      record({
        registrationId,
        receivedAt,
        submittedAt: claimedAt,
        partnerId: 'P1',
        progress: {
          status: 'in-review',
          verdict: competing,
          ...(changed ? { verdictUnderClaim: atClaim(claimedAt) } : {}),
        },
      });
    const computed = report({
      registrations: [
        checked('R20', '2026-11-10T09:00:05.000Z', '2026-11-08T09:00:00.000Z', true),
        checked('R21', '2026-09-20T09:00:05.000Z', '2026-09-18T09:00:00.000Z', true),
        checked('R22', '2026-12-20T09:00:05.000Z', '2026-12-14T09:00:00.000Z', true),
        checked('R23', '2026-11-11T09:00:05.000Z', '2026-11-09T09:00:00.000Z', false),
      ],
    });
    expect(computed.exceptions).toEqual([]);
    expect(computed.findings.map(withoutContext)).toEqual([
      {
        code: 'POLICY_EXCEPTION',
        severity: 'medium',
        registrationId: 'R20',
        detail:
          "Candidate exception: registration R20's submission states 2026-11-08T09:00:00.000Z, 2 days before Dealreg received it (2026-11-10T09:00:05.000Z). At the stated time the conflict check would have decided clear (no-conflict, sourced) instead of needs-review (competing-partner, influenced); it was decided on the receipt.",
        evidence: {
          receivedAt: '2026-11-10T09:00:05.000Z',
          claimedAt: '2026-11-08T09:00:00.000Z',
          verdictOutcome: 'needs-review',
          verdictRuleId: 'competing-partner',
          verdictRelationship: 'influenced',
          outcomeAtClaim: 'clear',
          ruleIdAtClaim: 'no-conflict',
          relationshipAtClaim: 'sourced',
        },
        fix: expect.stringContaining('Its place was taken at the receipt, so the decision stands'),
      },
    ]);
    // The funnel counts them by receipt too: R20 and R23 in Q4; R21 (Q3) and R22 (after asOf) not.
    expect(computed.funnel.submitted).toBe(2);
  });

  it('reports every won deal the ledger and the CRO view count differently as DEFINITION_MISMATCH', () => {
    // Won in Q4 (CRO view: deal_source = "Partner"):
    //   O1 sourced (P1), 80,000, deal_source "Direct"  → ledger yes, CRO no  → mismatch
    //   O2 no partner,   30,000, deal_source "Partner" → ledger no,  CRO yes → mismatch
    //   O3 sourced (P2), 10,000, deal_source "Partner" → both yes           → agreement
    // Won in Q3: O4 sourced, 5,000, "Direct" → outside the quarter, not compared.
    // sourced = 80,000 + 10,000 = 90,000; CRO = 30,000 + 10,000 = 40,000; difference = 50,000
    const chains = [
      chain('O1', [
        ...approval({
          registrationId: 'R1',
          partnerId: 'P1',
          relationshipType: 'sourced',
          at: '2026-10-01T12:00:00Z',
        }),
        created('2026-10-02T12:00:00Z', 'Orion', 80_000),
        ...won('2026-11-10T12:00:00Z', 80_000),
      ]),
      chain('O2', [
        created('2026-10-02T12:00:00Z', 'Nimbus', 30_000),
        ...won('2026-11-11T12:00:00Z', 30_000),
      ]),
      chain('O3', [
        ...approval({
          registrationId: 'R3',
          partnerId: 'P2',
          relationshipType: 'sourced',
          at: '2026-10-01T12:00:00Z',
        }),
        created('2026-10-02T12:00:00Z', 'Kite', 10_000),
        ...won('2026-11-12T12:00:00Z', 10_000),
      ]),
      chain('O4', [
        ...approval({
          registrationId: 'R4',
          partnerId: 'P2',
          relationshipType: 'sourced',
          at: '2026-07-01T12:00:00Z',
        }),
        created('2026-07-02T12:00:00Z', 'Heron', 5_000),
        ...won('2026-08-12T12:00:00Z', 5_000),
      ]),
    ];
    const synced = (id: string, amount: number, croValue: string, partner?: string) =>
      crmDeal(id, {
        amount,
        stageId: 'closedwon',
        closedWon: true,
        croValue,
        ...(partner === undefined
          ? {}
          : { partnerCompanyId: partner, partnerRelationship: 'sourced', registrationId: `R${id.slice(1)}` }),
      });
    const crm = crmOf([
      synced('O1', 80_000, 'Direct', 'P1'),
      synced('O2', 30_000, 'Partner'),
      synced('O3', 10_000, 'Partner', 'P2'),
      synced('O4', 5_000, 'Direct', 'P2'),
    ]);

    const computed = report({ chains, crm });

    expect(computed.attribution).toMatchObject({
      partnerSourcedRevenue: 90_000,
      croPartnerRevenue: 40_000,
      difference: 50_000,
    });
    expect(computed.findings.map(withoutContext)).toEqual([
      {
        code: 'DEFINITION_MISMATCH',
        severity: 'high',
        opportunityId: 'O1',
        detail:
          'Orion (USD 80,000.00): The ledger counts it partner-sourced (P1 (sourced, registration R1) at close) but HubSpot\'s deal_source is "Direct", so the CRO view leaves it out.',
        evidence: {
          amount: 80_000,
          ledgerRelationship: 'sourced',
          croCountsAsPartner: false,
          croProperty: 'deal_source',
        },
        fix: expect.stringContaining('set deal_source in HubSpot'),
      },
      {
        code: 'DEFINITION_MISMATCH',
        severity: 'high',
        opportunityId: 'O2',
        detail:
          'Nimbus (USD 30,000.00): HubSpot\'s deal_source is "Partner", so the CRO view counts it as partner revenue, but the ledger has no partner at close.',
        evidence: {
          amount: 30_000,
          ledgerRelationship: 'none',
          croCountsAsPartner: true,
          croProperty: 'deal_source',
        },
        fix: expect.stringContaining('set deal_source in HubSpot'),
      },
    ]);
  });
});
