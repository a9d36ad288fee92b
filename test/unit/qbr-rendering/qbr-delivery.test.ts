import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { FileQbrRunStore } from '#adapters/reports/file-qbr-run-store.ts';
import { FileReportStore } from '#adapters/reports/file-report-store.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { qbrCheckMoment } from '#domain/qbr/fiscal-calendar.ts';
import { reportKey } from '#domain/qbr/report-location.ts';
import { EmailTooLargeError } from '#ports/mailer.ts';
import { qbrReportFiles } from '#rendering/qbr-report-files.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { createQbrBatchWorker } from '#use-cases/qbr-delivery/batch-worker.ts';
import { createQbrDealExport } from '#use-cases/qbr-delivery/deal-export.ts';
import { createQbrDueCheck } from '#use-cases/qbr-delivery/due-check.ts';
import { prefetchedDeals } from '#use-cases/qbr-delivery/report-builder.ts';
import { createQbrReportMailer, StoredReportMissingError } from '#use-cases/qbr-delivery/report-mailer.ts';
import { QbrStepInputError } from '#use-cases/qbr-delivery/step-input.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import { sampleQbrReport } from './qbr-report-fixture.ts';

const policy = loadPolicy({});
const { calendar, reporting } = policy.policy;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dealreg-qbr-delivery-'));
}

describe('deciding whether the pre-QBR check is due', () => {
  // The default policy: 10 business days before the quarter ends, fiscal year from January.
  const q4 = parseFiscalQuarter('2026-Q4', reporting.fiscalYearStartMonth);
  const dueAt = qbrCheckMoment(q4, reporting.qbrCheckBusinessDaysBeforeQuarterEnd, calendar);

  it('is due on the tenth business day before the quarter ends, when the daily schedule fires', async () => {
    const check = createQbrDueCheck({ policy, now: () => new Date(dueAt.getTime() + 90_000) });

    const result = await check({});

    expect(result).toMatchObject({
      due: true,
      quarter: '2026-Q4',
      asOf: new Date(dueAt.getTime() + 90_000).toISOString(),
    });
  });

  it('is not due the business day before or after', async () => {
    const dayBefore = createQbrDueCheck({ policy, now: () => new Date(dueAt.getTime() - 24 * 3_600_000) });
    const dayAfter = createQbrDueCheck({ policy, now: () => new Date(dueAt.getTime() + 24 * 3_600_000) });

    const [before, after] = await Promise.all([dayBefore({}), dayAfter({})]);

    expect(before.due).toBe(false);
    expect(before.reason).toBe(`next check of 2026-Q4 is due ${dueAt.toISOString()}`);
    expect(after.due).toBe(false);
  });

  it.each(['Australia/Sydney', 'Pacific/Honolulu'])(
    'is due on the check day and only then in a calendar zone far from UTC (%s)',
    async (timeZone) => {
      const zoned = loadPolicy({ calendar: { timeZone } });
      const checkAt = qbrCheckMoment(
        q4,
        reporting.qbrCheckBusinessDaysBeforeQuarterEnd,
        zoned.policy.calendar,
      );
      const at = (offsetHours: number) =>
        createQbrDueCheck({
          policy: zoned,
          now: () => new Date(checkAt.getTime() + offsetHours * 3_600_000),
        })({});

      const [onTime, lateSameDay, dayBefore, dayAfter] = await Promise.all([at(0), at(6), at(-24), at(24)]);

      expect([onTime.due, lateSameDay.due, dayBefore.due, dayAfter.due]).toEqual([true, true, false, false]);
      expect(onTime.quarter).toBe('2026-Q4');
    },
  );

  it('names the quarter of the calendar’s zone on a day the check is not due', async () => {
    // 21:00 on Thursday 31 Dec 2026 in New York is 2027-01-01T02:00Z: still Q4 2026 there.
    const check = createQbrDueCheck({ policy, now: () => new Date('2027-01-01T02:00:00Z') });

    const result = await check({});

    expect(result).toMatchObject({ due: false, quarter: '2026-Q4' });
  });

  it('decides for the day the schedule fired for, not the day a late or retried start runs', async () => {
    // The start due on the check day reaches the function after local midnight (the schedule
    // retries a failed start for hours; Step Functions retries a throttled step).
    const nextDay = new Date(dueAt.getTime() + 16 * 3_600_000);
    const late = createQbrDueCheck({ policy, now: () => nextDay });

    const result = await late({ trigger: 'schedule', scheduledTime: dueAt.toISOString() });

    expect(result).toMatchObject({ due: true, quarter: '2026-Q4', asOf: nextDay.toISOString() });
  });

  it('does not report again when the previous day’s start arrives late on the check day', async () => {
    const onCheckDay = createQbrDueCheck({ policy, now: () => new Date(dueAt.getTime() + 3_600_000) });

    const result = await onCheckDay({
      trigger: 'schedule',
      scheduledTime: new Date(dueAt.getTime() - 24 * 3_600_000).toISOString(),
    });

    expect(result.due).toBe(false);
  });

  it('refuses a scheduled time that is not a moment, naming it', async () => {
    const check = createQbrDueCheck({ policy, now: () => new Date() });

    await expect(check({ scheduledTime: '<aws.scheduler.scheduled-time>' })).rejects.toThrow(
      /scheduledTime: expected an ISO-8601 moment/,
    );
  });

  it('is always due when someone asks for a quarter', async () => {
    const check = createQbrDueCheck({ policy, now: () => new Date('2026-11-24T12:00:00Z') });

    const result = await check({ quarter: '2026-Q3', asOf: '2026-10-01T00:00:00Z' });

    expect(result).toEqual({
      due: true,
      quarter: '2026-Q3',
      asOf: '2026-10-01T00:00:00.000Z',
      reason: 'requested on demand',
    });
  });

  it('refuses an on-demand moment still to come, which would freeze an open quarter as closed', async () => {
    const check = createQbrDueCheck({ policy, now: () => new Date('2026-12-07T12:00:00Z') });

    const attempt = check({ quarter: '2026-Q4', asOf: '2027-01-15T00:00:00Z' });

    await expect(attempt).rejects.toBeInstanceOf(QbrStepInputError);
    await expect(attempt).rejects.toThrow(
      'asOf: 2027-01-15T00:00:00.000Z is after now (2026-12-07T12:00:00.000Z); a report can only be as of a moment that has passed',
    );
  });

  it('refuses a quarter that is not one, naming it', async () => {
    const check = createQbrDueCheck({ policy, now: () => new Date() });

    await expect(check({ quarter: '2026-Q5' })).rejects.toThrow(
      /quarter: expected a quarter such as 2026-Q4/,
    );
  });
});

