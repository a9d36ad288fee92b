import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { opportunityAsOf, opportunityHistory } from '#use-cases/ledger-queries.ts';
import { type CrmEventsUnderTest, createCustomerDeal, secret, startCrmEvents } from './crm-events-fixture.ts';

// A custom deal pipeline as HubSpot creates it: internal ids are numbers ("CRM API | Pipelines").
const renewals = '23456789';
const stage = { open: '23456790', won: '23456791', lost: '23456792', addedWon: '23456793' };

const renewalStages = [
  { id: stage.open, label: 'Renewal due', probability: 0.5, isClosed: false },
  { id: stage.won, label: 'Renewed', probability: 1, isClosed: true },
  { id: stage.lost, label: 'Churned', probability: 0, isClosed: true },
];

const maxAgeMs = 5 * 60_000;
let cacheClock = Date.parse('2026-11-02T09:00:00Z');
let crm: CrmEventsUnderTest;

const seedRenewals = (stages: readonly Record<string, unknown>[]) =>
  crm.hubspot.control('/_sandbox/seed', {
    method: 'POST',
    body: { pipelines: [{ id: renewals, label: 'Renewals', displayOrder: 1, stages }] },
  });

beforeAll(async () => {
  crm = await startCrmEvents([], { pipelinesMaxAgeMs: maxAgeMs, pipelinesClock: () => cacheClock });
  await seedRenewals(renewalStages);
  await crm.hubspot.control('/_sandbox/webhooks', {
    method: 'PUT',
    body: { crm: { url: crm.endpoint, clientSecret: secret }, crmBatchDelayMs: 10 },
  });
});
afterAll(async () => {
  await crm.stop();
});

const settle = () => crm.hubspot.control('/_sandbox/webhooks/flush', { method: 'POST', body: {} });

async function createDeal(pipeline: string, dealstage: string): Promise<string> {
  const dealId = await createCustomerDeal(crm.hubspot, {
    dealname: 'Globex – renewal',
    amount: '40000',
    deal_currency_code: 'EUR',
    pipeline,
    dealstage,
  });
  await settle();
  return dealId;
}

async function moveDeal(dealId: string, properties: Record<string, string>): Promise<void> {
  await crm.hubspot.connection.client.crm.deals.basicApi.update(dealId, { properties });
  await settle();
}

async function outcomeOf(dealId: string) {
  const now = new Date().toISOString();
  return (await opportunityAsOf(crm.store, dealId, { asOf: now, knownAt: now })).outcome;
}

