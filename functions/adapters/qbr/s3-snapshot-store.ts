import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SNAPSHOTS_PREFIX } from '#domain/qbr/report-location.ts';
import { type QbrSnapshot, qbrSnapshotSchema } from '#domain/qbr/snapshot.ts';
import type { QbrSnapshotStore } from '#ports/qbr.ts';
import { parseSnapshot } from './file-snapshot-store.ts';

const QUARTER = /^\d{4}-Q[1-4]$/;

/**
 * Quarter snapshots as S3 objects `<prefix><quarter>.json`, written with `If-None-Match: *` so a
 * frozen quarter is written once (S3 answers 412 when the key exists).
 */
export class S3SnapshotStore implements QbrSnapshotStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(client: S3Client, bucket: string, prefix = SNAPSHOTS_PREFIX) {
    if (bucket.length === 0) throw new Error('snapshot bucket name is empty');
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  #key(quarter: string): string {
    if (!QUARTER.test(quarter)) throw new RangeError(`"${quarter}" is not a quarter such as 2026-Q3`);
    return `${this.#prefix}${quarter}.json`;
  }

  async read(quarter: string): Promise<QbrSnapshot | undefined> {
    const key = this.#key(quarter);
    try {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (result.Body === undefined) throw new Error(`snapshot ${key} has no body`);
      return parseSnapshot(await result.Body.transformToString('utf8'), `s3://${this.#bucket}/${key}`);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async write(snapshot: QbrSnapshot): Promise<boolean> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(snapshot.quarter),
          Body: JSON.stringify(qbrSnapshotSchema.parse(snapshot)),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412)
        return false;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    const quarters: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.#prefix.length) ?? '';
        if (name.endsWith('.json') && QUARTER.test(name.slice(0, -5))) quarters.push(name.slice(0, -5));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return quarters.sort();
  }
}
