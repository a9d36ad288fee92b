import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../../bin/dealreg.ts');

let tables: TestTables;
let store: DynamoDbLedgerStore;
let dataDir: string;
let ledgerKey: LocalLedgerKey;

async function dealreg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args, '--data-dir', dataDir], {
      env: { ...process.env, DYNAMODB_ENDPOINT: tables.endpoint, LEDGER_TABLE: tables.tableName('Ledger') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-ledger-cli-'));
  // The key the CLI reads from the data directory, as the local stack creates it.
  ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  for (const input of opportunityStory('9001', 1)) await appendEntry({ store, ledgerKey }, input);
});
afterAll(() => tables.client.destroy());

describe('dealreg ledger', () => {
  it('shows an opportunity as of a business date, before later entries took effect', async () => {
    const result = await dealreg(
      'ledger',
      'show',
      '--opportunity',
      '9001',
      '--as-of',
      '2026-08-01',
      '--format',
      'json',
    );

    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      state: { stage: string; attributions: { partnerId: string }[] };
    };
    expect(shown.state.stage).toBe('appointmentscheduled');
    expect(shown.state.attributions.map((record) => record.partnerId)).toEqual(['partner-1']);
  });

  it('appends a correction from --set values and verifies clean, writing a digest first', async () => {
    const corrected = await dealreg(
      'ledger',
      'correct',
      '--opportunity',
      '9001',
      '--sequence',
      '2',
      '--reason',
      'partner only influenced the deal',
      '--approver',
      'vp-sales@vendor.example',
      '--set',
      'relationshipType=influenced',
    );
    const digest = await dealreg('ledger', 'digest');
    const verified = await dealreg('ledger', 'verify');

    expect(corrected.stdout).toMatch(/correction #6 on 9001 supersedes #2/);
    expect(digest.code).toBe(0);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(
      /: 6 entries in 1 chain; 6 entries covered by 1 signed digest; 0 entries outside a digest checked by MAC\n[\s\S]*ledger intact/,
    );
  });

  it('refuses a correction with a bad value, naming the field, and appends nothing', async () => {
    const result = await dealreg(
      'ledger',
      'correct',
      '--opportunity',
      '9001',
      '--sequence',
      '5',
      '--reason',
      'typo',
      '--approver',
      'cfo@vendor.example',
      '--set',
      'amount.amountMinor=-5',
    );

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/amount\.amountMinor/);
    expect(await readChain(store, '9001')).toHaveLength(6);
  });

  it('names a --known-at before the first entry of a deal as too early, not the deal id as wrong', async () => {
    const early = await dealreg(
      'ledger',
      'show',
      '--opportunity',
      '9001',
      '--known-at',
      '2001-01-01T00:00:00Z',
    );
    const unknown = await dealreg('ledger', 'show', '--opportunity', '9999999', '--no-hubspot');

    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(
      /the ledger had no entries for opportunity 9001 by 2001-01-01T00:00:00\.000Z \(--known-at\): its first was recorded at \S+; give a later --known-at/,
    );
    expect(early.stderr).not.toContain('check the HubSpot deal id');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'the ledger has no entries for opportunity 9999999; check the HubSpot deal id',
    );
  });

  it('names what is wrong with a --quarter, without blaming the fiscal year start', async () => {
    const result = await dealreg('ledger', 'report', '--quarter', '2026-Q0');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--quarter 2026-Q0: "2026-Q0" is not a quarter such as 2026-Q4');
    expect(result.stderr).not.toContain('fiscal year');
  });

  it('names an opportunity neither the ledger nor a digest knows, rather than calling it intact', async () => {
    const result = await dealreg('ledger', 'verify', '--opportunity', '9999999');

    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('intact');
    expect(result.stderr).toContain(
      'the ledger has no entries for opportunity 9999999 and no digest names it; check the HubSpot deal id',
    );
  });

  it('exits non-zero naming the altered entry when an item was changed in the table', async () => {
    await tables.client.send(
      new UpdateItemCommand({
        TableName: tables.tableName('Ledger'),
        Key: marshall({ opportunityId: '9001', sequence: 3 }),
        UpdateExpression: 'SET dealName = :name',
        ExpressionAttributeValues: marshall({ ':name': 'Bigger deal' }),
      }),
    );

    const result = await dealreg('ledger', 'verify', '--opportunity', '9001');

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN 9001 #3 \(hash-mismatch\)/);
  });
  it('exports canonical JSON lines that verify offline against the digests, naming the same break', async () => {
    const file = join(dataDir, 'ledger.jsonl');

    const exported = await dealreg('ledger', 'export', '--out', file);
    const again = await dealreg('ledger', 'export', '--out', file);
    const verified = await dealreg('ledger', 'verify', '--file', file);
    const inWorkers = await dealreg('ledger', 'verify', '--file', file, '--workers', '2');

    expect(exported.stdout).toMatch(/exported 6 entries/);
    expect(again.code).not.toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(6);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/: 6 entries in 1 chain; \d entries? covered by 1 signed digest; /);
    expect(verified.stdout).toMatch(/BROKEN 9001 #3 \(hash-mismatch\)/);
    expect(inWorkers).toEqual(verified);
  });

  it('names an export file it cannot read and a worker count that is not a whole number', async () => {
    const missing = await dealreg('ledger', 'verify', '--file', join(dataDir, 'no-such-export.jsonl'));
    const badWorkers = await dealreg(
      'ledger',
      'verify',
      '--file',
      join(dataDir, 'x.jsonl'),
      '--workers',
      '0',
    );

    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /cannot use .*no-such-export\.jsonl: it does not exist; name a file written by/,
    );
    expect(badWorkers.code).toBe(2);
    expect(badWorkers.stderr).toMatch(/--workers must be a whole number/);
  });

  it('refuses an empty file as the export to verify instead of calling it intact', async () => {
    // An export cut short before its first line, or the wrong file: nothing in it to prove anything.
    const file = join(dataDir, 'empty-export.jsonl');
    writeFileSync(file, '\n');

    const empty = await dealreg('ledger', 'verify', '--file', file);

    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      `${file} holds no ledger entries, so there is nothing in it to verify (an export of a ledger that had none yet, a file cut short before its first line, or not an export); name a file written by \`dealreg ledger export --out FILE\``,
    );
    expect(empty.stdout).not.toContain('intact');
  });

  it('names a directory given as the export to verify, and an export into a directory that does not exist', async () => {
    const directory = await dealreg('ledger', 'verify', '--file', dataDir);
    const nowhere = join(dataDir, 'no-such-directory', 'ledger.jsonl');
    const exported = await dealreg('ledger', 'export', '--out', nowhere);

    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/cannot use .*: it is a directory; name a file written by/);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain(
      `cannot use ${nowhere}: its directory ${join(dataDir, 'no-such-directory')} does not exist; create it or choose another --out`,
    );
  });

  it('prints the same report bytes as of a moment after later entries and a correction', async () => {
    const asOf = ['--as-of', '2026-08-20T00:00:00Z', '--known-at', new Date().toISOString()];
    const before = await dealreg('ledger', 'report', ...asOf);

    await appendEntry(
      { store, ledgerKey },
      {
        type: 'StageChanged',
        opportunityId: '9001',
        effectiveAt: '2026-08-01T00:00:00Z',
        recordedBy: 'crm-events',
        stage: 'closedwon',
      },
    );
    await dealreg(
      'ledger',
      'correct',
      '--opportunity',
      '9001',
      '--sequence',
      '1',
      '--reason',
      'registered under another campaign',
      '--approver',
      'vp-sales@vendor.example',
      '--set',
      'campaignId=campaign-9',
    );
    for (const input of opportunityStory('9002', 2)) await appendEntry({ store, ledgerKey }, input);
    const after = await dealreg('ledger', 'report', ...asOf);
    const knownNow = await dealreg('ledger', 'report', '--as-of', '2026-08-20T00:00:00Z');

    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).opportunities).toHaveLength(1);
    expect(after.stdout).toBe(before.stdout);
    expect(knownNow.stdout).not.toBe(before.stdout);
    expect(JSON.parse(knownNow.stdout).opportunities).toHaveLength(2);
  });
});

