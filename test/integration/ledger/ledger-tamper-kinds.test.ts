import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type CliResult, dealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { authenticatedChain, opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { writeDigest } from '#use-cases/ledger-digest.ts';

/**
 * Every kind of tampering someone with write access to the table (or the digest files) could
 * try, made directly in DynamoDB Local as they would make it, then `dealreg ledger verify` run
 * as a user runs it: each must exit 1 naming the entry changed.
 */

const DAY = 86_400_000;
/** When the ledger's entries were written: long enough ago that digests must exist for them. */
const written = () => new Date(Date.now() - 10 * DAY);
/** When the last scheduled digest ran, after the entries above. */
const digested = () => new Date(Date.now() - 10 * DAY + 3_600_000);
const CHAINS = ['opp-1', 'opp-2', 'opp-3'];

interface Ledger {
  readonly tables: TestTables;
  readonly store: DynamoDbLedgerStore;
  readonly dataDir: string;
  readonly ledgerKey: LocalLedgerKey;
  put(item: object): Promise<void>;
  remove(opportunityId: string, sequence: number): Promise<void>;
  digest(now?: Date): Promise<Awaited<ReturnType<typeof writeDigest>>>;
  verify(): Promise<CliResult>;
}

const opened: Ledger[] = [];
afterAll(() => {
  for (const ledger of opened) {
    ledger.tables.client.destroy();
    rmSync(ledger.dataDir, { recursive: true, force: true });
  }
});

/** Three chains of five entries, written (ten days ago) with the data directory's ledger key. */
async function ledgerOfThreeChains(options: { digests: boolean; writtenAt?: Date }): Promise<Ledger> {
  const tables = await createTestTables([ledgerTable]);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  const dataDir = mkdtempSync(join(tmpdir(), 'dealreg-tamper-'));
  const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  const digests = new FileDigestStore(localDigestDirectory(dataDir));
  for (const [index, id] of CHAINS.entries()) {
    const now = options.writtenAt === undefined ? written : () => options.writtenAt as Date;
    for (const input of opportunityStory(id, index)) await appendEntry({ store, ledgerKey, now }, input);
  }
  const ledger: Ledger = {
    tables,
    store,
    dataDir,
    ledgerKey,
    put: async (item) => {
      await tables.client.send(
        new PutItemCommand({
          TableName: tables.tableName('Ledger'),
          Item: marshall(item, { removeUndefinedValues: true }),
        }),
      );
    },
    remove: async (opportunityId, sequence) => {
      await tables.client.send(
        new DeleteItemCommand({
          TableName: tables.tableName('Ledger'),
          Key: marshall({ opportunityId, sequence }),
        }),
      );
    },
    digest: (now = new Date()) => writeDigest({ store, digests, ledgerKey, now: () => now }),
    verify: () =>
      dealreg(['ledger', 'verify', '--data-dir', dataDir], {
        DYNAMODB_ENDPOINT: tables.endpoint,
        LEDGER_TABLE: tables.tableName('Ledger'),
      }),
  };
  opened.push(ledger);
  if (options.digests) await ledger.digest(digested());
  return ledger;
}

/** The next entry of a chain as someone without the key would write it: linked and hashed, no MAC. */
async function forgedNext(ledger: Ledger, opportunityId: string): Promise<LedgerEntry> {
  const chain = await readChain(ledger.store, opportunityId);
  const input = parseEntryInput({
    type: 'StageChanged',
    opportunityId,
    effectiveAt: '2026-09-20T00:00:00Z',
    recordedBy: 'crm-events',
    stage: 'closedwon',
  });
  return sealEntry(input, chain.at(-1), new Date());
}

function expectBroken(result: CliResult, line: RegExp): void {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(result.stdout).toMatch(line);
  expect(result.stdout).toMatch(/ledger BROKEN/);
}

describe.each([
  { digests: false, label: 'without digests' },
  { digests: true, label: 'with digests, the next digest written after the tampering' },
])('tampering the ledger key catches, $label', ({ digests }) => {
  /**
   * Without digests the ledger is young (no digest is due yet), so only the tampering can fail
   * verify; with digests it is ten days old and digested, as a deployed ledger is.
   */
  const fresh = () =>
    ledgerOfThreeChains(digests ? { digests } : { digests, writtenAt: new Date(Date.now() - 3_600_000) });
  /** With digests, the scheduled digest runs once more after the tampering, as it would. */
  const thenDigest = async (ledger: Ledger) => {
    if (!digests) return undefined;
    return (await ledger.digest()).unauthenticated;
  };

  it('a forged entry appended to a chain, named at its sequence', async () => {
    const ledger = await fresh();
    await ledger.put(await forgedNext(ledger, 'opp-1'));

    const unauthenticated = await thenDigest(ledger);
    const result = await ledger.verify();

    expectBroken(result, /BROKEN opp-1 #6 \(missing-mac\)/);
    if (digests)
      expect(unauthenticated).toEqual([expect.objectContaining({ opportunityId: 'opp-1', sequence: 6 })]);
  });

  it('an entry copied into another chain, rehashed and relinked, with its MAC', async () => {
    const ledger = await fresh();
    const [, original] = await readChain(ledger.store, 'opp-1');
    const target = await readChain(ledger.store, 'opp-2');
    const {
      sequence: _s,
      recordedAt,
      previousHash: _p,
      hash: _h,
      mac,
      effectiveMonth: _m,
      ...input
    } = original as LedgerEntry;
    const copy = sealEntry(
      parseEntryInput({ ...input, opportunityId: 'opp-2' }),
      target.at(-1),
      new Date(recordedAt),
    );
    await ledger.put({ ...copy, mac });

    await thenDigest(ledger);
    const result = await ledger.verify();

    expectBroken(result, /BROKEN opp-2 #6 \(bad-mac\): .*copied from another chain or position/);
  });

  it('a whole chain fabricated with another key, named at its first entry', async () => {
    const ledger = await fresh();
    for (const entry of await authenticatedChain('opp-fake', 3, LocalLedgerKey.random(), {
      recordedAt: new Date(),
    }))
      await ledger.put(entry);

    await thenDigest(ledger);
    const result = await ledger.verify();

    expectBroken(result, /BROKEN opp-fake #1 \(bad-mac\)/);
  });

  it('an entry modified in place, named by its hash', async () => {
    const ledger = await fresh();
    await ledger.tables.client.send(
      new UpdateItemCommand({
        TableName: ledger.tables.tableName('Ledger'),
        Key: marshall({ opportunityId: 'opp-3', sequence: 3 }),
        UpdateExpression: 'SET dealName = :name',
        ExpressionAttributeValues: marshall({ ':name': 'Bigger deal' }),
      }),
    );

    await thenDigest(ledger);
    const result = await ledger.verify();

    expectBroken(result, /BROKEN opp-3 #3 \(hash-mismatch\)/);
  });
});

describe('truncation and deletion', () => {
  it('with digests: a truncated chain is named at the first entry gone, a deleted chain at its first', async () => {
    const ledger = await ledgerOfThreeChains({ digests: true });
    await ledger.remove('opp-3', 5);
    await ledger.remove('opp-3', 4);
    for (let sequence = 1; sequence <= 5; sequence += 1) await ledger.remove('opp-2', sequence);

    const result = await ledger.verify();

    expectBroken(result, /BROKEN opp-2 #1 \(chain-deleted\): digest .* recorded 5 entries/);
    expect(result.stdout).toMatch(/BROKEN opp-3 #4 \(truncated\): .* the ledger has 3: entries 4–5 are gone/);
  });

  it('without digests: fails once entries are older than two digest intervals and in no digest, naming each chain', async () => {
    const ledger = await ledgerOfThreeChains({ digests: false });
    await ledger.remove('opp-3', 5);

    const result = await ledger.verify();

    expectBroken(
      result,
      /BROKEN digest: digests that should exist are missing: entries recorded more than 172800 s ago \(digests are written every 86400 s\) are in no digest, first opp-1 #1 \(recorded .*\), opp-2 #1 .*, opp-3 #1/,
    );
    expect(result.stdout).toMatch(/WARNING: no digests to check against/);
  });

  it('without digests, on a young ledger: exits 0 but says loudly it could not see truncation', async () => {
    const ledger = await ledgerOfThreeChains({ digests: false, writtenAt: new Date() });
    await ledger.remove('opp-2', 5);

    const result = await ledger.verify();
    const asJson = await dealreg(['ledger', 'verify', '--format', 'json', '--data-dir', ledger.dataDir], {
      DYNAMODB_ENDPOINT: ledger.tables.endpoint,
      LEDGER_TABLE: ledger.tables.tableName('Ledger'),
    });

    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /WARNING: no digests to check against: a truncated or deleted chain cannot be detected/,
    );
    expect(result.stdout).toMatch(/UNSEALED/);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      ok: true,
      result: 'intact-without-digests',
      digests: 'none',
    });
    expect(asJson.stderr).toMatch(/WARNING: no digests/);
  });
});

describe('deleted digest files', () => {
  it('a digest missing from the numbered series fails verify, naming its number', async () => {
    const ledger = await ledgerOfThreeChains({ digests: true });
    await ledger.digest(new Date(Date.now() - 9 * DAY));
    await ledger.digest(new Date(Date.now() - 8 * DAY));
    const directory = localDigestDirectory(ledger.dataDir);
    const [, second] = readdirSync(directory).sort();
    rmSync(join(directory, second as string));

    const result = await ledger.verify();

    expectBroken(result, /BROKEN digest: digest number 2 is missing \(between digest-.* and digest-.*\)/);
  });

  it('every digest deleted fails verify: the entries they recorded are in no digest any more', async () => {
    const ledger = await ledgerOfThreeChains({ digests: true });
    rmSync(localDigestDirectory(ledger.dataDir), { recursive: true });

    const result = await ledger.verify();

    expectBroken(result, /BROKEN digest: digests that should exist are missing: .* first opp-1 #1 /);
  });

  it('the latest digest deleted fails verify once the entries only it recorded are due', async () => {
    const ledger = await ledgerOfThreeChains({ digests: true });
    const later = new Date(Date.now() - 5 * DAY);
    await appendEntry(
      { store: ledger.store, ledgerKey: ledger.ledgerKey, now: () => later },
      {
        type: 'StageChanged',
        opportunityId: 'opp-2',
        effectiveAt: '2026-09-25T00:00:00Z',
        recordedBy: 'crm-events',
        stage: 'closedwon',
      },
    );
    await ledger.digest(new Date(later.getTime() + 3_600_000));
    const directory = localDigestDirectory(ledger.dataDir);
    rmSync(join(directory, readdirSync(directory).sort().at(-1) as string));

    const result = await ledger.verify();

    expectBroken(
      result,
      /BROKEN digest: digests that should exist are missing: .*\(the latest is digest-.*\), first opp-2 #6 \(recorded/,
    );
  });
});
