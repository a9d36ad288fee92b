import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import {
  type BuildQbrReportDependencies,
  buildQbrReport,
  type QbrProgress,
} from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld, usd } from './qbr-fixture.ts';

const policy = loadPolicy({});
let world: QbrWorld;
let snapshotDir: string;
const ids = { acme: '', beta: '', orion: '', kite: '', zephyr: '' };

function deps(extra: Partial<BuildQbrReportDependencies> = {}): BuildQbrReportDependencies {
  return {
    ledger: world.ledger,
    registrations: world.registrations,
    deals: world.under.adapter,
    snapshots: new FileSnapshotStore(snapshotDir),
    policy,
    now: () => new Date('2026-12-15T00:00:05Z'),
    ...extra,
  };
}

async function at(iso: string, run: () => Promise<void>) {
  world.clock.now = new Date(iso);
  await run();
}

/** Approval, partner attached and the deal created, as the workflow and the CRM events record them. */
async function approvedDeal(options: {
  opportunityId: string;
  registrationId: string;
  partnerId: string;
  relationshipType: 'sourced' | 'influenced';
  approvedAt: string;
  dealName: string;
  amount: number;
}) {
  const customer = { domain: `${options.registrationId.toLowerCase()}.example.com` };
  await at(options.approvedAt, async () => {
    await world.append({
      type: 'RegistrationApproved',
      opportunityId: options.opportunityId,
      effectiveAt: options.approvedAt,
      recordedBy: 'workflow',
      registrationId: options.registrationId,
      partnerId: options.partnerId,
      customer,
      relationshipType: options.relationshipType,
      decidedBy: 'channel-manager@example.com',
    });
    await world.append({
      type: 'PartnerAttached',
      opportunityId: options.opportunityId,
      effectiveAt: options.approvedAt,
      recordedBy: 'workflow',
      partnerId: options.partnerId,
      customer,
      relationshipType: options.relationshipType,
      registrationId: options.registrationId,
    });
    await world.append({
      type: 'OpportunityCreated',
      opportunityId: options.opportunityId,
      effectiveAt: options.approvedAt,
      recordedBy: 'crm-events',
      customer,
      dealName: options.dealName,
      stage: 'appointmentscheduled',
      amount: usd(options.amount),
    });
  });
}

const wonAt = (opportunityId: string, at: string, amount: number) =>
  world.recordWon(opportunityId, at, amount);

