import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { freezeMoney } from '#domain/money.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { VirtualClock } from '#local/clock.ts';
import { clockRoutes } from '#local/workflow-runner/index.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';

// The CLI against a local stack as `dealreg local` describes it in local.json: DynamoDB Local, the
// HubSpot sandbox and the local API with the virtual clock's route.
let tables: TestTables;
let sandbox: SandboxUnderTest;
let api: RunningApiServer;
let dataDir: string;
const clock = new VirtualClock('2026-11-02T00:00:00Z');
/** Milliseconds from the clock's move to 2030-01-01 to a time a command reported. */
const sinceMove = (iso: string) => Date.parse(iso) - Date.parse('2030-01-01T00:00:00Z');
/** The environment of a user of the local stack: no deployed tables, no HubSpot token. */
const localUser = {
  LEDGER_TABLE: '',
  REGISTRATIONS_TABLE: '',
  DYNAMODB_ENDPOINT: '',
  HUBSPOT_ACCESS_TOKEN: '',
};

const partner = { id: '20000101', name: 'Cloudwise Partners', domain: 'cloudwise.io' };
const listedOnly = { id: '20000102', name: 'Skyline Systems', domain: 'skyline.dev' };
const customer = { domain: 'initrode.com', name: 'Initrode' };

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  sandbox = await startSandboxUnderTest({
    seed: {
      companies: [
        { id: partner.id, properties: { name: partner.name, domain: partner.domain, type: 'PARTNER' } },
        {
          id: listedOnly.id,
          properties: { name: listedOnly.name, domain: listedOnly.domain, type: 'PARTNER' },
        },
        { id: '20000111', properties: { name: customer.name, domain: customer.domain, type: 'PROSPECT' } },
      ],
    },
  });
  api = await startApiServer({ routes: [], localRoutes: clockRoutes(clock) });
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-ledger-local-'));
  await writeFile(
    join(dataDir, 'local.json'),
    JSON.stringify({
      api: api.url,
      dynamodb: { endpoint: tables.endpoint },
      tables: tables.names,
      hubspot: {
        url: sandbox.sandbox.url,
        accessToken: sandbox.sandbox.accessToken,
        portalId: sandbox.sandbox.portalId,
      },
    }),
  );
  const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  // Recorded on the virtual clock, as the local stack's workflow records them: in the real past
  // or future, whichever the clock was moved to.
  const recorded = { store, ledgerKey, now: () => clock.now() };
  const common = {
    opportunityId: '40000101',
    effectiveAt: '2026-11-02T00:18:58Z',
    recordedBy: 'registration-workflow',
  };
  const entries: LedgerEntryInput[] = [
    { type: 'OpportunityCreated', ...common, customer, dealName: 'Initrode — Cloudwise Partners' },
    {
      type: 'RegistrationApproved',
      ...common,
      registrationId: 'DR-1',
      partnerId: partner.id,
      customer,
      relationshipType: 'sourced',
      estimatedAmount: freezeMoney(1_200_000, 'USD', '1'),
      decidedBy: 'auto',
    },
    {
      type: 'PartnerAttached',
      ...common,
      partnerId: partner.id,
      customer,
      relationshipType: 'sourced',
      registrationId: 'DR-1',
    },
    // HubSpot reports the same association afterwards: the ledger keeps one.
    {
      type: 'PartnerAttached',
      ...common,
      recordedBy: 'crm-events',
      partnerId: partner.id,
      customer,
      relationshipType: 'sourced',
    },
    {
      type: 'AmountChanged',
      ...common,
      effectiveAt: '2026-11-03T00:00:00Z',
      amount: freezeMoney(120_000, 'EUR', '1.08'),
    },
  ];
  await clock.setTo('2030-01-01T00:00:00Z');
  for (const entry of entries) await appendEntry(recorded, entry);
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await sandbox?.stop();
  tables?.client.destroy();
});

