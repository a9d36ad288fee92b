import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { freezeMoney } from '#domain/money.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../../bin/dealreg.ts');
/**
 * With LEDGER_TABLE set and no --policy, commands run under policy/default-policy.json: calendar
 * America/New_York, fiscal year starting in January. The example policy's calendar is Europe/Berlin.
 */
const berlinPolicy = join(import.meta.dirname, '../../../policy/example-policy.json');

let tables: TestTables;
let dataDir: string;

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

/** A deal created and won at one moment. */
async function wonAt(
  opportunityId: string,
  effectiveAt: string,
  store: DynamoDbLedgerStore,
  key: LocalLedgerKey,
) {
  await appendEntry(
    { store, ledgerKey: key },
    {
      type: 'OpportunityCreated',
      opportunityId,
      effectiveAt,
      recordedBy: 'crm-events',
      customer: { domain: `customer-${opportunityId}.example.com`, name: `Customer ${opportunityId}` },
      dealName: `Deal ${opportunityId}`,
      stage: 'closedwon',
      amount: freezeMoney(1_000_000, 'USD', '1'),
    },
  );
}

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  dataDir = mkdtempSync(join(tmpdir(), 'dealreg-calendar-quarter-'));
  const key = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  // 21:00 on 31 December in New York (EST, UTC−5): Q4 2026 there, though January in UTC.
  await wonAt('9101', '2027-01-01T02:00:00Z', store, key);
  // 01:00 on 1 January in New York: Q1 2027.
  await wonAt('9102', '2027-01-01T06:00:00Z', store, key);
  // 20:00 on 30 September in New York (EDT, UTC−4): Q3 2026, though October in UTC.
  await wonAt('9103', '2026-10-01T00:00:00Z', store, key);
});
afterAll(() => tables.client.destroy());

const idsOf = (stdout: string) =>
  (JSON.parse(stdout) as { opportunities: { opportunityId: string }[] }).opportunities
    .map((state) => state.opportunityId)
    .sort();

describe('dealreg ledger report --quarter', () => {
  it("cuts quarters at midnight in the policy calendar's time zone, as the pre-QBR report does", async () => {
    const now = ['--as-of', '2027-02-01T00:00:00Z', '--known-at', new Date().toISOString()];
    const q3 = await dealreg('ledger', 'report', ...now, '--quarter', '2026-Q3');
    const q4 = await dealreg('ledger', 'report', ...now, '--quarter', '2026-Q4');
    const q1 = await dealreg('ledger', 'report', ...now, '--quarter', '2027-Q1');

    expect([q3.code, q4.code, q1.code]).toEqual([0, 0, 0]);
    expect(idsOf(q3.stdout)).toEqual(['9103']);
    expect(idsOf(q4.stdout)).toEqual(['9101']);
    expect(idsOf(q1.stdout)).toEqual(['9102']);
  });

  it('takes the fiscal year start from the policy unless --fiscal-year-start names one', async () => {
    const now = ['--as-of', '2027-02-01T00:00:00Z', '--policy', berlinPolicy];
    // The example policy's fiscal year starts in February: FY2027-Q4 is November 2026 – January
    // 2027, from 23:00 UTC on 31 October to 23:00 UTC on 31 January (Berlin, CET).
    const policyYear = await dealreg('ledger', 'report', ...now, '--quarter', '2027-Q4');
    // Starting in January, 2027-Q4 is October – December 2027: nothing yet.
    const calendarYear = await dealreg(
      'ledger',
      'report',
      ...now,
      '--quarter',
      '2027-Q4',
      '--fiscal-year-start',
      '1',
    );

    expect(policyYear.code).toBe(0);
    expect(idsOf(policyYear.stdout)).toEqual(['9101', '9102']);
    expect(idsOf(calendarYear.stdout)).toEqual([]);
  });
});

