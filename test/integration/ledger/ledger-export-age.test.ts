import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type CliResult, dealreg as runDealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

/**
 * An export is the ledger as it stood when it was written: digests written after it record
 * entries it cannot hold. Verify checks it against the digests written before it, says so, and
 * still names what was cut from an export written after a digest.
 */

let tables: TestTables;
let store: DynamoDbLedgerStore;
let dataDir: string;
let ledgerKey: LocalLedgerKey;
/** Written after digest 1, before the entries digest 2 records. */
let oldExport: string;
/** Written after digest 2 and one more entry. */
let laterExport: string;

/** `dealreg` on this file's ledger table and data directory. */
const dealreg = (...args: string[]): Promise<CliResult> =>
  runDealreg([...args, '--data-dir', dataDir], {
    DYNAMODB_ENDPOINT: tables.endpoint,
    LEDGER_TABLE: tables.tableName('Ledger'),
  });

const stage = (opportunityId: string, value: string): LedgerEntryInput => ({
  type: 'StageChanged',
  opportunityId,
  effectiveAt: '2026-08-01T00:00:00Z',
  recordedBy: 'crm-events',
  stage: value,
});

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function writeLines(name: string, content: readonly string[]): string {
  const file = join(dataDir, name);
  writeFileSync(file, `${content.join('\n')}\n`);
  return file;
}

const entryOf = (line: string) => JSON.parse(line) as { opportunityId: string; sequence: number };

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-export-age-'));
  ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  for (const [index, id] of ['7001', '7002'].entries())
    for (const input of opportunityStory(id, index)) await appendEntry({ store, ledgerKey }, input);
  expect((await dealreg('ledger', 'digest')).code).toBe(0);
  oldExport = join(dataDir, 'old.jsonl');
  expect((await dealreg('ledger', 'export', '--out', oldExport)).code).toBe(0);
  // After the export: a chain grows and another begins, and digest 2 records both.
  await appendEntry({ store, ledgerKey }, stage('7001', 'closedwon'));
  for (const input of opportunityStory('7003', 3)) await appendEntry({ store, ledgerKey }, input);
  expect((await dealreg('ledger', 'digest')).code).toBe(0);
  await appendEntry({ store, ledgerKey }, stage('7002', 'closedlost'));
  laterExport = join(dataDir, 'later.jsonl');
  expect((await dealreg('ledger', 'export', '--out', laterExport)).code).toBe(0);
});
afterAll(() => tables.client.destroy());

describe('ledger verify --file on an export older than the latest digests', () => {
  it('checks it against the digests written before it and says which were written after: intact, exit 0', async () => {
    const text = await dealreg('ledger', 'verify', '--file', oldExport);
    const json = await dealreg('ledger', 'verify', '--file', oldExport, '--format', 'json');
    const inWorkers = await dealreg('ledger', 'verify', '--file', oldExport, '--workers', '2');

    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('BROKEN');
    expect(text.stdout).toContain(': 10 entries in 2 chains; 10 entries covered by 1 signed digest;');
    expect(text.stdout).toMatch(
      /WARNING: this export predates digest digest-00000002\.json \(written [^)]+\): it holds no entry recorded since then, nor 2 chain heads that digest records \(7001 #6, 7003 #5\), so it was checked as the ledger stood before that digest, against the 1 digest written earlier; 1 later digest was not checked against it\. If the file was exported after \S+, it was cut short: export the ledger again/,
    );
    expect(text.stdout).toMatch(
      /\nledger intact as it stood before digest digest-00000002\.json \(written [^)]+\), when this export was written\n$/,
    );
    expect(inWorkers).toEqual(text);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      result: 'intact',
      digestsChecked: 1,
      exportPredates: { digest: 'digest-00000002.json', digestsNotChecked: 1 },
    });
  });

  it('checks one chain of it the same way, and names a chain begun after it as not in it', async () => {
    const result = await dealreg('ledger', 'verify', '--file', oldExport, '--opportunity', '7001');
    const later = await dealreg('ledger', 'verify', '--file', oldExport, '--opportunity', '7003');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nor 1 chain head that digest records (7001 #6)');
    expect(later.code).toBe(2);
    expect(later.stderr).toMatch(
      /old\.jsonl has no entries for opportunity 7003: the export predates digest digest-00000002\.json \(written [^)]+\), which records it; export the ledger again to verify it/,
    );
  });

  it('still checks the MAC of an entry the older digest does not vouch for', async () => {
    // 7001 #6 as digest 2 records it, its MAC replaced: the hash (and so digest 2's head) still matches.
    const genuine = lines(laterExport).find((line) => {
      const entry = entryOf(line);
      return entry.opportunityId === '7001' && entry.sequence === 6;
    }) as string;
    const forged = genuine.replace(/"mac":"[0-9a-f]{64}"/, `"mac":"${'a'.repeat(64)}"`);
    const file = writeLines('old-plus-forged.jsonl', [...lines(oldExport), forged]);

    const result = await dealreg('ledger', 'verify', '--file', file);

    expect(forged).not.toBe(genuine);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('BROKEN 7001 #6 (bad-mac)');
  });

  it('names an entry cut from an export written after the digest that records it: truncated, exit 1', async () => {
    // The export holds 7002 #6, recorded after digest 2, so it was written after digest 2.
    const cut = lines(laterExport).filter((line) => {
      const entry = entryOf(line);
      return !(entry.opportunityId === '7001' && entry.sequence === 6);
    });
    const file = writeLines('later-cut.jsonl', cut);

    const result = await dealreg('ledger', 'verify', '--file', file);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'BROKEN 7001 #6 (truncated): digest digest-00000002.json recorded 6 entries on this chain; the ledger has 5: entry 6 is gone',
    );
    expect(result.stdout).not.toContain('predates');
  });

  it('verifies the later export against every digest', async () => {
    const result = await dealreg('ledger', 'verify', '--file', laterExport);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('covered by 2 signed digests');
    expect(result.stdout).not.toContain('WARNING');
  });

  it('does not take a file with no entry at all for an export older than the digests', async () => {
    const file = writeLines('not-an-export.jsonl', ['not json', '{"note":"hello"}']);

    const result = await dealreg('ledger', 'verify', '--file', file);

    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('predates');
    expect(result.stdout).toContain('BROKEN (unknown) #0 (malformed): line 1: not JSON');
  });
});
