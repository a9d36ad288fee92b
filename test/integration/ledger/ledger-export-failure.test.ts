import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type CliResult, dealreg as runDealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

let tables: TestTables;
let dataDir: string;

/** `dealreg` on a ledger table of this run's DynamoDB Local (by name) and this file's data directory. */
const dealreg = (table: string, ...args: string[]): Promise<CliResult> =>
  runDealreg([...args, '--data-dir', dataDir], { DYNAMODB_ENDPOINT: tables.endpoint, LEDGER_TABLE: table });

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-export-failure-'));
  const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  for (const input of opportunityStory('8001', 1)) await appendEntry({ store, ledgerKey }, input);
});
afterAll(() => tables.client.destroy());

describe('ledger export that fails', () => {
  it('leaves no file behind, so the retry writes the export instead of refusing an empty one', async () => {
    const out = join(dataDir, 'exports', 'ledger.jsonl');
    mkdirSync(join(dataDir, 'exports'));

    const failed = await dealreg(`${tables.tableName('Ledger')}-mistyped`, 'ledger', 'export', '--out', out);
    const leftBehind = readdirSync(join(dataDir, 'exports'));
    const retried = await dealreg(tables.tableName('Ledger'), 'ledger', 'export', '--out', out);

    expect(failed.code).not.toBe(0);
    expect(leftBehind).toEqual([]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/exported 5 entries/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(5);
    expect(readdirSync(join(dataDir, 'exports'))).toEqual(['ledger.jsonl']);
  });

  it('still refuses to overwrite a file, and leaves it as it was', async () => {
    const out = join(dataDir, 'exports', 'ledger.jsonl');
    const before = readFileSync(out, 'utf8');

    const again = await dealreg(tables.tableName('Ledger'), 'ledger', 'export', '--out', out);

    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `cannot use ${out}: it already exists; export never overwrites: choose a new --out file`,
    );
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(join(dataDir, 'exports'))).toEqual(['ledger.jsonl']);
  });
});
