import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opportunityAsOf, opportunityHistory } from '#use-cases/ledger-queries.ts';
import {
  type CrmEventsUnderTest,
  createCustomerDeal,
  otherPartnerId,
  partnerId,
  secret,
  startCrmEvents,
} from './crm-events-fixture.ts';

let crm: CrmEventsUnderTest;

beforeAll(async () => {
  crm = await startCrmEvents([]);
  // HubSpot's worst case: every event delivered twice, batches shuffled and small.
  await crm.hubspot.control('/_sandbox/webhooks', {
    method: 'PUT',
    body: {
      crm: { url: crm.endpoint, clientSecret: secret },
      crmDuplicateRate: 1,
      crmShuffle: true,
      crmBatchSize: 3,
      crmBatchDelayMs: 10,
    },
  });
});
afterAll(async () => {
  await crm.stop();
});

const settle = () => crm.hubspot.control('/_sandbox/webhooks/flush', { method: 'POST', body: {} });

describe('HubSpot deal changes reach the ledger', () => {
  it('records a deal created, priced, attributed, relabelled and won in HubSpot, each change once', async () => {
    const { client } = crm.hubspot.connection;
    const dealId = await createCustomerDeal(crm.hubspot, {
      dealname: 'Globex – analytics rollout',
      amount: '120000',
      deal_currency_code: 'EUR',
      pipeline: 'default',
      dealstage: 'qualifiedtobuy',
    });
    await settle();
    await crm.hubspot.adapter.associatePartner(partnerId, dealId, 'sourced');
    await settle();
    await client.crm.deals.basicApi.update(dealId, { properties: { amount: '150000' } });
    await settle();
    await crm.hubspot.adapter.associatePartner(partnerId, dealId, 'influenced');
    await settle();
    await crm.hubspot.adapter.associatePartner(otherPartnerId, dealId, 'referral');
    await settle();
    await client.crm.deals.basicApi.update(dealId, { properties: { dealstage: 'closedwon' } });
    await settle();

    const history = await opportunityHistory(crm.store, dealId);
    const types = history.map((entry) => entry.type);
    expect(types.filter((type) => type === 'OpportunityCreated')).toHaveLength(1);
    expect(types.filter((type) => type === 'ClosedWon')).toHaveLength(1);
    expect(types.filter((type) => type === 'PartnerAttached')).toHaveLength(3);
    expect(types.filter((type) => type === 'PartnerDetached')).toHaveLength(1);
    expect(new Set(history.map((entry) => entry.sourceEventId)).size).toBe(history.length);
    // Batches arrive in any order, so the creation need not be the chain's first entry.
    expect(history.find((entry) => entry.type === 'OpportunityCreated')).toMatchObject({
      customer: { domain: 'globex.com', name: 'Globex Corp' },
    });

    const now = new Date().toISOString();
    const state = await opportunityAsOf(crm.store, dealId, { asOf: now, knownAt: now });
    expect(state.outcome).toBe('won');
    expect(state.amount).toMatchObject({ amountMinor: 15_000_000, currency: 'EUR', usdMinor: 16_200_000 });
    expect(
      state.attributions.map(({ partnerId: id, relationshipType, active }) => [id, relationshipType, active]),
    ).toEqual([
      [partnerId, 'sourced', false],
      [partnerId, 'influenced', true],
      [otherPartnerId, 'referral', true],
    ]);
    const stats = (await crm.hubspot.control('/_sandbox/stats')) as {
      webhooks: { crmBatchesFailed: number };
    };
    expect(stats.webhooks.crmBatchesFailed).toBe(0);
  }, 60_000);
});
