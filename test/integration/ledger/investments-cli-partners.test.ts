import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../../bin/dealreg.ts');
const header = 'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt';

let tables: TestTables;
let store: DynamoDbLedgerStore;
let under: SandboxUnderTest;
let dataDir: string;
let partnerId: string;

async function dealreg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args, '--data-dir', dataDir], {
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: tables.endpoint,
        LEDGER_TABLE: tables.tableName('Ledger'),
        HUBSPOT_ACCESS_TOKEN: under.sandbox.accessToken,
        HUBSPOT_BASE_URL: under.sandbox.url,
      },
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
  under = await startSandboxUnderTest();
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-investments-cli-'));
  await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  const response = await fetch(`${under.sandbox.url}/crm/v3/objects/companies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${under.sandbox.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      properties: { name: 'Cloudwise', domain: 'cloudwise.example.com', type: 'PARTNER' },
    }),
  });
  partnerId = ((await response.json()) as { id: string }).id;
});

afterAll(async () => {
  tables?.client.destroy();
  await under?.stop();
});

describe('dealreg investments import against HubSpot', () => {
  it('refuses a zero amount, an impossible date and an unknown partner: exit 2, each named, nothing written', async () => {
    const file = join(dataDir, 'bad.csv');
    writeFileSync(
      file,
      [
        header,
        `inv-1,MDF,camp-x,${partnerId},5000,USD,1,2026-10-02`,
        `inv-2,MDF,camp-x,${partnerId},0,USD,1,2026-10-02`,
        `inv-3,MDF,camp-x,${partnerId},100,USD,1,9999-12-31`,
        'inv-4,MDF,camp-x,77777777,100,USD,1,2026-10-02',
      ].join('\n'),
    );

    const result = await dealreg('investments', 'import', file);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 3, column amount: is 0; an investment amount must be more than 0');
    expect(result.stderr).toMatch(
      /line 4, column effectiveAt: is 9999-12-31; an investment is dated from 2000-01-01 to one year after today/,
    );
    // The partner of a sound line is checked in the same run, so one run names every problem.
    expect(result.stderr).toContain('line 5, column partnerId: 77777777 is not a company in HubSpot');
    await expect(store.readChainRaw('campaign:camp-x')).resolves.toEqual([]);
    writeFileSync(
      file,
      [
        header,
        `inv-1,MDF,camp-x,${partnerId},5000,USD,1,2026-10-02`,
        'inv-4,MDF,camp-x,77777777,100,USD,1,2026-10-02',
      ].join('\n'),
    );
    const unknown = await dealreg('investments', 'import', file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('line 3, column partnerId: 77777777 is not a company in HubSpot');
    await expect(store.readChainRaw('campaign:camp-x')).resolves.toEqual([]);
  });

  it('records an investment whose partner is a HubSpot partner company', async () => {
    const file = join(dataDir, 'good.csv');
    writeFileSync(file, [header, `inv-9,MDF,camp-y,${partnerId},5000,USD,1,2026-10-02`].join('\n'));

    const result = await dealreg('investments', 'import', file);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/imported 1 investment/);
    expect(await store.readChainRaw('campaign:camp-y')).toHaveLength(1);
  });
});
