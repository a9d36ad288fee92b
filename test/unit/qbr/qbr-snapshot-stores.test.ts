import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { S3SnapshotStore } from '#adapters/qbr/s3-snapshot-store.ts';
import type { QbrSnapshot } from '#domain/qbr/snapshot.ts';
import { InvalidSnapshotError } from '#ports/qbr.ts';

const snapshot: QbrSnapshot = {
  quarter: '2026-Q3',
  frozenAt: '2026-10-05T00:00:00.000Z',
  policyVersion: 'pv-123456789abc',
  figures: {
    closedWon: 1,
    closedWonUsdMinor: 6_000_000,
    partnerSourcedUsdMinor: 6_000_000,
    partnerInfluencedUsdMinor: 0,
    investedUsdMinorByType: { mdf: 100_000 },
    opportunities: { '9001': { usdMinor: 6_000_000, attribution: 'sourced' } },
  },
};

describe('file snapshot store', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dealreg-snapshots-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('writes a quarter once and reads it back', async () => {
    const store = new FileSnapshotStore(join(directory, 'snapshots'));
    expect(await store.read('2026-Q3')).toBeUndefined();
    expect(await store.write(snapshot)).toBe(true);
    expect(await store.write({ ...snapshot, frozenAt: '2026-11-01T00:00:00.000Z' })).toBe(false);
    expect(await store.read('2026-Q3')).toEqual(snapshot);
    expect(await store.list()).toEqual(['2026-Q3']);
  });

  it('names a stored file that is not a snapshot', async () => {
    await writeFile(join(directory, '2026-Q2.json'), '{"quarter":"2026-Q2"}');
    await expect(new FileSnapshotStore(directory).read('2026-Q2')).rejects.toThrow(InvalidSnapshotError);
    await expect(new FileSnapshotStore(directory).read('Q2')).rejects.toThrow(/not a quarter/);
  });
});

describe('S3 snapshot store', () => {
  const s3 = mockClient(S3Client);
  const store = new S3SnapshotStore(new S3Client({ region: 'eu-west-1' }), 'reports-bucket');
  beforeEach(() => s3.reset());

  it('puts a snapshot with If-None-Match so a frozen quarter is written once', async () => {
    s3.on(PutObjectCommand)
      .resolvesOnce({})
      .rejects(
        new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
          message: 'pre-condition failed',
        }),
      );
    expect(await store.write(snapshot)).toBe(true);
    expect(await store.write(snapshot)).toBe(false);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'reports-bucket',
      Key: 'reports/snapshots/2026-Q3.json',
      IfNoneMatch: '*',
    });
  });

  it('reads a snapshot back, and nothing for a quarter never frozen', async () => {
    const body = {
      transformToString: async () => JSON.stringify(snapshot),
    } as unknown as NonNullable<GetObjectCommandOutput['Body']>;
    s3.on(GetObjectCommand, { Key: 'reports/snapshots/2026-Q3.json' }).resolves({ Body: body });
    s3.on(GetObjectCommand, { Key: 'reports/snapshots/2026-Q2.json' }).rejects(
      new NoSuchKey({ message: 'no such key', $metadata: {} }),
    );
    expect(await store.read('2026-Q3')).toEqual(snapshot);
    expect(await store.read('2026-Q2')).toBeUndefined();
  });

  it('lists the frozen quarters across pages', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'reports/snapshots/2026-Q3.json' }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({
        Contents: [{ Key: 'reports/snapshots/2026-Q1.json' }, { Key: 'reports/snapshots/notes.txt' }],
      });
    expect(await store.list()).toEqual(['2026-Q1', '2026-Q3']);
  });
});
