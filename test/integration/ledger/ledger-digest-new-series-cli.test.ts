import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

const opened: TestTables[] = [];
let dataDir: string;
let ledgerKey: LocalLedgerKey;

/** A ledger in tables of its own, with `chains` chains. */
async function ledgerOf(chains: number, from: number): Promise<TestTables> {
  const tables = await createTestTables([ledgerTable]);
  opened.push(tables);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  for (let index = from; index < from + chains; index += 1) {
    for (const input of opportunityStory(`opp-${index}`, index))
      await appendEntry({ store, ledgerKey }, input);
  }
  return tables;
}

/** `dealreg …` against the ledger in `tables`, with the test's data directory. */
function dealregOn(tables: TestTables, ...args: string[]) {
  return dealreg([...args, '--data-dir', dataDir], {
    DYNAMODB_ENDPOINT: tables.endpoint,
    LEDGER_TABLE: tables.tableName('Ledger'),
  });
}

const digestFiles = () => readdirSync(localDigestDirectory(dataDir)).filter((name) => name.endsWith('.json'));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-digest-series-'));
  ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
});
afterAll(() => {
  for (const tables of opened) tables.client.destroy();
});

describe('dealreg ledger digest beside an earlier ledger’s digests', () => {
  it('refuses, writing nothing, until told to begin a new series; verify then checks the new one', async () => {
    const earlier = await ledgerOf(2, 0);
    expect((await dealregOn(earlier, 'ledger', 'digest')).code).toBe(0);
    const fresh = await ledgerOf(1, 5);

    const refused = await dealregOn(fresh, 'ledger', 'digest');
    const filesAfterRefusal = digestFiles();
    const started = await dealregOn(fresh, 'ledger', 'digest', '--new-series');
    const verified = await dealregOn(fresh, 'ledger', 'verify');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the ledger holds none of the 2 chain heads digest digest-00000001\.json recorded.*Nothing was written.*--new-series/,
    );
    expect(filesAfterRefusal).toEqual(['digest-00000001.json']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^new digest series: the ledger holds none of the 2 chain heads/);
    expect(started.stdout).toMatch(/digest 2 of 1 chain \(5 entries\)/);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /the digests were started over at digest-00000002\.json \(.*\); the 1 digest before it describes an earlier ledger/,
    );
    expect(verified.stdout).toMatch(/ledger intact/);
  });
});