beforeAll(async () => {
  world = await startQbrWorld();
  snapshotDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-snapshots-'));
  ids.acme = await world.createPartner('Acme Partners', 'acme.example');
  ids.beta = await world.createPartner('Beta Cloud', 'beta.example');
  // As the approval leaves it: the deal, and the partner associated under its relationship's label.
  const deal = async (
    name: string,
    amount: number,
    registrationId: string,
    partner: string,
    relationship: 'sourced' | 'influenced',
    source: string,
  ) => {
    const dealId = await world.createDeal({
      dealname: name,
      amount: String(amount),
      deal_currency_code: 'USD',
      dealstage: 'closedwon',
      dealreg_registration_id: registrationId,
      deal_source: source,
    });
    await world.under.adapter.associatePartner(partner, dealId, relationship);
    return dealId;
  };
  ids.zephyr = await deal('Zephyr migration', 60_000, 'R0', ids.acme, 'sourced', 'Partner');
  ids.orion = await deal('Orion rollout', 100_000, 'R1', ids.acme, 'sourced', 'Partner');
  ids.kite = await deal('Kite expansion', 50_000, 'R2', ids.beta, 'influenced', 'Partner');

  // Q3: Zephyr approved in July, won 09-10 for 60,000 (sourced).
  await approvedDeal({
    opportunityId: ids.zephyr,
    registrationId: 'R0',
    partnerId: ids.acme,
    relationshipType: 'sourced',
    approvedAt: '2026-07-06T15:00:00.000Z',
    dealName: 'Zephyr migration',
    amount: 60_000,
  });
  await wonAt(ids.zephyr, '2026-09-10T15:00:00.000Z', 60_000);
  // Q4: Orion (sourced, Acme) won 11-20 for 100,000; Kite (influenced, Beta) won 12-01 for 50,000.
  await approvedDeal({
    opportunityId: ids.orion,
    registrationId: 'R1',
    partnerId: ids.acme,
    relationshipType: 'sourced',
    approvedAt: '2026-10-05T18:00:00.000Z',
    dealName: 'Orion rollout',
    amount: 100_000,
  });
  await approvedDeal({
    opportunityId: ids.kite,
    registrationId: 'R2',
    partnerId: ids.beta,
    relationshipType: 'influenced',
    approvedAt: '2026-10-16T13:00:00.000Z',
    dealName: 'Kite expansion',
    amount: 50_000,
  });
  await wonAt(ids.orion, '2026-11-20T15:00:00.000Z', 100_000);
  await wonAt(ids.kite, '2026-12-01T15:00:00.000Z', 50_000);
  // 11-15: a correction back-dated into closed Q3 lowers Zephyr's won amount to 45,000.
  await at('2026-11-15T12:00:00.000Z', () =>
    world.append({
      type: 'Correction',
      opportunityId: ids.zephyr,
      effectiveAt: '2026-11-15T12:00:00.000Z',
      recordedBy: 'cli',
      supersedesSequence: 5,
      reason: 'discount missed',
      approver: 'revops@example.com',
      changes: { amount: usd(45_000) },
    }),
  );

  const decidedBy = { email: 'channel-manager@example.com', name: 'Channel Manager' };
  for (const [registrationId, partner, name, submittedAt, decidedAt, dealId, relationshipType] of [
    [
      'R1',
      ids.acme,
      'Acme Partners',
      '2026-10-05T13:00:00.000Z',
      '2026-10-05T18:00:00.000Z',
      ids.orion,
      'sourced',
    ],
    [
      'R2',
      ids.beta,
      'Beta Cloud',
      '2026-10-12T12:00:00.000Z',
      '2026-10-16T13:00:00.000Z',
      ids.kite,
      'influenced',
    ],
  ] as const) {
    await world.putRegistration({
      registrationId,
      submittedAt,
      status: 'received',
      details: {
        partnerDomain: `${name.split(' ')[0]?.toLowerCase()}.example`,
        customerCountry: 'US',
        campaignId: 'C1',
        cloudMarketplace: 'aws',
      },
      progress: {
        status: 'approved',
        partnerId: partner,
        partnerName: name,
        dealId,
        approvedAt: decidedAt,
        decision: {
          outcome: 'approve',
          relationshipType,
          reason: 'clean',
          decidedBy,
          decidedAt,
          channel: 'page',
          policyVersion: policy.policyVersion,
          exception: false,
        },
        sla: {
          requestedAt: submittedAt,
          deadline: '2026-10-20T21:00:00.000Z',
          reminders: 0,
          escalations: 0,
          defaulted: false,
          pausedHours: 0,
        },
        updatedAt: decidedAt,
      },
    });
  }
  // After approval someone relabels Acme on Orion as influenced in HubSpot, and Kite's amount is edited.
  // Dealreg's copy of the relationship on the deal is left saying sourced, as a relabel in
  // HubSpot's own UI leaves it: the label, not the copy, is HubSpot's attribution.
  await world.under.adapter.associatePartner(ids.acme, ids.orion, 'influenced');
  await world.updateDeal(ids.orion, { dealreg_partner_relationship: 'sourced' });
  await world.updateDeal(ids.kite, { amount: '48000' });
});

afterAll(async () => {
  await world?.close();
  if (snapshotDir !== undefined) await rm(snapshotDir, { recursive: true, force: true });
});