describe('exporting the deal ids to read', () => {
  it('writes the opportunities of the ledger, not its campaign chains, as one sorted JSON array', async () => {
    const runs = new FileQbrRunStore(await tempDir());
    const ledger = { listChainIds: async () => ['9002', 'campaign:cmp-1', '9001'] };
    const exportIds = createQbrDealExport({ ledger, runs });

    const result = await exportIds({ quarter: '2026-Q4', asOf: '2026-12-14T17:00:00Z' });

    expect(result).toEqual({
      quarter: '2026-Q4',
      asOf: '2026-12-14T17:00:00Z',
      run: 'runs/2026-Q4/2026-12-14T17-00-00Z',
      key: 'runs/2026-Q4/2026-12-14T17-00-00Z/deal-ids.json',
      dealCount: 2,
    });
  });
});

describe('the batch worker (a Distributed Map iteration, run as a plain function)', () => {
  let hubspot: SandboxUnderTest;
  const ids: string[] = [];

  beforeAll(async () => {
    hubspot = await startSandboxUnderTest();
    for (const [name, amount] of [
      ['Globex data platform', '150000'],
      ['Initech renewal', '42000.5'],
    ] as const) {
      const deal = await hubspot.connection.client.crm.deals.basicApi.create({
        properties: { dealname: name, amount, hs_analytics_source: 'PARTNER' },
        associations: [],
      });
      ids.push(deal.id);
    }
  });

  afterAll(async () => {
    await hubspot?.stop();
  });

  it('reads one batch from HubSpot and stores it for the report step, unknown ids as missing', async () => {
    const runs = new FileQbrRunStore(await tempDir());
    const worker = createQbrBatchWorker({ deals: hubspot.adapter, runs, croProperty: 'hs_analytics_source' });
    const run = 'runs/2026-Q4/2026-12-14T17-00-00Z';

    const result = await worker({ Items: [...ids, '99999999'], BatchInput: { run } });
    const answer = await prefetchedDeals(await runs.readBatches(run)).batchReadDeals([
      ids[1] ?? '',
      '99999999',
    ]);

    expect(result).toMatchObject({ deals: 2, missing: 1 });
    expect(answer.missing).toEqual(['99999999']);
    expect(answer.deals).toHaveLength(1);
    expect(answer.deals[0]).toMatchObject({ id: ids[1], name: 'Initech renewal', amount: 42000.5 });
    expect(answer.deals[0]?.properties.hs_analytics_source).toBe('PARTNER');
  });

  it('stores a retried batch once', async () => {
    const runs = new FileQbrRunStore(await tempDir());
    const worker = createQbrBatchWorker({ deals: hubspot.adapter, runs, croProperty: 'hs_analytics_source' });
    const input = { Items: ids, BatchInput: { run: 'runs/2026-Q4/x' } };

    await worker(input);
    await worker(input);

    expect(await runs.readBatches('runs/2026-Q4/x')).toHaveLength(1);
  });

  it('refuses a batch larger than one HubSpot batch read', async () => {
    const worker = createQbrBatchWorker({
      deals: hubspot.adapter,
      runs: new FileQbrRunStore(await tempDir()),
      croProperty: 'hs_analytics_source',
    });
    const items = Array.from({ length: 101 }, (_, index) => String(index + 1));

    const attempt = worker({ Items: items, BatchInput: { run: 'runs/2026-Q4/x' } });

    await expect(attempt).rejects.toBeInstanceOf(QbrStepInputError);
    await expect(attempt).rejects.toThrow(/Items: a batch holds at most 100 deal ids/);
  });

  it("keeps the deals' labelled partner associations for the report step", async () => {
    await setupHubSpotPortal(hubspot.admin, { dryRun: false });
    const partner = await hubspot.connection.client.crm.companies.basicApi.create({
      properties: { name: 'Stark Partners', domain: 'stark-partners.example', type: 'PARTNER' },
      associations: [],
    });
    const [labelled = '', unlabelled = ''] = ids;
    await hubspot.adapter.associatePartner(partner.id, labelled, 'influenced');
    const runs = new FileQbrRunStore(await tempDir());
    const worker = createQbrBatchWorker({ deals: hubspot.adapter, runs, croProperty: 'hs_analytics_source' });
    const run = 'runs/2026-Q4/2026-12-14T17-00-00Z';

    await worker({ Items: ids, BatchInput: { run } });
    const stored = prefetchedDeals(await runs.readBatches(run));

    expect(await stored.partnerAssociationsOfDeals?.([labelled, unlabelled])).toEqual(
      new Map([
        [labelled, [{ companyId: partner.id, relationship: 'influenced', label: 'Influenced partner' }]],
      ]),
    );
  });
});

