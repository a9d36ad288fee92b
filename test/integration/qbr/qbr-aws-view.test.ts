import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import type { QbrReport } from '#domain/qbr/report.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld, usd } from './qbr-fixture.ts';

/**
 * The AWS view built from co-sell entries in DynamoDB Local, checked against the HubSpot sandbox.
 * Quarter 2026-Q4 as of 2026-12-15 00:00 UTC, co-sell on (72 hours to answer Action Required).
 *
 *   Orion  Acme sourced 100,000  won in HubSpot   ACE Approved, Committed           → COSELL_DRIFT
 *   Lyra   Acme sourced  30,000  won in HubSpot   ACE Rejected                      → COSELL_DRIFT
 *   Kite   Beta sourced  40,000  open             ACE Action Required since 12-01   → COSELL_ACTION_REQUIRED
 *   Vega   Beta sourced  20,000  open             approved 12-01, not shared        → COSELL_MISSING
 *
 * Shared 3 for 170,000, all submitted; Approved 1 / 100,000; Rejected 1 / 30,000; Action Required
 * 1 / 40,000; nothing Launched. Partner-sourced revenue: Orion + Lyra = 130,000, with or without
 * the co-sell entries (Lyra's rejected submission changes nothing).
 */

const policy = loadPolicy({
  coSell: { enabled: true, solutions: ['S-0000001'], catalog: 'AWS', actionRequiredSlaHours: 72 },
});
const asOf = new Date('2026-12-15T00:00:00Z');
let world: QbrWorld;
let snapshotDir: string;
const ids = { acme: '', beta: '', orion: '', lyra: '', kite: '', vega: '' };
let before: QbrReport;

const build = () =>
  buildQbrReport(
    {
      ledger: world.ledger,
      registrations: world.registrations,
      deals: world.under.adapter,
      snapshots: new FileSnapshotStore(snapshotDir),
      policy,
      now: () => new Date('2026-12-15T00:00:05Z'),
    },
    { quarter: '2026-Q4', asOf },
  );

async function approvedDeal(
  opportunityId: string,
  registrationId: string,
  partnerId: string,
  at: string,
  dealName: string,
  amount: number,
) {
  world.clock.now = new Date(at);
  const customer = { domain: `${registrationId.toLowerCase()}.example.com` };
  const common = { opportunityId, effectiveAt: at, recordedBy: 'workflow' } as const;
  await world.append({
    ...common,
    type: 'RegistrationApproved',
    registrationId,
    partnerId,
    customer,
    relationshipType: 'sourced',
    cloudMarketplace: 'aws',
    estimatedAmount: usd(amount),
    decidedBy: 'channel-manager@example.com',
  });
  await world.append({
    ...common,
    type: 'PartnerAttached',
    partnerId,
    customer,
    relationshipType: 'sourced',
    registrationId,
  });
  await world.append({
    ...common,
    type: 'OpportunityCreated',
    recordedBy: 'crm-events',
    customer,
    dealName,
    stage: 'appointmentscheduled',
    amount: usd(amount),
  });
}

const wonAt = (opportunityId: string, at: string, amount: number) =>
  world.recordWon(opportunityId, at, amount);