describe('the CLI against the local stack', () => {
  it('shows an opportunity as of the virtual clock, with amounts as people read them and partners by name', async () => {
    const result = await dealreg(
      ['ledger', 'show', '--opportunity', '40000101', '--data-dir', dataDir],
      localUser,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Cloudwise Partners (20000101) sourced (DR-1)');
    expect(result.stdout).toContain('est. $12,000.00');
    expect(result.stdout).toContain('€1,200.00 ($1,296.00 at 1.08)');
    expect(result.stdout).toContain(
      'Cloudwise Partners (20000101) sourced (registration DR-1) since 2026-11-02T00:18:58.000Z\n',
    );
    expect(result.stdout.match(/PartnerAttached/g)).toHaveLength(1);
  });

  it('takes "now" from the virtual clock: entries recorded in the real future count', async () => {
    const shown = await dealreg(
      ['ledger', 'show', '--opportunity', '40000101', '--format', 'json', '--data-dir', dataDir],
      localUser,
    );
    const json = JSON.parse(shown.stdout) as { asOf: string; knownAt: string; entries: unknown[] };

    // The clock's ticking reading: its last move (2030-01-01) plus the real time since.
    expect(sinceMove(json.asOf)).toBeGreaterThanOrEqual(0);
    expect(sinceMove(json.asOf)).toBeLessThan(10 * 60_000);
    expect(json.knownAt).toBe(json.asOf);
    expect(json.entries).toHaveLength(4);
  });

  it('lists the partners of the ledger and of HubSpot, by name, as JSON and CSV', async () => {
    const out = join(dataDir, 'partners.csv');

    const json = await dealreg(['partners', 'list', '--format', 'json', '--data-dir', dataDir], localUser);
    const csv = await dealreg(
      ['partners', 'list', '--format', 'csv', '--out', out, '--data-dir', dataDir],
      localUser,
    );

    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { asOf: string };
    expect(sinceMove(listed.asOf)).toBeGreaterThanOrEqual(0);
    expect(sinceMove(listed.asOf)).toBeLessThan(10 * 60_000);
    expect(listed).toEqual({
      asOf: listed.asOf,
      partners: [
        {
          partnerId: partner.id,
          name: partner.name,
          domain: partner.domain,
          registrationsApproved: 1,
          activeAttributions: 1,
          inLedger: true,
          inCrm: true,
        },
        {
          partnerId: listedOnly.id,
          name: listedOnly.name,
          domain: listedOnly.domain,
          registrationsApproved: 0,
          activeAttributions: 0,
          inLedger: false,
          inCrm: true,
        },
      ],
    });
    expect(csv.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(
      'partnerId,name,domain,registrationsApproved,activeAttributions,inLedger,inHubSpot\r\n' +
        '20000101,Cloudwise Partners,cloudwise.io,1,1,true,true\r\n' +
        '20000102,Skyline Systems,skyline.dev,0,0,false,true\r\n',
    );
  });

  it('refuses an --out file that exists before reading anything, and leaves it as it was', async () => {
    const out = join(dataDir, 'kept.csv');
    await writeFile(out, 'kept\n');

    const result = await dealreg(
      ['partners', 'list', '--format', 'csv', '--out', out, '--data-dir', dataDir],
      localUser,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `dealreg: cannot write ${out}: it already exists; name a new file with --out\n`,
    );
    expect(await readFile(out, 'utf8')).toBe('kept\n');
  });

  it('says the local stack does not answer, naming the fix, when local.json outlived it (exit 3)', async () => {
    const stale = await mkdtemp(join(tmpdir(), 'dealreg-stale-'));
    await writeFile(
      join(stale, 'local.json'),
      JSON.stringify({
        api: 'http://127.0.0.1:9',
        dynamodb: { endpoint: tables.endpoint },
        tables: tables.names,
      }),
    );

    const result = await dealreg(
      ['ledger', 'show', '--opportunity', '40000101', '--data-dir', stale],
      localUser,
    );

    expect(result.stderr).toBe(
      `dealreg: the local stack at http://127.0.0.1:9 does not answer; start it again (npx dealreg local --data-dir ${stale}), or remove ${join(stale, 'local.json')} if it is no longer running\n`,
    );
    expect(result.code).toBe(3);
  });
});
