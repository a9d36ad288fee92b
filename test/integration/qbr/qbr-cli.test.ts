import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { freezeMoney } from '#domain/money.ts';
import { qbrReportSchema } from '#domain/qbr/report.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

const usd = (dollars: number) => freezeMoney(dollars * 100, 'USD', '1');
let world: QbrWorld;
let dataDir: string;
let dealId: string;

beforeAll(async () => {
  world = await startQbrWorld();
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-cli-'));
  // What a running local stack writes: the CLI finds the tables, the sandbox and the mailbox here.
  await writeFile(
    join(dataDir, 'local.json'),
    JSON.stringify({
      dynamodb: { endpoint: world.tables.endpoint },
      tables: {
        Ledger: world.tables.tableName(ledgerTable.logicalName),
        Registrations: world.tables.tableName(registrationsTable.logicalName),
      },
      hubspot: {
        url: world.under.sandbox.url,
        accessToken: world.under.sandbox.accessToken,
        portalId: world.under.sandbox.portalId,
      },
      mailbox: join(dataDir, 'mailbox'),
    }),
  );
  // A stopped stack's clock, which the CLI takes as "now": the day after the runs' asOf.
  await writeFile(
    join(dataDir, 'stack-state.json'),
    JSON.stringify({
      version: 1,
      createdAt: '2026-10-01T00:00:00.000Z',
      clock: '2026-12-16T00:00:00.000Z',
      apiPort: 1,
    }),
  );
  const partner = await world.createPartner('Acme <script>x</script> Partners', 'acme.example');
  dealId = await world.createDeal({
    dealname: '=HYPERLINK("http://evil.example","Orion")',
    amount: '100000',
    deal_currency_code: 'USD',
    dealstage: 'closedwon',
    dealreg_registration_id: 'R1',
    deal_source: 'Direct',
  });
  // As the approval leaves it: the partner associated under its relationship's label.
  await world.under.adapter.associatePartner(partner, dealId, 'sourced');
  const customer = { domain: 'orion.example.com' };
  world.clock.now = new Date('2026-10-05T18:00:00Z');
  await world.append({
    type: 'RegistrationApproved',
    opportunityId: dealId,
    effectiveAt: '2026-10-05T18:00:00Z',
    recordedBy: 'workflow',
    registrationId: 'R1',
    partnerId: partner,
    customer,
    relationshipType: 'sourced',
    decidedBy: 'channel-manager@example.com',
  });
  await world.append({
    type: 'PartnerAttached',
    opportunityId: dealId,
    effectiveAt: '2026-10-05T18:00:00Z',
    recordedBy: 'workflow',
    partnerId: partner,
    customer,
    relationshipType: 'sourced',
    registrationId: 'R1',
  });
  await world.append({
    type: 'OpportunityCreated',
    opportunityId: dealId,
    effectiveAt: '2026-10-05T18:00:00Z',
    recordedBy: 'crm-events',
    customer,
    dealName: '=HYPERLINK("http://evil.example","Orion")',
    stage: 'appointmentscheduled',
    amount: usd(100_000),
  });
  world.clock.now = new Date('2026-11-20T15:00:00Z');
  await world.append({
    type: 'StageChanged',
    opportunityId: dealId,
    effectiveAt: '2026-11-20T15:00:00Z',
    recordedBy: 'crm-events',
    stage: 'closedwon',
  });
  await world.append({
    type: 'ClosedWon',
    opportunityId: dealId,
    effectiveAt: '2026-11-20T15:00:00Z',
    recordedBy: 'crm-events',
    amount: usd(100_000),
  });
  await world.putRegistration({
    registrationId: 'R1',
    submittedAt: '2026-10-05T13:00:00.000Z',
    status: 'received',
    details: {
      partnerDomain: 'acme.example',
      customerCountry: 'US',
      campaignId: 'C1',
      cloudMarketplace: 'aws',
    },
    progress: {
      status: 'approved',
      partnerId: partner,
      partnerName: 'Acme <script>x</script> Partners',
      dealId,
      approvedAt: '2026-10-05T18:00:00.000Z',
      updatedAt: '2026-10-05T18:00:00.000Z',
    },
  });
});

