import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { quarterContaining } from '#domain/qbr/fiscal-calendar.ts';
import { createCrmEventsHandler } from '#handlers/crm-events-handler.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import {
  createCustomerDeal,
  partnerId,
  secret,
  seed,
} from '#test/integration/crm-events/crm-events-fixture.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';

/**
 * Deals changed in the HubSpot sandbox reach the ledger through the CRM-events endpoint (DynamoDB
 * Local), and the pre-QBR report over them is checked against figures worked out by hand.
 */
let tables: TestTables;
let hubspot: SandboxUnderTest;
let api: RunningApiServer;
let snapshotDir: string;
/** The configured USD rates (setting dealreg:usdRates), changed during the quarter. */
const usdRates: Record<string, string> = { EUR: '1.10' };

beforeAll(async () => {
  tables = await createTestTables([ledgerTable, registrationsTable]);
  hubspot = await startSandboxUnderTest({ seed: seed([]) });
  const handler = createCrmEventsHandler({
    store: new DynamoDbLedgerStore(tables.client, tables.tableName(ledgerTable.logicalName)),
    ledgerKey: LocalLedgerKey.random(),
    deals: new HubSpotDealLookup(hubspot.connection),
    settings: crmEventSettings({ usdRates }),
    now: () => new Date(),
    clientSecret: async () => secret,
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/crm-events', handler }] });
  await hubspot.control('/_sandbox/webhooks', {
    method: 'PUT',
    body: { crm: { url: `${api.url}/hubspot/crm-events`, clientSecret: secret }, crmShuffle: true },
  });
  snapshotDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-audit-'));
}, 60_000);
afterAll(async () => {
  await hubspot.stop();
  await api.stop();
  tables.client.destroy();
  await rm(snapshotDir, { recursive: true, force: true });
});

const settle = () => hubspot.control('/_sandbox/webhooks/flush', { method: 'POST', body: {} });

async function partnerDeal(dealname: string, amount: string, currency: string): Promise<string> {
  const dealId = await createCustomerDeal(hubspot, {
    dealname,
    amount,
    deal_currency_code: currency,
    pipeline: 'default',
    dealstage: 'qualifiedtobuy',
  });
  await settle();
  await hubspot.adapter.associatePartner(partnerId, dealId, 'sourced');
  await settle();
  return dealId;
}

const update = async (id: string, properties: Record<string, string>) => {
  await hubspot.connection.client.crm.deals.basicApi.update(id, { properties });
  await settle();
};

describe('the pre-QBR report over deals changed in HubSpot', () => {
  it('leaves out a deal reopened after closed-won and keeps the close rate of a euro deal re-priced after close', async () => {
    // Euro deal: won for EUR 10,000 while the configured rate is 1.10, re-priced to EUR 20,000
    // after the rate became 1.20 → 20,000 × 1.10 = USD 22,000 (the rate is frozen at close).
    const euro = await partnerDeal('Globex – euro rollout', '10000', 'EUR');
    await update(euro, { dealstage: 'closedwon' });
    usdRates.EUR = '1.20';
    await update(euro, { amount: '20000' });
    // Dollar deal: won for USD 100,000, then moved back to "Contract sent" → open, not revenue.
    const reopened = await partnerDeal('Globex – reopened', '100000', 'USD');
    await update(reopened, { dealstage: 'closedwon' });
    await update(reopened, { dealstage: 'contractsent' });

    const now = new Date();
    const report = await buildQbrReport(
      {
        ledger: new DynamoDbLedgerStore(tables.client, tables.tableName(ledgerTable.logicalName)),
        registrations: new DynamoDbRegistrationHistory(
          tables.documentClient,
          tables.tableName(registrationsTable.logicalName),
        ),
        deals: hubspot.adapter,
        snapshots: new FileSnapshotStore(snapshotDir),
        policy: loadPolicy({}),
        now: () => now,
      },
      { quarter: quarterContaining(now).label, asOf: now },
    );
    // Hand computation: closed-won = 22,000 (euro deal only); both deals are partner-sourced
    // by the same partner, so partner-sourced = 22,000 as well.
    expect(report.scorecard.closedWonAmount).toBe(22_000);
    expect(report.attribution.partnerSourcedRevenue).toBe(22_000);
    // HubSpot agrees: the reopened deal is not closed-won there either.
    expect(report.findings.filter((finding) => finding.code === 'STAGE_DRIFT')).toEqual([]);
  }, 60_000);
});