describe('a date alone as --as-of', () => {
  // The end of 31 December 2026 in New York (EST, UTC−5) is 04:59:59.999 UTC on 1 January.
  const endOfYearInNewYork = '2027-01-01T04:59:59.999Z';

  it("is the end of that day in the policy calendar's time zone for ledger report, so the 21:00 win counts", async () => {
    const result = await dealreg('ledger', 'report', '--as-of', '2026-12-31');

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { asOf: string; opportunities: { opportunityId: string }[] };
    expect(report.asOf).toBe(endOfYearInNewYork);
    expect(idsOf(result.stdout)).toEqual(['9101', '9103']);
  });

  it('is read in the calendar of the policy --policy names', async () => {
    const result = await dealreg('ledger', 'report', '--as-of', '2026-12-31', '--policy', berlinPolicy);

    // The end of 31 December 2026 in Berlin (CET, UTC+1).
    expect(JSON.parse(result.stdout).asOf).toBe('2026-12-31T22:59:59.999Z');
  });

  it('keeps an instant with an offset as given', async () => {
    const result = await dealreg('ledger', 'report', '--as-of', '2026-12-31T23:59:59.999Z');

    expect(JSON.parse(result.stdout).asOf).toBe('2026-12-31T23:59:59.999Z');
  });

  it('means the same moment for ledger show, partners list, cosell status and qbr check', async () => {
    const asOf = ['--as-of', '2026-12-31'];
    const show = await dealreg(
      'ledger',
      'show',
      '--opportunity',
      '9101',
      '--format',
      'json',
      '--no-hubspot',
      ...asOf,
    );
    const partners = await dealreg('partners', 'list', '--format', 'json', '--no-hubspot', ...asOf);
    const coSell = await dealreg('cosell', 'status', '--json', ...asOf);
    // A moment still to come is refused, naming it: the end of 31 December 2099 in New York (EST).
    const qbr = await dealreg(
      'qbr',
      'check',
      '--quarter',
      '2099-Q4',
      '--no-hubspot',
      '--as-of',
      '2099-12-31',
    );

    expect(JSON.parse(show.stdout).asOf).toBe(endOfYearInNewYork);
    expect(JSON.parse(partners.stdout).asOf).toBe(endOfYearInNewYork);
    expect(JSON.parse(coSell.stdout).asOf).toBe(endOfYearInNewYork);
    expect(qbr.code).toBe(2);
    expect(qbr.stderr).toContain('--as-of 2100-01-01T04:59:59.999Z is after now');
  });

  it("is the end of that day in the policy calendar's time zone for ledger correct --effective-at", async () => {
    const result = await dealreg(
      'ledger',
      'correct',
      '--opportunity',
      '9102',
      '--sequence',
      '1',
      '--reason',
      'the deal was renamed',
      '--approver',
      'vp-sales@vendor.example',
      '--set',
      'dealName=Deal 9102 renewed',
      '--effective-at',
      '2026-12-31',
    );
    const shown = await dealreg(
      'ledger',
      'show',
      '--opportunity',
      '9102',
      '--format',
      'json',
      '--no-hubspot',
    );

    expect(result.code, result.stderr).toBe(0);
    const entries = (JSON.parse(shown.stdout) as { entries: { type: string; effectiveAt: string }[] })
      .entries;
    expect(entries.find((entry) => entry.type === 'Correction')?.effectiveAt).toBe(endOfYearInNewYork);
  });

  it('names a date that does not exist', async () => {
    const result = await dealreg('ledger', 'report', '--as-of', '2026-02-30');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--as-of must be an ISO date or instant such as 2026-09-30T23:59:59Z, got "2026-02-30"',
    );
  });

  it("says so in each command's --help", async () => {
    for (const command of [
      ['ledger', 'report'],
      ['ledger', 'show'],
      ['partners', 'list'],
      ['cosell', 'status'],
      ['qbr', 'check'],
    ]) {
      const help = await dealreg(...command, '--help');
      expect(help.stdout.replace(/\s+/g, ' '), command.join(' ')).toContain(
        "a date alone (2026-12-31) means the end of that day in the policy calendar's time zone",
      );
    }
  });
});