afterAll(async () => {
  await world?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const asOf = ['--quarter', '2026-Q4', '--as-of', '2026-12-15T00:00:00Z'];

describe('dealreg qbr check against a running stack', () => {
  it('prints the JSON report on stdout and the summary with progress on stderr', async () => {
    const result = await dealreg(['qbr', 'check', ...asOf, '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const report = qbrReportSchema.parse(JSON.parse(result.stdout));
    // One deal won on 11-20 for 100,000, sourced in the ledger, "Direct" for the CRO.
    expect(report.attribution).toMatchObject({
      partnerSourcedRevenue: 100_000,
      croPartnerRevenue: 0,
      difference: 100_000,
    });
    expect(report.findings.map((finding) => finding.code)).toEqual(['DEFINITION_MISMATCH']);
    expect(result.stderr).toContain(
      'Pre-QBR check 2026-Q4 (1 Oct 2026 – 31 Dec 2026) as of 2026-12-15T00:00:00.000Z',
    );
    expect(result.stderr).toContain('reading HubSpot deals');
    expect(result.stderr).toMatch(/Findings\s+0 critical · 1 high/);
  });

  it("takes a date alone as --as-of, meaning its last millisecond in the policy calendar's time zone, as the ledger commands do", async () => {
    const result = await dealreg([
      'qbr',
      'check',
      '--quarter',
      '2026-Q4',
      '--as-of',
      '2026-12-14',
      '--no-store',
      '--data-dir',
      dataDir,
    ]);

    expect(result.code).toBe(0);
    // The end of 14 December 2026 in New York (EST, UTC−5), the default policy's calendar; the
    // end of the 15th there would be after the stack's clock (00:00 UTC on the 16th).
    expect(qbrReportSchema.parse(JSON.parse(result.stdout)).asOf).toBe('2026-12-15T04:59:59.999Z');
  });

  it('runs under the policy the local stack runs, and says which policy file it used', async () => {
    const stackDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-cli-policy-'));
    try {
      // A local stack started with the demo policy (co-sell on) names it in its description.
      const description = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
      const demoPolicy = join(import.meta.dirname, '..', '..', '..', 'policy', 'demo-policy.json');
      await writeFile(
        join(stackDir, 'local.json'),
        JSON.stringify({ ...description, policyFile: demoPolicy }),
      );
      await writeFile(join(stackDir, 'stack-state.json'), await readFile(join(dataDir, 'stack-state.json')));
      const local = { LEDGER_TABLE: '' };

      const withStackPolicy = await dealreg(['qbr', 'check', ...asOf, '--data-dir', stackDir], local);
      const withDefault = await dealreg(['qbr', 'check', ...asOf, '--data-dir', dataDir], local);
      const named = await dealreg(
        ['qbr', 'check', ...asOf, '--data-dir', stackDir, '--policy', 'policy/default-policy.json'],
        local,
      );

      expect(withStackPolicy.code).toBe(0);
      expect(withStackPolicy.stderr).toContain("policy policy/demo-policy.json (the local stack's)");
      expect(withStackPolicy.stderr).not.toContain('co-sell is off');
      expect(withDefault.stderr).toContain(
        'policy policy/default-policy.json (the default; --policy names another)',
      );
      expect(withDefault.stderr).toContain('co-sell is off');
      expect(named.stderr).toContain('policy policy/default-policy.json (--policy)');
      expect(named.stderr).toContain('co-sell is off');
    } finally {
      await rm(stackDir, { recursive: true, force: true });
    }
  });

  it('writes CSV files into --out, prints the summary and mails leadership through the local mailbox', async () => {
    const out = join(dataDir, 'out-csv');
    const result = await dealreg([
      'qbr',
      'check',
      ...asOf,
      '--format',
      'csv',
      '--out',
      out,
      '--send',
      '--data-dir',
      dataDir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Attribution  sourced $100,000');
    const files = await readdir(out);
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((name) => name.endsWith('.csv'))).toBe(true);
    const all = (await Promise.all(files.map((name) => readFile(join(out, name), 'utf8')))).join('\n');
    // The deal named =HYPERLINK(…) is neutralised, never a formula.
    expect(all).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const mails = await new LocalMailbox(join(dataDir, 'mailbox')).list();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['cro@example.com']);
    // Sent on the stack's clock, as the stack's own mail is: not dated before the moment it reports.
    expect(mails[0]?.sentAt.slice(0, 10)).toBe('2026-12-16');
    expect(result.stdout).toContain('sent "');
  });

  it('keeps every run under <data-dir>/reports/<quarter>/<asOf>/, unless told not to', async () => {
    const folder = join(dataDir, 'reports', '2026-Q4', '2026-12-15T00-00-00Z');
    await rm(join(dataDir, 'reports', '2026-Q4'), { recursive: true, force: true });

    const skipped = await dealreg(['qbr', 'check', ...asOf, '--no-store', '--data-dir', dataDir]);
    const skippedFolder = await readdir(folder).catch(() => 'absent');
    const result = await dealreg(['qbr', 'check', ...asOf, '--data-dir', dataDir]);

    expect(skipped.code).toBe(0);
    expect(skippedFolder).toBe('absent');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`stored the report (JSON, HTML, CSV) in ${folder}`);
    const files = await readdir(folder);
    expect(files).toEqual(expect.arrayContaining(['report.json', 'report.html', 'qbr-2026-Q4-funnel.csv']));
    // The stored document is the one printed on stdout.
    expect(JSON.parse(await readFile(join(folder, 'report.json'), 'utf8'))).toEqual(
      JSON.parse(result.stdout),
    );
  });

  it('writes the standalone HTML page with the partner name escaped', async () => {
    const out = join(dataDir, 'out-html');
    const result = await dealreg([
      'qbr',
      'check',
      ...asOf,
      '--format',
      'html',
      '--out',
      out,
      '--data-dir',
      dataDir,
    ]);
    expect(result.code).toBe(0);
    const html = await readFile(join(out, 'qbr-2026-Q4.html'), 'utf8');
    expect(html).toContain('Acme &lt;script&gt;');
    expect(html).not.toContain('<script>x</script>');
    // A long table on the page sends the reader to its CSV file for the rest ("N more in
    // qbr-….csv"): the CSV files are written beside the page, as `--format csv` writes them.
    const written = await readdir(out);
    const csv = written.filter((name) => name.endsWith('.csv'));
    expect(csv.length).toBeGreaterThan(0);
    const named = [...new Set(html.match(/qbr-[\w-]+\.csv/g) ?? [])];
    expect(named.filter((name) => !written.includes(name))).toEqual([]);
    for (const name of csv) expect(result.stdout).toContain(`wrote ${join(out, name)}`);
  });

  it('refuses bad arguments with a clear message and exit code 2', async () => {
    const quarter = await dealreg(['qbr', 'check', '--quarter', '2026-13', '--data-dir', dataDir]);
    expect(quarter.code).toBe(2);
    expect(quarter.stderr).toContain('expected a fiscal quarter such as 2026-Q4');
    const csv = await dealreg(['qbr', 'check', ...asOf, '--format', 'csv', '--data-dir', dataDir]);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('--format csv writes several files');
    const early = await dealreg([
      'qbr',
      'check',
      '--quarter',
      '2026-Q4',
      '--as-of',
      '2026-09-01T00:00:00Z',
      '--data-dir',
      dataDir,
    ]);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('before 2026-Q4 starts');
  });

  it.each([
    [['--quarter', '2026-Q5'], "'2026-Q5' is invalid. expected a fiscal quarter such as 2026-Q4"],
    [['--quarter', '2026-Q4', '--as-of', 'yesterday'], '--as-of must be an ISO date or instant such as'],
    [['--quarter', '2026-Q4', '--format', 'pdf'], "'pdf' is invalid. Allowed choices are json, html, csv"],
    // Parent is a file: refused before anything is read.
    [
      ['--quarter', '2026-Q4', '--out', '/dev/null/reports'],
      '--out /dev/null/reports: /dev/null/reports cannot be',
    ],
    // procfs answers "no such file" for a parent that exists: a recursive mkdir would spin forever.
    [['--quarter', '2026-Q4', '--out', '/proc/reports'], '--out /proc/reports: cannot create /proc/reports'],
  ])('refuses %j, naming what is wrong, and writes nothing', async (args, message) => {
    const result = await dealreg(['qbr', 'check', ...args, '--data-dir', dataDir]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('refuses an --as-of after now, so no open quarter is frozen as if it were over', async () => {
    // "Now" is the stopped stack's clock, 2026-12-16: in 2099, 2026-Q4 would read as closed.
    const snapshots = join(dataDir, 'reports', 'snapshots');
    const before = await readdir(snapshots).catch(() => []);

    const result = await dealreg([
      'qbr',
      'check',
      '--quarter',
      '2026-Q4',
      '--as-of',
      '2099-01-01T00:00:00Z',
      '--data-dir',
      dataDir,
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /dealreg: --as-of 2099-01-01T00:00:00\.000Z is after now \(2026-12-16T00:00:00\.000Z\): a report can only be as of a moment that has passed/,
    );
    expect(result.stdout).toBe('');
    expect(await readdir(snapshots).catch(() => [])).toEqual(before);
    await expect(readdir(join(dataDir, 'reports', '2026-Q4', '2099-01-01T00-00-00Z'))).rejects.toThrow();
  });

  it('fails the run when a ledger chain is broken, with the finding in the report', async () => {
    const [first] = await world.ledger.readChainRaw(dealId);
    // Written around the ledger's append path, as someone with table access could: the hash no longer matches.
    await world.tables.documentClient.send(
      new PutCommand({
        TableName: world.tables.tableName(ledgerTable.logicalName),
        Item: { ...first, opportunityId: 'tampered-1', recordedBy: 'someone' },
      }),
    );
    const result = await dealreg(['qbr', 'check', ...asOf, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    const report = qbrReportSchema.parse(JSON.parse(result.stdout));
    expect(report.integrity.broken).toBe(1);
    expect(report.findings[0]).toMatchObject({
      code: 'LEDGER_INTEGRITY',
      severity: 'critical',
      opportunityId: 'tampered-1',
    });
  });
});
