import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import {
  type CrmEventsUnderTest,
  createCustomerDeal,
  partnerId,
  secret,
  startCrmEvents,
} from './crm-events-fixture.ts';

/**
 * A partner-sourced deal won in a pipeline other than HubSpot's default one, whose stage ids are
 * numbers ("CRM API | Pipelines"), reaches the ledger through HubSpot's CRM events and the
 * pre-QBR report counts its revenue, with no stage drift against HubSpot.
 */
const enterprise = '31000100';
const enterpriseStages = [
  { id: '31000101', label: 'Scoping', probability: 0.3, isClosed: false },
  { id: '31000102', label: 'Signed', probability: 1, isClosed: true },
  { id: '31000103', label: 'No decision', probability: 0, isClosed: true },
];

let crm: CrmEventsUnderTest;
let registrationTables: TestTables;
const policy = loadPolicy({});

beforeAll(async () => {
  crm = await startCrmEvents([]);
  registrationTables = await createTestTables([registrationsTable]);
  await crm.hubspot.control('/_sandbox/seed', {
    method: 'POST',
    body: { pipelines: [{ id: enterprise, label: 'Enterprise', displayOrder: 1, stages: enterpriseStages }] },
  });
  await crm.hubspot.control('/_sandbox/webhooks', {
    method: 'PUT',
    body: {
      crm: { url: crm.endpoint, clientSecret: secret },
      crmDuplicateRate: 1,
      crmShuffle: true,
      crmBatchSize: 100,
      crmBatchDelayMs: 200,
    },
  });
});
afterAll(async () => {
  await crm?.stop();
  registrationTables?.client.destroy();
});

const settle = () => crm.hubspot.control('/_sandbox/webhooks/flush', { method: 'POST', body: {} });

describe('a deal won in a custom pipeline', () => {
  it('is closed-won revenue of its sourced partner in the pre-QBR report, without STAGE_DRIFT', async () => {
    const { client } = crm.hubspot.connection;
    const dealId = await createCustomerDeal(crm.hubspot, {
      dealname: 'Globex – enterprise agreement',
      amount: '40000',
      deal_currency_code: 'USD',
      pipeline: 'default',
      dealstage: 'qualifiedtobuy',
    });
    await settle();
    await appendEntry(
      { store: crm.store, ledgerKey: crm.ledgerKey, now: crm.clock },
      {
        type: 'RegistrationApproved',
        opportunityId: dealId,
        effectiveAt: new Date(crm.clock().getTime() - 60_000).toISOString(),
        recordedBy: 'workflow',
        registrationId: 'DR-ENTERPRISE',
        partnerId,
        customer: { domain: 'globex.com' },
        relationshipType: 'sourced',
        decidedBy: 'channel-manager@example.com',
      },
    );
    await crm.hubspot.adapter.associatePartner(partnerId, dealId, 'sourced');
    await settle();
    // The rep moves the deal into the Enterprise pipeline and wins it there.
    await client.crm.deals.basicApi.update(dealId, {
      properties: { pipeline: enterprise, dealstage: '31000102' },
    });
    await settle();

    const report = await buildQbrReport(
      {
        ledger: crm.store,
        registrations: new DynamoDbRegistrationHistory(
          registrationTables.documentClient,
          registrationTables.tableName(registrationsTable.logicalName),
        ),
        deals: crm.hubspot.adapter,
        policy,
        now: crm.clock,
      },
      { quarter: quarterOf(crm.clock()), asOf: crm.clock() },
    );
    expect(report.scorecard.closedWonAmount).toBe(40_000);
    expect(report.scorecard.partnerSourcedRevenue).toBe(40_000);
    expect(report.findings.filter((finding) => finding.code === 'STAGE_DRIFT')).toEqual([]);
  }, 90_000);
});

function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}
