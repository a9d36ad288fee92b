import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dealBatchName } from '#domain/qbr/report-location.ts';
import type { DealBatch, QbrRunStore } from '#ports/qbr-run-store.ts';
import { parseDealBatch } from './deal-batch.ts';

/**
 * A run's working files in the reports bucket: the deal ids the Distributed Map reads
 * (`<run>/deal-ids.json`) and one object per batch of deals (`<run>/deal-batches/…`). The bucket's
 * lifecycle rule expires `runs/` after a few days.
 */
export class S3QbrRunStore implements QbrRunStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    if (bucket.trim() === '') throw new Error('the reports bucket name is empty');
    this.#client = client;
    this.#bucket = bucket;
  }

  /** The bucket the run's files are in (the Distributed Map reads the ids from it). */
  get bucket(): string {
    return this.#bucket;
  }

  async writeDealIds(run: string, ids: readonly string[]): Promise<string> {
    const key = `${run}/deal-ids.json`;
    await this.#put(key, JSON.stringify(ids));
    return key;
  }

  async writeBatch(run: string, ids: readonly string[], batch: DealBatch): Promise<void> {
    await this.#put(`${run}/deal-batches/${dealBatchName(ids)}`, JSON.stringify(batch));
  }

  async readBatches(run: string): Promise<DealBatch[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: `${run}/deal-batches/`,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    const batches: DealBatch[] = [];
    // A few at a time: a large run has a thousand batches, each a small object.
    for (let start = 0; start < keys.length; start += 16) {
      batches.push(
        ...(await Promise.all(
          keys.slice(start, start + 16).map(async (key) => {
            const result = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
            const text = (await result.Body?.transformToString('utf8')) ?? '';
            return parseDealBatch(text, `s3://${this.#bucket}/${key}`);
          }),
        )),
      );
    }
    return batches;
  }

  async #put(key: string, body: string): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  }
}