describe('won and lost come from the portal’s pipeline stages, in every pipeline', () => {
  it('records a deal won in a custom pipeline’s closed stage of probability 1.0, with its amount', async () => {
    const dealId = await createDeal(renewals, stage.open);
    await moveDeal(dealId, { dealstage: stage.won });

    const history = await opportunityHistory(crm.store, dealId);
    expect(history.find((entry) => entry.type === 'ClosedWon')).toMatchObject({
      amount: { amountMinor: 4_000_000, currency: 'EUR' },
    });
    expect(await outcomeOf(dealId)).toBe('won');
  }, 30_000);

  it('records a deal lost in a custom pipeline’s closed stage of probability 0.0', async () => {
    const dealId = await createDeal(renewals, stage.open);
    await moveDeal(dealId, { dealstage: stage.lost });

    expect((await opportunityHistory(crm.store, dealId)).map((entry) => entry.type)).toContain('ClosedLost');
    expect(await outcomeOf(dealId)).toBe('lost');
  }, 30_000);

  it('records a deal moved from the default pipeline into another pipeline’s won stage as won', async () => {
    const dealId = await createDeal('default', 'qualifiedtobuy');
    await moveDeal(dealId, { pipeline: renewals, dealstage: stage.won });

    expect(await outcomeOf(dealId)).toBe('won');
  }, 30_000);

  it('keeps the default pipeline’s closedwon and closedlost', async () => {
    const won = await createDeal('default', 'contractsent');
    await moveDeal(won, { dealstage: 'closedwon' });
    const lost = await createDeal('default', 'contractsent');
    await moveDeal(lost, { dealstage: 'closedlost' });

    expect([await outcomeOf(won), await outcomeOf(lost)]).toEqual(['won', 'lost']);
  }, 30_000);

  it('an open stage is not a close', async () => {
    const dealId = await createDeal('default', 'qualifiedtobuy');
    await moveDeal(dealId, { pipeline: renewals, dealstage: stage.open });

    const types = (await opportunityHistory(crm.store, dealId)).map((entry) => entry.type);
    expect(types).toContain('StageChanged');
    expect(types).not.toContain('ClosedWon');
    expect(types).not.toContain('ClosedLost');
  }, 30_000);

  it('reads the pipelines again for a stage added since they were read, before judging it', async () => {
    // The pipelines are cached by now (the earlier deals); the new stage is not in that copy.
    await seedRenewals([
      ...renewalStages,
      { id: stage.addedWon, label: 'Renewed early', probability: 1, isClosed: true },
    ]);
    const dealId = await createDeal(renewals, stage.open);
    await moveDeal(dealId, { dealstage: stage.addedWon });

    expect(await outcomeOf(dealId)).toBe('won');
  }, 30_000);

  it('sees a stage changed in HubSpot once the cached pipelines are older than their bound', async () => {
    // The pipelines were last read at this clock's start; in HubSpot, "Renewal due" now becomes a
    // closed-won stage, which the cached copy still has as open.
    await seedRenewals(
      renewalStages.map((candidate) =>
        candidate.id === stage.open ? { ...candidate, probability: 1, isClosed: true } : candidate,
      ),
    );
    const wins = async (dealId: string) =>
      (await opportunityHistory(crm.store, dealId)).filter((entry) => entry.type === 'ClosedWon').length;
    cacheClock += maxAgeMs - 1000;
    const cached = await createDeal('default', 'qualifiedtobuy');
    await moveDeal(cached, { pipeline: renewals, dealstage: stage.open });
    expect(await wins(cached)).toBe(0);

    cacheClock += 2000;
    const fresh = await createDeal('default', 'qualifiedtobuy');
    await moveDeal(fresh, { pipeline: renewals, dealstage: stage.open });
    expect(await wins(fresh)).toBe(1);

    const stats = (await crm.hubspot.control('/_sandbox/stats')) as {
      webhooks: { crmBatchesFailed: number };
    };
    expect(stats.webhooks.crmBatchesFailed).toBe(0);
  }, 30_000);

  it('reports a stage no pipeline of the portal has, after reading them again, and records only the stage change', async () => {
    const dealId = await createDeal('default', 'qualifiedtobuy');
    const occurredAt = Date.now();
    const event = {
      eventId: 1,
      subscriptionId: 3_100_002,
      portalId: crm.hubspot.sandbox.portalId,
      appId: 4_200_001,
      occurredAt,
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: Number(dealId),
      propertyName: 'dealstage',
      propertyValue: '99999999',
      changeSource: 'CRM_UI',
    };

    const response = await deliver(crm.endpoint, JSON.stringify([event]), {
      secret,
      timestamp: crm.clock().getTime(),
    });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { skipped: { event: string; reason: string }[] };
    expect(body.skipped).toEqual([
      {
        event: `deal:${dealId}:dealstage:99999999:${occurredAt}`,
        reason:
          "deal stage 99999999 is in none of the portal's deal pipelines; whether the deal closed is not recorded",
      },
    ]);
    const types = (await opportunityHistory(crm.store, dealId)).map((entry) => entry.type);
    expect(types).toContain('StageChanged');
    expect(types).not.toContain('ClosedWon');
    expect(types).not.toContain('ClosedLost');
  }, 30_000);
});