beforeAll(async () => {
  world = await startQbrWorld();
  snapshotDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-aws-'));
  ids.acme = await world.createPartner('Acme Partners', 'acme.example');
  ids.beta = await world.createPartner('Beta Cloud', 'beta.example');
  const deal = (name: string, amount: number, stage: string, registrationId: string, partner: string) =>
    world.createDeal({
      dealname: name,
      amount: String(amount),
      deal_currency_code: 'USD',
      dealstage: stage,
      dealreg_registration_id: registrationId,
      dealreg_partner_company_id: partner,
      dealreg_partner_relationship: 'sourced',
    });
  ids.orion = await deal('Orion rollout', 100_000, 'closedwon', 'R1', ids.acme);
  ids.lyra = await deal('Lyra pilot', 30_000, 'closedwon', 'R2', ids.acme);
  ids.kite = await deal('Kite expansion', 40_000, 'appointmentscheduled', 'R3', ids.beta);
  ids.vega = await deal('Vega trial', 20_000, 'appointmentscheduled', 'R4', ids.beta);

  await approvedDeal(ids.orion, 'R1', ids.acme, '2026-10-05T18:00:00.000Z', 'Orion rollout', 100_000);
  await approvedDeal(ids.lyra, 'R2', ids.acme, '2026-10-12T18:00:00.000Z', 'Lyra pilot', 30_000);
  await approvedDeal(ids.kite, 'R3', ids.beta, '2026-11-02T18:00:00.000Z', 'Kite expansion', 40_000);
  await wonAt(ids.orion, '2026-11-20T15:00:00.000Z', 100_000);
  await wonAt(ids.lyra, '2026-12-03T15:00:00.000Z', 30_000);
  await approvedDeal(ids.vega, 'R4', ids.beta, '2026-12-08T18:00:00.000Z', 'Vega trial', 20_000);

  before = await build();

  // Partner Central's events reach the ledger on 12-10, each at the time ACE last changed.
  world.clock.now = new Date('2026-12-10T00:00:00.000Z');
  const share = (opportunityId: string, registrationId: string, aceOpportunityId: string, at: string) =>
    world.append({
      type: 'CoSellShared',
      opportunityId,
      effectiveAt: at,
      recordedBy: 'workflow',
      registrationId,
      aceOpportunityId,
      catalog: 'AWS',
      submittedToAws: true,
    });
  const status = (
    opportunityId: string,
    aceOpportunityId: string,
    at: string,
    change: Record<string, string>,
  ) =>
    world.append({
      type: 'CoSellStatusChanged',
      opportunityId,
      effectiveAt: at,
      recordedBy: 'co-sell-events',
      aceOpportunityId,
      ...change,
    });
  await share(ids.orion, 'R1', 'O5001', '2026-10-06T12:00:00.000Z');
  await status(ids.orion, 'O5001', '2026-10-09T12:00:00.000Z', {
    reviewStatus: 'Approved',
    stage: 'Committed',
  });
  await share(ids.lyra, 'R2', 'O5002', '2026-10-13T12:00:00.000Z');
  await status(ids.lyra, 'O5002', '2026-10-15T12:00:00.000Z', { reviewStatus: 'Rejected' });
  await share(ids.kite, 'R3', 'O5003', '2026-11-03T12:00:00.000Z');
  await status(ids.kite, 'O5003', '2026-12-01T00:00:00.000Z', {
    reviewStatus: 'Action Required',
    reviewComments: 'Add the customer website',
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (snapshotDir !== undefined) await rm(snapshotDir, { recursive: true, force: true });
});

describe('the AWS view of the pre-QBR report against DynamoDB Local and the HubSpot sandbox', () => {
  it('counts what ACE shows from the co-sell entries in the ledger', async () => {
    const report = await build();
    expect(report.awsView).toMatchObject({
      catalog: 'AWS',
      shared: { opportunities: 3, amount: 170_000 },
      submitted: { opportunities: 3, amount: 170_000 },
      byReviewStatus: {
        Approved: { opportunities: 1, amount: 100_000 },
        'Action Required': { opportunities: 1, amount: 40_000 },
        Rejected: { opportunities: 1, amount: 30_000 },
        'In review / Submitted': { opportunities: 0, amount: 0 },
        'Pending Submission': { opportunities: 0, amount: 0 },
      },
      launched: { opportunities: 0, amount: 0 },
      closedLost: { opportunities: 0, amount: 0 },
    });
    expect(report.awsView?.byPartner.map((row) => [row.key, row.shared.amount])).toEqual([
      [ids.acme, 130_000],
      [ids.beta, 40_000],
    ]);
    const found = report.findings
      .filter((finding) => finding.code.startsWith('COSELL_'))
      .map((finding) => [finding.code, finding.opportunityId]);
    expect(found.sort()).toEqual(
      [
        ['COSELL_ACTION_REQUIRED', ids.kite],
        ['COSELL_DRIFT', ids.lyra],
        ['COSELL_DRIFT', ids.orion],
        ['COSELL_MISSING', ids.vega],
      ].sort(),
    );
    const orion = report.findings.find(
      (finding) => finding.code === 'COSELL_DRIFT' && finding.opportunityId === ids.orion,
    );
    expect(orion?.detail).toContain(
      'Orion rollout is closed-won in HubSpot but ACE opportunity O5001 (AWS catalog) is at stage Committed, not Launched',
    );
    // Before Partner Central's events arrived every shared approval was missing from ACE.
    expect(before.findings.filter((finding) => finding.code === 'COSELL_MISSING')).toHaveLength(4);
  });

  it('never moves partner attribution: a rejected ACE submission counts as before', async () => {
    const report = await build();
    expect(report.attribution.partnerSourcedRevenue).toBe(130_000);
    expect(report.attribution).toEqual(before.attribution);
    expect(report.funnel).toEqual(before.funnel);
  });
});
