import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { readChainHeads, writeDigest } from '#use-cases/ledger-digest.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';

let tables: TestTables;
let store: DynamoDbLedgerStore;
let directory: string;
let digests: FileDigestStore;

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  directory = mkdtempSync(join(tmpdir(), 'ledger-digests-'));
  digests = new FileDigestStore(directory);
  for (let index = 0; index < 4; index += 1) {
    for (const input of opportunityStory(`opp-${index}`, index)) await appendEntry({ store }, input);
  }
});
afterAll(() => tables.client.destroy());

describe('ledger digests', () => {
  it('commits every chain head and verifies clean, also after later appends', async () => {
    const { digest, location } = await writeDigest({
      store,
      digests,
      now: () => new Date('2026-09-30T00:00:00Z'),
    });
    const [extra] = opportunityStory('opp-0', 0);
    await appendEntry({ store }, extra as never);

    const report = await verifyLedger({ store, digests });

    expect(location).toBe(join(directory, 'digest-2026-09-30T00-00-00-000Z.json'));
    expect(digest).toMatchObject({ chains: 4, entries: 20 });
    expect(report).toMatchObject({ ok: true, digestsChecked: 1, chains: 4, entries: 21 });
    expect(await readChainHeads(store)).toHaveLength(4);
  });

  it('never overwrites a digest file', async () => {
    await expect(digests.write('digest-2026-09-30T00-00-00-000Z.json', '{}')).rejects.toThrow(/EEXIST/);
  });

  it('names a truncated chain: the last entry deleted is missing against the digest', async () => {
    const [last] = (await readChain(store, 'opp-1')).slice(-1);
    await tables.client.send(
      new DeleteItemCommand({
        TableName: tables.tableName('Ledger'),
        Key: marshall({ opportunityId: 'opp-1', sequence: 5 }),
      }),
    );

    const report = await verifyLedger({ store, digests });

    await tables.client.send(
      new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(last) }),
    );
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-1', sequence: 5, problem: 'missing-entry' }),
    ]);
  });

  it('names a chain rewritten with consistent new hashes, which only the digest can catch', async () => {
    const original = await readChain(store, 'opp-2');
    let head: ReturnType<typeof sealEntry> | undefined;
    for (const entry of original) {
      const {
        sequence: _s,
        recordedAt: _r,
        previousHash: _p,
        hash: _h,
        effectiveMonth: _m,
        chainStart: _c,
        ...input
      } = entry;
      const rewritten =
        input.type === 'PartnerAttached' ? { ...input, relationshipType: 'influenced' as const } : input;
      head = sealEntry(parseEntryInput(rewritten), head, new Date(entry.recordedAt));
      await tables.client.send(
        new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(head) }),
      );
    }

    const withoutDigests = await verifyLedger({ store });
    const withDigests = await verifyLedger({ store, digests });

    for (const entry of original) {
      await tables.client.send(
        new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(entry) }),
      );
    }
    expect(withoutDigests.ok).toBe(true);
    expect(withDigests.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-2', sequence: 5, problem: 'digest-mismatch' }),
    ]);
  });

  it('reports a digest whose root no longer matches its heads', async () => {
    const name = 'digest-2026-09-30T00-00-00-000Z.json';
    const text = readFileSync(join(directory, name), 'utf8');
    const forged = JSON.parse(text) as { heads: { hash: string }[] };
    (forged.heads[0] as { hash: string }).hash = 'f'.repeat(64);
    const forgedDirectory = mkdtempSync(join(tmpdir(), 'ledger-digests-forged-'));
    writeFileSync(join(forgedDirectory, name), JSON.stringify(forged));

    const report = await verifyLedger({ store, digests: new FileDigestStore(forgedDirectory) });

    expect(report.ok).toBe(false);
    expect(report.digestProblems).toEqual([expect.stringMatching(/root .* does not match its heads/)]);
  });
});
