import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld, usd } from './qbr-fixture.ts';

const policy = loadPolicy({});
let world: QbrWorld;
let snapshotDir: string;
const opportunityId = 'opp-altered';

beforeAll(async () => {
  world = await startQbrWorld();
  snapshotDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-snapshot-broken-'));
  // Q3: a deal approved as sourced in July and won on 09-10 for 60,000.
  const customer = { domain: 'zephyr.example.com' };
  world.clock.now = new Date('2026-07-06T15:00:00.000Z');
  await world.append({
    type: 'RegistrationApproved',
    opportunityId,
    effectiveAt: '2026-07-06T15:00:00.000Z',
    recordedBy: 'workflow',
    registrationId: 'R0',
    partnerId: 'P1',
    customer,
    relationshipType: 'sourced',
    decidedBy: 'channel-manager@example.com',
  });
  await world.append({
    type: 'PartnerAttached',
    opportunityId,
    effectiveAt: '2026-07-06T15:00:00.000Z',
    recordedBy: 'workflow',
    partnerId: 'P1',
    customer,
    relationshipType: 'sourced',
    registrationId: 'R0',
  });
  await world.append({
    type: 'OpportunityCreated',
    opportunityId,
    effectiveAt: '2026-07-06T15:00:00.000Z',
    recordedBy: 'crm-events',
    customer,
    dealName: 'Zephyr migration',
    amount: usd(60_000),
  });
  await world.recordWon(opportunityId, '2026-09-10T15:00:00.000Z', 60_000);
});

afterAll(async () => {
  await world?.close();
  if (snapshotDir !== undefined) await rm(snapshotDir, { recursive: true, force: true });
});

describe('freezing a closed quarter', () => {
  it('freezes nothing while a ledger chain is broken, so an altered amount never becomes the reference', async () => {
    const chain = await world.ledger.readChainRaw(opportunityId);
    const won = chain.find((item) => item.type === 'ClosedWon') as Record<string, unknown>;
    // Written around the ledger's append path, as someone with table access could: 60,000 made 6,000,000.
    await world.tables.documentClient.send(
      new PutCommand({
        TableName: world.tables.tableName(ledgerTable.logicalName),
        Item: { ...won, amount: { ...(won.amount as object), usdMinor: 600_000_000 } },
      }),
    );
    const snapshots = new FileSnapshotStore(snapshotDir);

    const report = await buildQbrReport(
      { ledger: world.ledger, registrations: world.registrations, snapshots, policy },
      { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
    );

    expect(report.findings[0]).toMatchObject({ code: 'LEDGER_INTEGRITY', opportunityId });
    // Q3 is over and reported closed for the first time, but its figures would carry the altered amount.
    expect(await readdir(snapshotDir)).toEqual([]);
  });
});
