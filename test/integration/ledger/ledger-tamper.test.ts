import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import type { RawLedgerItem } from '#ports/ledger.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';

const ledgerKey = LocalLedgerKey.random();

const CHAINS = 24;
const CHANGES = 1000;
const WORKERS = 4;

let tables: TestTables;
let store: DynamoDbLedgerStore;
let items: RawLedgerItem[];

/** Small deterministic PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A different value of the same shape: the kind of edit someone with table access would make. */
function alter(value: unknown, next: () => number): unknown {
  if (typeof value === 'number') return value + 1 + Math.floor(next() * 1000);
  if (typeof value === 'string') {
    const position = Math.floor(next() * value.length);
    const replacement = value[position] === 'x' ? 'y' : 'x';
    return value.slice(0, position) + replacement + value.slice(position + 1);
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const key = keys[Math.floor(next() * keys.length)] as string;
    copy[key] = alter(copy[key], next);
    return copy;
  }
  return 'altered';
}

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  for (let index = 0; index < CHAINS; index += 1) {
    for (const input of opportunityStory(`opp-${index}`, index))
      await appendEntry({ store, ledgerKey }, input);
  }
  items = [];
  await store.scanRaw((page) => {
    items.push(...page);
  });
});
afterAll(() => tables.client.destroy());

describe('tamper detection', () => {
  it('detects and names each of 1,000 random single-attribute changes made directly in the table', async () => {
    const missed: string[] = [];
    let detected = 0;
    const worker = async (workerIndex: number) => {
      const next = random(4242 + workerIndex);
      const mine = items.filter(
        (item) => Number(String(item.opportunityId).slice(4)) % WORKERS === workerIndex,
      );
      for (let change = workerIndex; change < CHANGES; change += WORKERS) {
        const original = mine[Math.floor(next() * mine.length)] as RawLedgerItem;
        const attributes = Object.keys(original).filter(
          (name) => name !== 'opportunityId' && name !== 'sequence',
        );
        const attribute = attributes[Math.floor(next() * attributes.length)] as string;
        const key = marshall({ opportunityId: original.opportunityId, sequence: original.sequence });
        await tables.client.send(
          new UpdateItemCommand({
            TableName: tables.tableName('Ledger'),
            Key: key,
            UpdateExpression: 'SET #attribute = :value',
            ExpressionAttributeNames: { '#attribute': attribute },
            ExpressionAttributeValues: marshall({ ':value': alter(original[attribute], next) }),
          }),
        );

        const report = await verifyLedger(
          { store, ledgerKey },
          { opportunityId: String(original.opportunityId) },
        );

        const first = report.broken[0];
        if (first?.sequence === original.sequence && first?.opportunityId === original.opportunityId) {
          detected += 1;
        } else {
          missed.push(`${String(original.opportunityId)}#${String(original.sequence)}.${attribute}`);
        }
        await tables.client.send(
          new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(original) }),
        );
      }
    };

    await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));

    expect(missed).toEqual([]);
    expect(detected).toBe(CHANGES);
    expect((await verifyLedger({ store, ledgerKey })).ok).toBe(true);
  }, 240_000);

  it('names the altered entry and what differs when verifying the whole table', async () => {
    const target = items.find(
      (item) => item.opportunityId === 'opp-3' && item.sequence === 4,
    ) as RawLedgerItem;
    await tables.client.send(
      new UpdateItemCommand({
        TableName: tables.tableName('Ledger'),
        Key: marshall({ opportunityId: 'opp-3', sequence: 4 }),
        UpdateExpression: 'SET stage = :stage',
        ExpressionAttributeValues: marshall({ ':stage': 'closedwon' }),
      }),
    );

    const report = await verifyLedger({ store, ledgerKey });

    await tables.client.send(
      new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(target) }),
    );
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-3', sequence: 4, problem: 'hash-mismatch' }),
    ]);
    expect(report.broken[0]?.detail).toMatch(/content was altered/);
    expect(report.chains).toBe(CHAINS);
  });
});
