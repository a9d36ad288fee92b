import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld, usd } from './qbr-fixture.ts';

// The default policy's calendar is America/New_York.
const policy = loadPolicy({});
let world: QbrWorld;
const directories: string[] = [];

async function snapshotDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'dealreg-qbr-zone-'));
  directories.push(directory);
  return directory;
}

async function dealWon(opportunityId: string, dealName: string, dollars: number, wonAt: string) {
  world.clock.now = new Date('2026-10-05T15:00:00.000Z');
  await world.append({
    type: 'OpportunityCreated',
    opportunityId,
    effectiveAt: '2026-10-05T15:00:00.000Z',
    recordedBy: 'crm-events',
    customer: { domain: `${opportunityId}.example.com` },
    dealName,
    amount: usd(dollars),
  });
  await world.recordWon(opportunityId, wonAt, dollars);
}

beforeAll(async () => {
  world = await startQbrWorld();
  // November: 40,000, in Q4 in any zone.
  await dealWon('opp-november', 'November deal', 40_000, '2026-11-10T15:00:00.000Z');
  // 21:00 on Thursday 31 December in New York (EST, UTC−5) = 2027-01-01T02:00Z: 100,000.
  await dealWon('opp-new-years-eve', 'New Year’s Eve deal', 100_000, '2027-01-01T02:00:00.000Z');
});

afterAll(async () => {
  await world?.close();
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('quarters on the policy calendar’s time zone', () => {
  it('counts a deal won on the evening of 31 December in New York in Q4, as a CRO in New York does', async () => {
    const build = (quarter: string) =>
      buildQbrReport(
        { ledger: world.ledger, registrations: world.registrations, policy },
        { quarter, asOf: new Date('2027-01-05T15:00:00.000Z') },
      );

    const [q4, q1] = [await build('2026-Q4'), await build('2027-Q1')];

    // Q4 = 40,000 (10 Nov) + 100,000 (31 Dec, 21:00 New York) = 140,000; Q1 = 0.
    expect(q4.scorecard.closedWonAmount).toBe(140_000);
    expect(q1.scorecard.closedWonAmount).toBe(0);
  });

  it('freezes a closed quarter with the zone it was cut in, and holds it to those figures', async () => {
    const directory = await snapshotDirectory();
    const snapshots = new FileSnapshotStore(directory);
    const build = () =>
      buildQbrReport(
        { ledger: world.ledger, registrations: world.registrations, snapshots, policy },
        { quarter: '2027-Q1', asOf: new Date('2027-01-05T15:00:00.000Z') },
      );

    const first = await build();
    const second = await build();

    const frozen = JSON.parse(await readFile(join(directory, '2026-Q4.json'), 'utf8'));
    // Q4 frozen on New York's boundaries: both deals, 140,000 = 14,000,000 cents.
    expect(frozen).toMatchObject({
      quarter: '2026-Q4',
      timeZone: 'America/New_York',
      figures: { closedWon: 2, closedWonUsdMinor: 14_000_000 },
    });
    expect(first.findings.filter((finding) => finding.code === 'RETROACTIVE_CHANGE')).toEqual([]);
    expect(second.findings.filter((finding) => finding.code === 'RETROACTIVE_CHANGE')).toEqual([]);
  });

  it('raises no RETROACTIVE_CHANGE for a quarter frozen when quarters were cut at UTC midnight', async () => {
    const directory = await snapshotDirectory();
    const snapshots = new FileSnapshotStore(directory);
    // Frozen on 1 Jan 12:00Z by an earlier version, on UTC boundaries and without a time zone:
    // only the November deal (40,000 = 4,000,000 cents), the 02:00Z one being in Q1 then.
    await snapshots.write({
      quarter: '2026-Q4',
      frozenAt: '2027-01-01T12:00:00.000Z',
      policyVersion: policy.policyVersion,
      figures: {
        closedWon: 1,
        closedWonUsdMinor: 4_000_000,
        partnerSourcedUsdMinor: 0,
        partnerInfluencedUsdMinor: 0,
        investedUsdMinorByType: {},
        opportunities: { 'opp-november': { usdMinor: 4_000_000, attribution: 'none' } },
      },
    });

    const report = await buildQbrReport(
      { ledger: world.ledger, registrations: world.registrations, snapshots, policy },
      { quarter: '2027-Q1', asOf: new Date('2027-01-05T15:00:00.000Z') },
    );

    // Recomputed on the UTC boundaries it was frozen with, Q4 is still the November deal alone.
    expect(report.findings.filter((finding) => finding.code === 'RETROACTIVE_CHANGE')).toEqual([]);
  });

  it('still reports a rewrite of history in a quarter frozen on UTC boundaries', async () => {
    const directory = await snapshotDirectory();
    const snapshots = new FileSnapshotStore(directory);
    // The same legacy snapshot, but the November deal frozen at 30,000: the ledger's 40,000 differs.
    await snapshots.write({
      quarter: '2026-Q4',
      frozenAt: '2027-01-01T12:00:00.000Z',
      policyVersion: policy.policyVersion,
      figures: {
        closedWon: 1,
        closedWonUsdMinor: 3_000_000,
        partnerSourcedUsdMinor: 0,
        partnerInfluencedUsdMinor: 0,
        investedUsdMinorByType: {},
        opportunities: { 'opp-november': { usdMinor: 3_000_000, attribution: 'none' } },
      },
    });

    const report = await buildQbrReport(
      { ledger: world.ledger, registrations: world.registrations, snapshots, policy },
      { quarter: '2027-Q1', asOf: new Date('2027-01-05T15:00:00.000Z') },
    );

    expect(
      report.findings
        .filter((finding) => finding.code === 'RETROACTIVE_CHANGE')
        .map((finding) => [finding.evidence.figure, finding.evidence.frozen, finding.evidence.now]),
    ).toEqual([
      ['closedWonUsdMinor', 3_000_000, 4_000_000],
      ['opportunity.usdMinor', 3_000_000, 4_000_000],
    ]);
  });
});
