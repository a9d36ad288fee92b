import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { freezeMoney } from '#domain/money.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntryOnce, readChain } from '#use-cases/ledger-append.ts';
import { opportunityAsOf } from '#use-cases/ledger-queries.ts';

const ledgerKey = LocalLedgerKey.random();

let tables: TestTables;
let store: DynamoDbLedgerStore;

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
});
afterAll(() => tables.client.destroy());

/** CRM changes of one deal, each carrying the identity of the HubSpot event it came from. */
function dealEvents(opportunityId: string): LedgerEntryInput[] {
  const event = (property: string, value: string, occurredAt: string) => ({
    opportunityId,
    effectiveAt: occurredAt,
    recordedBy: 'crm-events',
    sourceEventId: `deal:${property}:${value}:${occurredAt}`,
  });
  return [
    {
      type: 'StageChanged',
      stage: 'qualifiedtobuy',
      ...event('dealstage', 'qualifiedtobuy', '2026-07-02T10:00:00Z'),
    },
    {
      type: 'StageChanged',
      stage: 'contractsent',
      ...event('dealstage', 'contractsent', '2026-08-02T10:00:00Z'),
    },
    {
      type: 'AmountChanged',
      amount: freezeMoney(4_000_000, 'USD', '1'),
      ...event('amount', '40000', '2026-07-05T10:00:00Z'),
    },
    {
      type: 'AmountChanged',
      amount: freezeMoney(5_500_000, 'USD', '1'),
      ...event('amount', '55000', '2026-08-20T10:00:00Z'),
    },
    {
      type: 'CloseDateChanged',
      closeDate: '2026-09-30',
      ...event('closedate', '2026-09-30', '2026-08-21T10:00:00Z'),
    },
    {
      type: 'ClosedWon',
      amount: freezeMoney(5_500_000, 'USD', '1'),
      ...event('dealstage', 'closedwon', '2026-09-15T10:00:00Z'),
    },
  ];
}

const at = { asOf: '2026-12-31T00:00:00.000Z', knownAt: '2099-01-01T00:00:00.000Z' };

describe('events recorded once', () => {
  it('records one entry when the same event is appended ten times at once', async () => {
    const [event] = dealEvents('opp-same');

    const results = await Promise.all(
      Array.from({ length: 10 }, () => appendEntryOnce({ store, ledgerKey }, event as never)),
    );

    expect(await readChain(store, 'opp-same')).toHaveLength(1);
    expect(results.filter((result) => result.appended)).toHaveLength(1);
    expect(new Set(results.map((result) => result.entry.hash)).size).toBe(1);
  });

  it('gives the same ledger state for shuffled, duplicated batches as for the ordered unique events', async () => {
    for (const event of dealEvents('opp-ordered')) await appendEntryOnce({ store, ledgerKey }, event);
    const expected = await opportunityAsOf(store, 'opp-ordered', at);

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...dealEvents('x'), ...dealEvents('x')], { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        async (shuffled, parallel) => {
          const opportunityId = `opp-${Math.random().toString(36).slice(2, 10)}`;
          const batch = shuffled.map((event) => ({ ...event, opportunityId }));
          for (let index = 0; index < batch.length; index += parallel) {
            await Promise.all(
              batch
                .slice(index, index + parallel)
                .map((event) => appendEntryOnce({ store, ledgerKey }, event)),
            );
          }

          const state = await opportunityAsOf(store, opportunityId, at);

          expect(await readChain(store, opportunityId)).toHaveLength(6);
          expect({ ...state, opportunityId: 'opp-ordered' }).toEqual(expected);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
