import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import { buildLegacyDigest } from '#domain/ledger/merkle.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { readChainHeads, writeDigest } from '#use-cases/ledger-digest.ts';
import { verifyLedgerFile } from '#use-cases/ledger-verify.ts';

/**
 * An export written before entries carried MACs (by a version of Dealreg older than the key
 * epoch), verified after the key-epoch digest sealed the entries it holds and the chain grew.
 */
let tables: TestTables;
let store: DynamoDbLedgerStore;
let directory: string;
let digests: FileDigestStore;
const ledgerKey = LocalLedgerKey.random();
const day = (n: number) => new Date(Date.UTC(2026, 8, n));
const story = opportunityStory('5001', 1).map(parseEntryInput);
const written: LedgerEntry[] = [];

/** Writes an entry as the ledger did before MACs: hashed and linked, with no MAC. */
async function writeWithoutMac(index: number, at: Date): Promise<void> {
  const entry = sealEntry(story[index] as never, written.at(-1), at);
  written.push(entry);
  await tables.client.send(
    new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(entry) }),
  );
}

function exportOf(name: string, entries: readonly LedgerEntry[]): string {
  const file = join(directory, name);
  writeFileSync(file, entries.map((entry) => `${canonicalJson(entry)}\n`).join(''));
  return file;
}

let beforeLegacyDigest: string;
let betweenDigests: string;

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  directory = mkdtempSync(join(tmpdir(), 'ledger-export-before-macs-'));
  digests = new FileDigestStore(join(directory, 'digests'));
  await writeWithoutMac(0, day(1));
  await writeWithoutMac(1, day(1));
  beforeLegacyDigest = exportOf('before-legacy-digest.jsonl', written);
  await writeWithoutMac(2, day(2));
  const legacy = buildLegacyDigest(await readChainHeads(store), day(3));
  await digests.write('digest-2026-09-03T00-00-00-000Z.json', JSON.stringify(legacy));
  await writeWithoutMac(3, day(4));
  betweenDigests = exportOf('between-digests.jsonl', written);
  await writeWithoutMac(4, day(5));
  // The upgrade: the key-epoch digest seals the entries written before MACs.
  await writeDigest({ store, digests, ledgerKey, now: () => day(6) });
});
afterAll(() => tables.client.destroy());

describe('ledger verify --file on an export written before entry MACs', () => {
  it('says that nothing vouches for its entries written before MACs, naming the key-epoch digest it predates', async () => {
    for (const file of [beforeLegacyDigest, betweenDigests]) {
      const report = await verifyLedgerFile(file, { digests, ledgerKey, now: () => day(7) });

      expect(report.ok).toBe(false);
      expect(report.broken).toEqual([
        {
          opportunityId: '5001',
          sequence: 1,
          problem: 'missing-mac',
          detail:
            'entry has no MAC: it was written before entry MACs, and this export predates the key-epoch digest digest-00000001.json that vouches for such entries (written 2026-09-06T00:00:00.000Z), so nothing vouches for it here; verify an export written since (dealreg ledger export)',
        },
      ]);
      expect(report.exportPredates).toMatchObject({ digest: expect.any(String) });
      // An export older than the digests is not "another ledger", and the key epoch has begun.
      expect(report.digests).not.toBe('other-ledger');
      expect(report.warnings.join('\n')).not.toMatch(/another ledger|write a digest/);
      expect(report.warnings[0]).toMatch(/^this export predates digest /);
    }
  });
});
