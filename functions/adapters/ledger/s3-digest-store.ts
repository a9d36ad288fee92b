import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DIGEST_PREFIX } from '#domain/ledger/digest-location.ts';
import type { DigestStore } from '#ports/ledger.ts';

/** A digest that already exists under that name; digests are never replaced. */
export class DigestExistsError extends Error {
  override readonly name = 'DigestExistsError';
}

/**
 * Digests as objects in the Object Lock bucket. The bucket's default retention (compliance mode)
 * locks every version; the put also sends a SHA-256 checksum, which Object Lock requires, and
 * `If-None-Match: *` so a name is written once.
 */
export class S3DigestStore implements DigestStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(client: S3Client, bucket: string, prefix = DIGEST_PREFIX) {
    if (bucket.length === 0) throw new Error('digest bucket name is empty');
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  async write(name: string, document: string): Promise<string> {
    const key = `${this.#prefix}${name}`;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: document,
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      // If-None-Match: * answers 412 when the name is taken (no HeadObject first: without a
      // ListBucket grant S3 answers 403, not 404, for a missing key).
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
        throw new DigestExistsError(`digest ${key} already exists in ${this.#bucket}`, { cause: error });
      }
      throw error;
    }
    return `s3://${this.#bucket}/${key}`;
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.endsWith('.json')) names.push(object.Key.slice(this.#prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return names.sort();
  }

  async read(name: string): Promise<string> {
    const result = await this.#client.send(
      new GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${name}` }),
    );
    if (result.Body === undefined) throw new Error(`digest ${name} has no body`);
    return result.Body.transformToString('utf8');
  }
}
