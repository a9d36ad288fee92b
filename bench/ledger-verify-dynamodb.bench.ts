/**
 * `ledger verify` over a ledger of BENCH_LEDGER_ENTRIES (default 200,000) entries in DynamoDB
 * Local, beside a bare Scan of the same table (same segments, same unmarshalling, items only
 * counted) in the same run; each is run twice, alternating, and the better run is kept.
 * Goal: verify ≥ 0.8× the bare-scan rate.
 */

import { createHmac, randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { entryMacMessage } from '#domain/ledger/entry-mac.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';

const total = Number(process.env.BENCH_LEDGER_ENTRIES ?? 200_000);
const perChain = 10;
const segments = 4;
/** The ledger key the entries are written with (HMAC-SHA256, as the local key computes it). */
const keyBytes = randomBytes(32);
const ledgerKey = new LocalLedgerKey(keyBytes);

function* sealedEntries(): Generator<Record<string, AttributeValue>> {
  const recordedAt = new Date('2026-09-30T12:00:00Z');
  let written = 0;
  for (let chain = 0; written < total; chain += 1) {
    const story = opportunityStory(`opp-${chain}`, chain).map(parseEntryInput);
    let head: ChainHead | undefined;
    for (let index = 0; index < perChain && written < total; index += 1) {
      const entry = sealEntry(story[index % story.length] as (typeof story)[number], head, recordedAt);
      head = entry;
      written += 1;
      const mac = createHmac('sha256', keyBytes).update(entryMacMessage(entry)).digest('hex');
      yield marshall({ ...entry, mac }, { removeUndefinedValues: true });
    }
  }
}

async function load(client: DynamoDBClient, tableName: string): Promise<number> {
  const started = performance.now();
  const source = sealedEntries();
  const nextBatch = () => {
    const batch: Record<string, AttributeValue>[] = [];
    for (let item = source.next(); !item.done; item = source.next()) {
      batch.push(item.value);
      if (batch.length === 25) break;
    }
    return batch;
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const result = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function bareScan(client: DynamoDBClient, tableName: string): Promise<number> {
  let count = 0;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) if (unmarshall(item)) count += 1;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }),
  );
  return count;
}

const dynamodb = await startDynamoDbLocal();
const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
try {
  const names = await createTables(dynamodb.endpoint, [ledgerTable], 'bench-');
  const tableName = names.Ledger as string;
  const loadSeconds = await load(client, tableName);
  console.log(`loaded ${total.toLocaleString('en')} entries in ${loadSeconds.toFixed(1)} s`);
  const store = new DynamoDbLedgerStore(client, tableName);
  const timed = async <T>(run: () => Promise<T>) => {
    const started = performance.now();
    const value = await run();
    return { value, seconds: (performance.now() - started) / 1000 };
  };
  const scans: number[] = [];
  const verifies: number[] = [];
  for (let round = 0; round < 2; round += 1) {
    const scan = await timed(() => bareScan(client, tableName));
    if (scan.value !== total) throw new Error(`bare scan saw ${scan.value} items, expected ${total}`);
    scans.push(total / scan.seconds);
    // Verified the hour after the entries were written: no digest is due yet.
    const now = () => new Date('2026-09-30T13:00:00Z');
    const verify = await timed(() => verifyLedger({ store, ledgerKey, now }, { segments }));
    if (!verify.value.ok || verify.value.entries !== total) {
      throw new Error(`verify failed: ${JSON.stringify(verify.value.broken.slice(0, 3))}`);
    }
    verifies.push(total / verify.seconds);
  }
  const scanRate = Math.max(...scans);
  const verifyRate = Math.max(...verifies);
  console.log(`bare scan (${segments} segments): ${scans.map((rate) => rate.toFixed(0)).join(', ')} items/s`);
  console.log(
    `verify    (${segments} segments): ${verifies.map((rate) => rate.toFixed(0)).join(', ')} entries/s`,
  );
  console.log(`verify / bare scan = ${(verifyRate / scanRate).toFixed(2)} (goal ≥ 0.8)`);
} finally {
  client.destroy();
  await dynamodb.stop();
}