describe('emailing the stored report to leadership', () => {
  it('sends the stored report to every leadership address of the policy', async () => {
    const report = sampleQbrReport();
    const reports = new FileReportStore(await tempDir());
    await reports.save(reportKey(report), await qbrReportFiles(report));
    const mailbox = new LocalMailbox({ directory: await tempDir(), from: 'Dealreg <deals@vendor.example>' });
    const mail = createQbrReportMailer({
      reports,
      mailer: mailbox,
      leadership: ['cro@vendor.example', 'ceo@vendor.example'],
    });

    const result = await mail({ quarter: report.quarter, asOf: report.asOf });

    const [sent] = await mailbox.list();
    expect(result).toMatchObject({ quarter: '2026-Q4', recipients: 2 });
    expect(sent?.to).toEqual(['cro@vendor.example', 'ceo@vendor.example']);
    expect(sent?.subject).toMatch(/^Pre-QBR check 2026-Q4: /);
  });

  it('sends the report without its files, saying where they are, when with them it is over SES’s 40 MB', async () => {
    // 2,000 findings of 10 kB each: about 20 MB in the findings CSV and as much again in the JSON
    // document, well over 40 MB once base64-encoded in the message.
    const sample = sampleQbrReport();
    const [first] = sample.findings;
    if (first === undefined) throw new Error('the sample report has findings');
    const findings = Array.from({ length: 2_000 }, (_, index) => ({
      ...first,
      severity: 'low' as const,
      opportunityId: String(100_000 + index),
      detail: `Finding ${index}: ${'the ledger and HubSpot disagree. '.repeat(300)}`,
    }));
    const report = sampleQbrReport({
      findings,
      scorecard: { ...sample.scorecard, findings: { critical: 0, high: 0, medium: 0, low: findings.length } },
    });
    const [reportsDir, mailDir] = [await tempDir(), await tempDir()];
    onTestFinished(async () => {
      await Promise.all([reportsDir, mailDir].map((dir) => rm(dir, { recursive: true, force: true })));
    });
    const reports = new FileReportStore(reportsDir);
    await reports.save(reportKey(report), await qbrReportFiles(report));
    const mailbox = new LocalMailbox({ directory: mailDir, from: 'Dealreg <deals@vendor.example>' });
    const mail = createQbrReportMailer({ reports, mailer: mailbox, leadership: ['cro@vendor.example'] });

    const result = await mail({ quarter: report.quarter, asOf: report.asOf });

    const sent = await mailbox.list();
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ filesAttached: false, recipients: 1 });
    expect(sent[0]?.attachments.map((file) => file.contentType)).not.toContain('application/json');
    expect(sent[0]?.attachments.some((file) => file.filename.endsWith('.csv'))).toBe(false);
    const folder = reports.folderOf(reportKey(report));
    expect(sent[0]?.text).toMatch(
      /The CSV files and the JSON document \(qbr-2026-Q4-scorecard\.csv, .*qbr-2026-Q4\.json\) are not attached: with them this email would be \d+(\.\d)? MB, over the 40 MB a message may have/,
    );
    expect(sent[0]?.text).toContain(`they are stored with the report in ${folder}.`);
    expect(sent[0]?.text).toContain('qbr-2026-Q4-findings.csv and qbr-2026-Q4.json, not attached');
    expect(sent[0]?.html).toContain(`they are stored with the report in ${folder}.`);
  }, 60_000);

  it('refuses a message over SES’s 40 MB before handing it over, as SES would', async () => {
    const mailbox = new LocalMailbox({ directory: await tempDir() });
    const big = {
      template: 'qbr-report',
      to: ['cro@vendor.example'],
      subject: 'Too large',
      text: 'x',
      html: '<p>x</p>',
      // 30,000,001 bytes are 40,000,004 once base64-encoded, before any header.
      attachments: [{ filename: 'big.csv', contentType: 'text/csv', content: 'a'.repeat(30_000_001) }],
    };

    const attempt = mailbox.send(big);

    await expect(attempt).rejects.toBeInstanceOf(EmailTooLargeError);
    await expect(attempt).rejects.toThrow(
      /The qbr-report email is 41(\.\d)? MB, over the 40 MB a message may have; it was not sent/,
    );
    expect(await mailbox.list()).toEqual([]);
  });

  it('fails, naming the report, when it was never stored', async () => {
    const mail = createQbrReportMailer({
      reports: new FileReportStore(await tempDir()),
      mailer: new LocalMailbox({ directory: await tempDir() }),
      leadership: ['cro@vendor.example'],
    });

    const attempt = mail({ quarter: '2026-Q4', asOf: '2026-12-14T17:00:00Z' });

    await expect(attempt).rejects.toBeInstanceOf(StoredReportMissingError);
    await expect(attempt).rejects.toThrow('no stored report for 2026-Q4 as of 2026-12-14T17:00:00.000Z');
  });
});
