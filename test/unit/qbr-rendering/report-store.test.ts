import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FileReportStore } from '#adapters/reports/file-report-store.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { REPORT_MANIFEST, S3ReportStore } from '#adapters/reports/s3-report-store.ts';
import {
  dealBatchName,
  InvalidReportFileError,
  reportFolder,
  reportKey,
} from '#domain/qbr/report-location.ts';
import { qbrReportFiles, REPORT_HTML, REPORT_JSON } from '#rendering/qbr-report-files.ts';
import { sampleQbrReport } from './qbr-report-fixture.ts';

const key = { quarter: '2026-Q4', asOf: '2026-12-14T17:00:00.000Z' };
const s3 = mockClient(S3Client);

afterEach(() => {
  s3.reset();
});

describe('where a report is kept', () => {
  it('is a folder per quarter and moment, without colons', () => {
    expect(reportFolder(key)).toBe('2026-Q4/2026-12-14T17-00-00Z');
    expect(reportFolder({ quarter: '2026-Q4', asOf: '2026-12-14T17:00:00.250Z' })).toBe(
      '2026-Q4/2026-12-14T17-00-00.250Z',
    );
  });

  it('refuses a quarter or moment that is not one', () => {
    expect(() => reportFolder({ quarter: '../2026-Q4', asOf: key.asOf })).toThrow(InvalidReportFileError);
    expect(() => reportFolder({ quarter: '2026-Q4', asOf: 'yesterday' })).toThrow(/asOf "yesterday"/);
  });
});

describe('the report files', () => {
  it('are the JSON document, the HTML page and every CSV table', async () => {
    const report = sampleQbrReport();

    const files = await qbrReportFiles(report);

    expect(files.map((file) => file.name).slice(0, 4)).toEqual([
      REPORT_JSON,
      REPORT_HTML,
      'qbr-2026-Q4-scorecard.csv',
      'qbr-2026-Q4-funnel.csv',
    ]);
    expect(files).toHaveLength(15);
    expect(JSON.parse(String(files[0]?.content))).toEqual(report);
    expect(reportKey(report)).toEqual(key);
  });
});

