import { describe, expect, it } from 'vitest';
import { parseCrmEventBatch } from '#domain/crm-events/hubspot-crm-event.ts';

// Payloads as HubSpot documents them: "Webhooks API" (legacy `deal.*` subscriptions), the changelog
// "New subscription types for Webhooks" (association change properties) and "Create generic
// webhook subscriptions" (`object.*` subscriptions with objectTypeId).
const envelope = {
  eventId: 1_234_567,
  subscriptionId: 5_678,
  portalId: 62_515,
  appId: 54_321,
  occurredAt: 1_767_225_600_000,
  attemptNumber: 0,
  changeSource: 'CRM_UI',
  sourceId: 'userId:1234',
};

function parsed(body: unknown) {
  const result = parseCrmEventBatch(body);
  if (!result.success) throw new Error(JSON.stringify(result.problems));
  return result;
}

describe('a batch of HubSpot CRM events', () => {
  it('reads a deal association change as HubSpot sends it: both objects, no objectId, label or type id', () => {
    const { events, unusable } = parsed([
      {
        ...envelope,
        subscriptionType: 'deal.associationChange',
        associationType: 'DEAL_TO_COMPANY',
        fromObjectId: 9_001,
        toObjectId: 7_002,
        associationRemoved: false,
        isPrimaryAssociation: false,
      },
    ]);

    expect(unusable).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'association',
        dealId: '9001',
        companyId: '7002',
        removed: false,
        typeId: undefined,
        label: undefined,
        occurredAt: envelope.occurredAt,
      },
    ]);
  });

  it('reads a company-side association change with the deal and company the right way round', () => {
    const { events } = parsed([
      {
        ...envelope,
        subscriptionType: 'company.associationChange',
        associationType: 'COMPANY_TO_DEAL',
        fromObjectId: 7_002,
        toObjectId: 9_001,
        associationRemoved: true,
        isPrimaryAssociation: false,
      },
    ]);

    // A company.* subscription is not one Dealreg asks for; it is still read, not refused.
    expect(events).toEqual([
      expect.objectContaining({ kind: 'other', subscriptionType: 'company.associationChange' }),
    ]);
  });

  it('reads the current platform’s object.* events of deals by objectTypeId, and passes over other objects', () => {
    const { events } = parsed([
      {
        ...envelope,
        subscriptionType: 'object.propertyChange',
        objectTypeId: '0-3',
        objectId: 9_001,
        propertyName: 'amount',
        propertyValue: '12000',
      },
      { ...envelope, subscriptionType: 'object.creation', objectTypeId: '0-3', objectId: 9_002 },
      { ...envelope, subscriptionType: 'object.creation', objectTypeId: '0-1', objectId: 51 },
      {
        ...envelope,
        subscriptionType: 'object.associationChange',
        associationType: 'COMPANY_TO_DEAL',
        fromObjectTypeId: '0-2',
        fromObjectId: 7_002,
        toObjectTypeId: '0-3',
        toObjectId: 9_001,
        associationRemoved: false,
        isPrimaryAssociation: false,
      },
    ]);

    expect(events).toEqual([
      {
        kind: 'property',
        dealId: '9001',
        property: 'amount',
        value: '12000',
        occurredAt: envelope.occurredAt,
      },
      { kind: 'created', dealId: '9002', occurredAt: envelope.occurredAt },
      expect.objectContaining({ kind: 'other', subscriptionType: 'object.creation' }),
      expect.objectContaining({ kind: 'association', dealId: '9001', companyId: '7002', removed: false }),
    ]);
  });

  it('names an event it cannot read instead of refusing the batch', () => {
    const { events, unusable } = parsed([
      {
        ...envelope,
        subscriptionType: 'deal.propertyChange',
        objectId: 9_001,
        propertyName: 'amount',
        propertyValue: '5',
      },
      {
        ...envelope,
        subscriptionType: 'deal.associationChange',
        associationType: 'DEAL_TO_COMPANY',
        toObjectId: 1,
      },
    ]);

    expect(events).toHaveLength(1);
    expect(unusable.map((problem) => problem.path)).toEqual(['[1].fromObjectId', '[1].associationRemoved']);
  });

  it('names an event that occurred past the year 9999, which no ledger entry can hold, as unusable', () => {
    const { events, unusable } = parsed([
      {
        ...envelope,
        occurredAt: Date.parse('9999-12-31T23:59:59.999Z') + 1,
        subscriptionType: 'deal.propertyChange',
        objectId: 9_001,
        propertyName: 'amount',
        propertyValue: '5',
      },
      {
        ...envelope,
        occurredAt: Date.parse('9999-12-31T23:59:59.999Z'),
        subscriptionType: 'deal.propertyChange',
        objectId: 9_001,
        propertyName: 'amount',
        propertyValue: '6',
      },
    ]);

    expect(events).toEqual([expect.objectContaining({ value: '6' })]);
    expect(unusable.map((problem) => problem.path)).toEqual(['[0].occurredAt']);
  });

  it('reads a deal merge as the deal that remains and the deals gone into it, a new deal of the merge included', () => {
    const { events, unusable } = parsed([
      {
        ...envelope,
        subscriptionType: 'deal.merge',
        objectId: 9_001,
        primaryObjectId: 9_001,
        mergedObjectIds: [9_002, 9_003],
        numberOfPropertiesMoved: 5,
      },
      {
        ...envelope,
        subscriptionType: 'object.merge',
        objectTypeId: '0-3',
        objectId: 9_010,
        primaryObjectId: 9_004,
        mergedObjectIds: ['9005'],
        newObjectId: 9_010,
        numberOfPropertiesMoved: 2,
      },
      { ...envelope, subscriptionType: 'deal.merge', objectId: 9_001, primaryObjectId: 9_001 },
    ]);

    expect(events).toEqual([
      { kind: 'merge', dealId: '9001', mergedDealIds: ['9002', '9003'], occurredAt: envelope.occurredAt },
      { kind: 'merge', dealId: '9010', mergedDealIds: ['9004', '9005'], occurredAt: envelope.occurredAt },
    ]);
    expect(unusable).toEqual([{ path: '[2].mergedObjectIds', reason: expect.any(String) }]);
  });

  it('refuses only a body that is not a batch', () => {
    expect(parseCrmEventBatch({}).success).toBe(false);
    expect(parseCrmEventBatch([]).success).toBe(false);
    expect(parseCrmEventBatch(Array.from({ length: 101 }, () => envelope)).success).toBe(false);
  });
});
