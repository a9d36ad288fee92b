/**
 * Append throughput to DynamoDB Local: one chain written sequentially, one chain with
 * concurrent writers racing for the next sequence (re-chaining on every lost race), and many
 * chains written concurrently — beside the floor, bare unconditional PutItems of the same items
 * at the same concurrency, in the same run.
 * `node bench/ledger-append.bench.ts` (BENCH_LEDGER_APPENDS, default 600)
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

const total = Number(process.env.BENCH_LEDGER_APPENDS ?? 600);
const ledgerKey = LocalLedgerKey.random();

async function pool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

function input(opportunityId: string, index: number): LedgerEntryInput {
  const story = opportunityStory(opportunityId, index);
  return story[index % story.length] as LedgerEntryInput;
}

const dynamodb = await startDynamoDbLocal();
const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
try {
  let run = 0;
  const freshStore = async () => {
    const names = await createTables(dynamodb.endpoint, [ledgerTable], `bench${run++}-`);
    return {
      store: new DynamoDbLedgerStore(client, names.Ledger as string),
      tableName: names.Ledger as string,
    };
  };
  // Warm the JVM so the first scenario is not charged for it.
  const warm = await freshStore();
  await pool(200, 8, (index) =>
    appendEntry({ store: warm.store, ledgerKey }, input(`warm-${index % 20}`, index)).then(() => {}),
  );

  const results: { scenario: string; entries: number; seconds: number }[] = [];
  const measure = async (
    scenario: string,
    count: number,
    concurrency: number,
    chainOf: (index: number) => string,
  ) => {
    const { store } = await freshStore();
    const seconds = await pool(count, concurrency, async (index) => {
      await appendEntry({ store, ledgerKey }, input(chainOf(index), index));
    });
    results.push({ scenario, entries: count, seconds });
  };

  await measure('one chain, 1 writer', Math.min(total, 300), 1, () => 'opp-1');
  await measure('one chain, 8 racing writers', Math.min(total, 300), 8, () => 'opp-1');
  await measure(
    'many chains (5 entries each), 16 writers',
    total,
    16,
    (index) => `opp-${index % Math.ceil(total / 5)}`,
  );

  // Floor: the same sealed items, unconditional PutItem, no head read, 16 at a time.
  const floor = await freshStore();
  const items = Array.from({ length: total }, (_, index) => {
    const opportunityId = `opp-${index}`;
    return marshall(sealEntry(parseEntryInput(input(opportunityId, index)), undefined, new Date()), {
      removeUndefinedValues: true,
    });
  });
  const floorSeconds = await pool(total, 16, async (index) => {
    await client.send(new PutItemCommand({ TableName: floor.tableName, Item: items[index] }));
  });
  const floorRate = total / floorSeconds;

  for (const result of results) {
    const rate = result.entries / result.seconds;
    console.log(
      `${result.scenario.padEnd(44)} ${result.entries} entries in ${result.seconds.toFixed(2)} s → ${rate.toFixed(0)} entries/s (${(rate / floorRate).toFixed(2)}× the bare-put floor)`,
    );
  }
  console.log(
    `${'floor: bare PutItem, 16 at a time'.padEnd(44)} ${total} items → ${floorRate.toFixed(0)} items/s`,
  );
} finally {
  client.destroy();
  await dynamodb.stop();
}