describe('pre-QBR report against DynamoDB Local and the HubSpot sandbox', () => {
  it('freezes a quarter the first time it is reported closed', async () => {
    const q3 = await buildQbrReport(deps(), { quarter: '2026-Q3', asOf: new Date('2026-10-05T00:00:00Z') });
    // Known at 10-05 the correction of 11-15 did not exist: Zephyr won 60,000 in Q3, sourced.
    expect(q3.attribution.partnerSourcedRevenue).toBe(60_000);
    expect((await readdir(snapshotDir)).sort()).toEqual(['2026-Q2.json', '2026-Q3.json']);
  });

  it('reconciles the ledger with HubSpot: drift, CRO view and a closed quarter changed afterwards', async () => {
    const progress: QbrProgress[] = [];
    const report = await buildQbrReport(deps({ onProgress: (event) => progress.push(event) }), {
      quarter: '2026-Q4',
      asOf: new Date('2026-12-15T00:00:00Z'),
    });
    // Won in Q4: Orion 100,000 (sourced at close), Kite 50,000 (influenced); CRO (deal_source =
    // Partner): both = 150,000; difference 100,000 − 150,000 = −50,000, explained by Kite.
    expect(report.attribution).toMatchObject({
      partnerSourcedRevenue: 100_000,
      partnerInfluencedRevenue: 50_000,
      croPartnerRevenue: 150_000,
      difference: -50_000,
    });
    expect(report.attribution.differenceDeals.map((deal) => deal.opportunityId)).toEqual([ids.kite]);
    expect(report.funnel).toMatchObject({
      submitted: 2,
      approved: 2,
      opportunities: 2,
      closedWon: 2,
      closedWonAmount: 150_000,
    });
    expect(report.byPartner.map((row) => [row.label, row.closedWonAmount])).toEqual([
      ['Acme Partners', 100_000],
      ['Beta Cloud', 50_000],
    ]);
    const found = report.findings.map((finding) => [
      finding.code,
      finding.opportunityId ?? finding.registrationId,
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['ATTRIBUTION_DRIFT', ids.orion],
        ['AMOUNT_DRIFT', ids.kite],
        ['DEFINITION_MISMATCH', ids.kite],
        ['RETROACTIVE_CHANGE', ids.zephyr],
      ]),
    );
    const drift = report.findings.find(
      (finding) => finding.code === 'ATTRIBUTION_DRIFT' && finding.opportunityId === ids.orion,
    );
    expect(drift?.evidence).toMatchObject({
      ledgerNow: `${ids.acme}:sourced`,
      hubspotReadFrom: 'partner association label',
      hubspotNow: `${ids.acme}:influenced ("Influenced partner")`,
      dealPropertyNow: `${ids.acme}:sourced`,
    });
    expect(drift?.detail).toContain("Dealreg's deal property still says Acme Partners as sourced");
    const retro = report.findings.find(
      (finding) => finding.code === 'RETROACTIVE_CHANGE' && finding.opportunityId === ids.zephyr,
    );
    // Zephyr's Q3 won amount: 6,000,000 cents frozen, 4,500,000 now.
    expect(retro?.evidence).toMatchObject({
      quarter: '2026-Q3',
      frozen: 6_000_000,
      now: 4_500_000,
      policyChanged: false,
    });
    expect(report.findings[0]?.severity).toBe('critical');
    expect(report.integrity).toEqual({
      chains: 3,
      chainsNotInLedger: 0,
      entries: 16,
      broken: 0,
      excludedEntries: 0,
      digests: { status: 'none', detail: 'no digests to check the ledger against' },
    });
    expect(progress.at(-1)).toEqual({ phase: 'compute', done: 1, total: 1 });
    expect(progress).toContainEqual({ phase: 'hubspot', done: 3, total: 3 });
  });

  it('says the CRO view is not available when its property is missing in the portal, and links findings to HubSpot', async () => {
    const request = { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') };
    const missing = await buildQbrReport(
      deps({
        policy: loadPolicy({ definitions: { croView: { dealProperty: 'cro_channel' } } }),
        dealProperties: world.under.admin,
        snapshots: undefined,
      }),
      request,
    );
    const present = await buildQbrReport(
      deps({
        dealProperties: world.under.admin,
        snapshots: undefined,
        hubspotPortalId: world.under.sandbox.portalId,
      }),
      request,
    );

    // The portal has no "cro_channel": no figure, and why, instead of 0 against 100,000 sourced.
    expect(missing.attribution).toMatchObject({
      partnerSourcedRevenue: 100_000,
      croPartnerRevenue: null,
      difference: null,
      croView: {
        dealProperty: 'cro_channel',
        available: false,
        unavailableReason:
          'HubSpot has no deal property "cro_channel" (policy definitions.croView.dealProperty)',
      },
    });
    expect(missing.findings).toContainEqual(
      expect.objectContaining({
        code: 'DEFINITION_MISMATCH',
        evidence: expect.objectContaining({ cause: 'property missing in HubSpot', propertyInPortal: false }),
      }),
    );
    // deal_source exists and is filled: Orion and Kite (both "Partner") = 150,000.
    expect(present.attribution.croPartnerRevenue).toBe(150_000);
    const kite = present.findings.find((finding) => finding.opportunityId === ids.kite);
    expect(kite?.context?.links).toEqual([
      {
        label: 'HubSpot deal',
        url: `https://app.hubspot.com/contacts/${world.under.sandbox.portalId}/record/0-3/${ids.kite}`,
      },
    ]);
  });

  it('gives the same report as of the same moment after later ledger entries', async () => {
    const request = { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') };
    const before = await buildQbrReport(deps(), request);
    await at('2026-12-16T10:00:00.000Z', async () => {
      await world.append({
        type: 'AmountChanged',
        opportunityId: ids.kite,
        effectiveAt: '2026-12-02T00:00:00.000Z',
        recordedBy: 'crm-events',
        amount: usd(1),
      });
      await world.append({
        type: 'PartnerDetached',
        opportunityId: ids.orion,
        effectiveAt: '2026-12-16T10:00:00.000Z',
        recordedBy: 'crm-events',
        partnerId: ids.acme,
      });
    });
    const after = await buildQbrReport(deps(), request);
    expect(after).toEqual(before);
  });
});
