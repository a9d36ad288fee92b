import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { opportunityAsOf, opportunityHistory } from '#use-cases/ledger-queries.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import {
  type CrmEventsUnderTest,
  createCustomerDeal,
  otherPartnerId,
  partnerId,
  secret,
  startCrmEvents,
} from './crm-events-fixture.ts';

/**
 * What a deal owner does in HubSpot after Dealreg approved a registration reaches the ledger
 * through HubSpot's own CRM events, and the pre-QBR report names it: a partner relabelled or
 * removed in HubSpot is ATTRIBUTION_DRIFT against the approved registration.
 */
let crm: CrmEventsUnderTest;
let registrationTables: TestTables;
const policy = loadPolicy({});

beforeAll(async () => {
  crm = await startCrmEvents([]);
  registrationTables = await createTestTables([registrationsTable]);
  // One batch gathers every change of a step, shuffled, each event delivered twice: association
  // events and property changes arrive mixed, as HubSpot sends them.
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

async function openDeal(name: string): Promise<string> {
  return createCustomerDeal(crm.hubspot, {
    dealname: name,
    amount: '40000',
    deal_currency_code: 'USD',
    pipeline: 'default',
    dealstage: 'qualifiedtobuy',
  });
}

/** The workflow's approval: the ledger's RegistrationApproved, then the partner labelled on the deal in HubSpot. */
async function approve(dealId: string, registrationId: string, partner: string) {
  const approvedAt = new Date(crm.clock().getTime() - 60_000).toISOString();
  await appendEntry(
    { store: crm.store, ledgerKey: crm.ledgerKey, now: crm.clock },
    {
      type: 'RegistrationApproved',
      opportunityId: dealId,
      effectiveAt: approvedAt,
      recordedBy: 'workflow',
      registrationId,
      partnerId: partner,
      customer: { domain: 'globex.com' },
      relationshipType: 'sourced',
      decidedBy: 'channel-manager@example.com',
    },
  );
  await crm.hubspot.adapter.associatePartner(partner, dealId, 'sourced');
}

describe('a partner relabelled or removed in HubSpot after approval', () => {
  it('reaches the ledger from a mixed batch of real events and is ATTRIBUTION_DRIFT in the report', async () => {
    const relabelled = await openDeal('Globex – lakehouse');
    const removed = await openDeal('Globex – observability');
    await settle();
    await approve(relabelled, 'DR-RELABEL', partnerId);
    await approve(removed, 'DR-REMOVED', otherPartnerId);
    await settle();

    // One step in HubSpot: the first deal's partner relabelled as influenced and the deal won at
    // a new amount; the second deal's partner association deleted and its amount changed.
    const { client } = crm.hubspot.connection;
    await crm.hubspot.adapter.associatePartner(partnerId, relabelled, 'influenced');
    await client.crm.deals.basicApi.update(relabelled, {
      properties: { amount: '45000', dealstage: 'closedwon' },
    });
    await client.crm.associations.v4.basicApi.archive('deals', removed, 'companies', otherPartnerId);
    await client.crm.deals.basicApi.update(removed, { properties: { amount: '38000' } });
    await settle();

    const stats = (await crm.hubspot.control('/_sandbox/stats')) as {
      webhooks: { crmBatchesFailed: number; crmEventsDelivered: number };
    };
    expect(stats.webhooks.crmBatchesFailed).toBe(0);

    // Every change is in the ledger once, though each event was delivered twice.
    const relabelledHistory = (await opportunityHistory(crm.store, relabelled)).map((entry) => entry.type);
    expect(relabelledHistory.filter((type) => type === 'PartnerAttached')).toHaveLength(2);
    expect(relabelledHistory.filter((type) => type === 'PartnerDetached')).toHaveLength(1);
    expect(relabelledHistory.filter((type) => type === 'ClosedWon')).toHaveLength(1);
    const removedEntries = await opportunityHistory(crm.store, removed);
    expect(removedEntries.filter((entry) => entry.type === 'PartnerDetached')).toHaveLength(1);
    // HubSpot reports the amount set at creation and the edit: 40,000 then 38,000 dollars.
    expect(
      removedEntries
        .flatMap((entry) => (entry.type === 'AmountChanged' ? [entry.amount.amountMinor] : []))
        .sort(),
    ).toEqual([3_800_000, 4_000_000]);

    const now = crm.clock().toISOString();
    const relabelledNow = await opportunityAsOf(crm.store, relabelled, { asOf: now, knownAt: now });
    expect(
      relabelledNow.attributions.filter((link) => link.active).map((link) => link.relationshipType),
    ).toEqual(['influenced']);
    expect(relabelledNow.amount).toMatchObject({ amountMinor: 4_500_000, currency: 'USD' });
    const removedNow = await opportunityAsOf(crm.store, removed, { asOf: now, knownAt: now });
    expect(removedNow.attributions.filter((link) => link.active)).toEqual([]);

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
    const drift = report.findings.filter((finding) => finding.code === 'ATTRIBUTION_DRIFT');
    expect(drift.map((finding) => finding.opportunityId).sort()).toEqual([relabelled, removed].sort());
    expect(drift.find((finding) => finding.opportunityId === relabelled)?.detail).toContain(
      `registration DR-RELABEL approved ${partnerId} as sourced, but it is now labelled influenced`,
    );
    expect(drift.find((finding) => finding.opportunityId === removed)?.detail).toContain(
      `registration DR-REMOVED approved ${otherPartnerId} as sourced, but the ledger shows that partner removed since`,
    );
  }, 90_000);
});

function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}