describe('dealreg investments import', () => {
  const header = 'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt';

  it('names a directory given as the investments file: exit 2, in words', async () => {
    const result = await dealreg('investments', 'import', dataDir);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `cannot read ${dataDir}: it is a directory; name the investments CSV file to import`,
    );
  });

  it('imports nothing from a file with one bad line and names its line and column', async () => {
    const file = join(dataDir, 'bad.csv');
    writeFileSync(
      file,
      [
        header,
        'inv-1,MDF,camp-a,partner-1,25000.00,USD,1,2026-07-01',
        'inv-2,events,camp-a,partner-1,12.345,USD,1,2026-07-02',
        'inv-3,SPIFF,camp-b,,500,EUR,1.08,2026-07-03',
      ].join('\n'),
    );

    const result = await dealreg('investments', 'import', file);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/line 3, column amount: .*more than 2 decimals/);
    expect(await store.readChainRaw('campaign:camp-a')).toEqual([]);
    expect(await store.readChainRaw('campaign:camp-b')).toEqual([]);
  });

  it('refuses an investment type the policy does not list: exit 2, the type named, nothing written', async () => {
    const file = join(dataDir, 'unknown-type.csv');
    writeFileSync(
      file,
      [
        header,
        'inv-7,MDF,camp-t,partner-1,100,USD,1,2026-07-01',
        'inv-8,Sponsorship,camp-t,partner-1,100,USD,1,2026-07-01',
      ].join('\n'),
    );

    const result = await dealreg('investments', 'import', file);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /line 3, column investmentType: "Sponsorship" is not an investment type of the policy/,
    );
    expect(await store.readChainRaw('campaign:camp-t')).toEqual([]);
  });

  it('refuses a file that gives an investment id already recorded on another campaign: exit 2, nothing written', async () => {
    const first = join(dataDir, 'recorded.csv');
    const moved = join(dataDir, 'moved.csv');
    writeFileSync(first, [header, 'inv-dup,MDF,camp-d1,,1000,USD,1,2026-07-01'].join('\n'));
    writeFileSync(
      moved,
      [header, 'inv-new,MDF,camp-d2,,10,USD,1,2026-07-01', 'inv-dup,MDF,camp-d2,,1000,USD,1,2026-07-01'].join(
        '\n',
      ),
    );

    expect((await dealreg('investments', 'import', first)).code).toBe(0);
    const result = await dealreg('investments', 'import', moved);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'line 3, column investmentId: inv-dup is already recorded (chain campaign:camp-d1, entry 1) as a different investment: chain campaign:camp-d1 recorded, campaign:camp-d2 in the file; campaignId camp-d1 recorded, camp-d2 in the file',
    );
    expect(await store.readChainRaw('campaign:camp-d2')).toEqual([]);
  });

  it('refuses a partnerId it cannot check, with no HubSpot configured: exit 2, the line named, nothing written', async () => {
    const file = join(dataDir, 'partner-unchecked.csv');
    writeFileSync(file, [header, 'inv-p,MDF,camp-p,partner-1,100,USD,1,2026-07-01'].join('\n'));

    const result = await dealreg('investments', 'import', file);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "line 2, column partnerId: partner-1 cannot be checked against HubSpot's partner companies: no HubSpot access token",
    );
    expect(await store.readChainRaw('campaign:camp-p')).toEqual([]);
  });

  it('imports every line of a valid file once, even when run twice', async () => {
    const file = join(dataDir, 'good.csv');
    writeFileSync(
      file,
      [
        header,
        'inv-1,MDF,camp-a,,25000.00,USD,1,2026-07-01',
        'inv-3,SPIFF,camp-b,,500,EUR,1.08,2026-07-03',
      ].join('\n'),
    );

    const first = await dealreg('investments', 'import', file);
    const second = await dealreg('investments', 'import', file);

    expect(first.stdout).toMatch(/imported 2 investment/);
    // With LEDGER_TABLE set, the deployed ledger: the default policy, named.
    expect(first.stdout).toContain(
      '(policy policy/default-policy.json (the default; --policy names another))',
    );
    expect(second.stdout).toMatch(/imported 0 investment.*2 already recorded/);
    const [spiff] = await readChain(store, 'campaign:camp-b');
    expect(spiff).toMatchObject({
      type: 'InvestmentRecorded',
      amount: { amountMinor: 50000, currency: 'EUR', usdRate: '1.08', usdMinor: 54000 },
    });
  });
});
