import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { REPORTS_PREFIX, type ReportKey, reportFolder } from '#domain/qbr/report-location.ts';
import type { ReportFile, ReportStore } from '#ports/report-store.ts';
import { checkReportFiles } from './report-file-names.ts';

/** The file written last: its presence says every other file of the report is there. */
export const REPORT_MANIFEST = 'manifest.json';

/**
 * Reports as objects in the reports bucket under `<prefix><quarter>/<asOf>/<name>`. S3 has no
 * multi-object write, so the files go first and a manifest naming them last: a report without
 * its manifest is incomplete and is written again by the next run.
 */
export class S3ReportStore implements ReportStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(client: S3Client, bucket: string, prefix = REPORTS_PREFIX) {
    if (bucket.trim() === '') throw new Error('the reports bucket name is empty');
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  async save(key: ReportKey, files: readonly ReportFile[]): Promise<string> {
    checkReportFiles([...files, { name: REPORT_MANIFEST, contentType: 'application/json', content: '' }]);
    const folder = `${this.#prefix}${reportFolder(key)}/`;
    await Promise.all(files.map((file) => this.#put(`${folder}${file.name}`, file)));
    const manifest = {
      quarter: key.quarter,
      asOf: key.asOf,
      files: files.map((file) => ({ name: file.name, contentType: file.contentType })),
    };
    await this.#put(`${folder}${REPORT_MANIFEST}`, {
      name: REPORT_MANIFEST,
      contentType: 'application/json',
      content: `${JSON.stringify(manifest, null, 2)}\n`,
    });
    return this.folderOf(key);
  }

  /** The `s3://` prefix a report's objects are under (whether or not it exists yet). */
  folderOf(key: ReportKey): string {
    return `s3://${this.#bucket}/${this.#prefix}${reportFolder(key)}/`;
  }

  async read(key: ReportKey, name: string): Promise<Uint8Array | undefined> {
    checkReportFiles([{ name, contentType: 'application/octet-stream', content: '' }]);
    try {
      const result = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${reportFolder(key)}/${name}` }),
      );
      return result.Body === undefined ? undefined : await result.Body.transformToByteArray();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async #put(key: string, file: ReportFile): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: file.content,
        ContentType: file.contentType,
      }),
    );
  }
}