describe('the file report store', () => {
  async function store(): Promise<{ store: FileReportStore; root: string }> {
    const root = await mkdtemp(join(tmpdir(), 'dealreg-reports-'));
    return { store: new FileReportStore(root), root };
  }

  it('writes the files into <quarter>/<asOf>/ and reads them back', async () => {
    const { store: reports, root } = await store();

    const where = await reports.save(key, [
      { name: 'report.json', contentType: 'application/json', content: '{"a":1}' },
      { name: 'chart.png', contentType: 'image/png', content: new Uint8Array([1, 2, 3]) },
    ]);

    expect(where).toBe(join(root, '2026-Q4', '2026-12-14T17-00-00Z'));
    expect(await readFile(join(where, 'report.json'), 'utf8')).toBe('{"a":1}');
    expect(await reports.read(key, 'chart.png')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await reports.read(key, 'missing.csv')).toBeUndefined();
    expect(await readdir(join(root, '2026-Q4'))).toEqual(['2026-12-14T17-00-00Z']);
  });

  it('replaces a run as of the same moment, leaving only the newer files', async () => {
    const { store: reports, root } = await store();
    await reports.save(key, [
      { name: 'report.json', contentType: 'application/json', content: 'first' },
      { name: 'old.csv', contentType: 'text/csv', content: 'x' },
    ]);

    await reports.save(key, [{ name: 'report.json', contentType: 'application/json', content: 'second' }]);

    expect(await readdir(join(root, '2026-Q4'))).toEqual(['2026-12-14T17-00-00Z']);
    expect(await readdir(join(root, '2026-Q4', '2026-12-14T17-00-00Z'))).toEqual(['report.json']);
  });

  it('refuses a file name that is a path and writes nothing', async () => {
    const { store: reports, root } = await store();

    const attempt = reports.save(key, [
      { name: 'report.json', contentType: 'application/json', content: '{}' },
      { name: '../escape.csv', contentType: 'text/csv', content: 'x' },
    ]);

    await expect(attempt).rejects.toThrow(/files\[1\]\.name "\.\.\/escape\.csv"/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('the S3 report store', () => {
  it('puts every file under the prefix and the manifest last', async () => {
    s3.on(PutObjectCommand).resolves({});
    const reports = new S3ReportStore(new S3Client({ region: 'eu-west-1' }), 'dealreg-reports');

    const where = await reports.save(key, [
      { name: 'report.json', contentType: 'application/json', content: '{}' },
      { name: 'report.html', contentType: 'text/html; charset=utf-8', content: '<p></p>' },
    ]);

    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(where).toBe('s3://dealreg-reports/reports/2026-Q4/2026-12-14T17-00-00Z/');
    expect(puts.map((put) => [put.Bucket, put.Key, put.ContentType])).toEqual([
      ['dealreg-reports', 'reports/2026-Q4/2026-12-14T17-00-00Z/report.json', 'application/json'],
      ['dealreg-reports', 'reports/2026-Q4/2026-12-14T17-00-00Z/report.html', 'text/html; charset=utf-8'],
      ['dealreg-reports', `reports/2026-Q4/2026-12-14T17-00-00Z/${REPORT_MANIFEST}`, 'application/json'],
    ]);
    expect(JSON.parse(String(puts[2]?.Body))).toMatchObject({
      files: [{ name: 'report.json' }, { name: 'report.html' }],
    });
  });

  it('writes no manifest when a file could not be stored', async () => {
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    const reports = new S3ReportStore(new S3Client({ region: 'eu-west-1' }), 'dealreg-reports');

    await expect(
      reports.save(key, [{ name: 'report.json', contentType: 'application/json', content: '{}' }]),
    ).rejects.toThrow('SlowDown');

    const keys = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys.some((name) => name?.endsWith(REPORT_MANIFEST))).toBe(false);
  });

  it('answers undefined for a file that is not there', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('missing'), { name: 'NoSuchKey' }));
    const reports = new S3ReportStore(new S3Client({ region: 'eu-west-1' }), 'dealreg-reports');

    expect(await reports.read(key, REPORT_JSON)).toBeUndefined();
  });
});

// The stores only call transformToString on a body.
const jsonBody = (text: string) =>
  ({ transformToString: async () => text }) as unknown as NonNullable<GetObjectCommandOutput['Body']>;

describe('the S3 run store', () => {
  const deal = {
    id: '9001',
    name: 'Globex',
    amount: 150000,
    currency: 'USD',
    pipelineId: 'default',
    stageId: 'closedwon',
    ownerId: null,
    closeDate: null,
    createdAt: null,
    registrationId: 'reg-1',
    partnerCompanyId: '77',
    partnerRelationship: 'sourced',
    properties: { deal_source: 'Partner' },
  };

  it('writes each batch under the run, named by its ids, and reads every page of batches back', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'runs/r/deal-batches/a.json' }],
      IsTruncated: true,
      NextContinuationToken: 'page-2',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 'page-2' }).resolves({
      Contents: [{ Key: 'runs/r/deal-batches/b.json' }],
      IsTruncated: false,
    });
    s3.on(GetObjectCommand, { Key: 'runs/r/deal-batches/a.json' }).resolves({
      Body: jsonBody(JSON.stringify({ deals: [deal], missing: [] })),
    });
    s3.on(GetObjectCommand, { Key: 'runs/r/deal-batches/b.json' }).resolves({
      Body: jsonBody(JSON.stringify({ deals: [], missing: ['9002'] })),
    });
    const runs = new S3QbrRunStore(new S3Client({ region: 'eu-west-1' }), 'dealreg-reports');

    await runs.writeBatch('runs/r', ['9001', '9002'], { deals: [deal], missing: ['9002'] });
    const batches = await runs.readBatches('runs/r');

    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toBe(
      `runs/r/deal-batches/${dealBatchName(['9001', '9002'])}`,
    );
    expect(batches).toEqual([
      { deals: [deal], missing: [] },
      { deals: [], missing: ['9002'] },
    ]);
  });

  it('names the object that is not a deal batch', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'runs/r/deal-batches/a.json' }],
      IsTruncated: false,
    });
    s3.on(GetObjectCommand).resolves({
      Body: jsonBody(JSON.stringify({ deals: [{ id: '1' }], missing: [] })),
    });
    const runs = new S3QbrRunStore(new S3Client({ region: 'eu-west-1' }), 'dealreg-reports');

    await expect(runs.readBatches('runs/r')).rejects.toThrow(
      /s3:\/\/dealreg-reports\/runs\/r\/deal-batches\/a\.json is not a deal batch: deals\.0\.name/,
    );
  });
});
