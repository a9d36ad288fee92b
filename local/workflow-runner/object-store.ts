import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * The S3 objects a state machine reads and writes itself (a Distributed Map's `ItemReader` and
 * `ResultWriter`), on one machine. `undefined` from `getObject` is S3's `NoSuchKey` ("Amazon S3
 * API Reference — GetObject": a missing key answers 404 NoSuchKey, which Step Functions turns into
 * `States.ItemReaderFailed`, "ItemReader (Map)").
 */
export interface LocalObjectStore {
  getObject(bucket: string, key: string): Promise<string | undefined>;
  putObject(bucket: string, key: string, body: string): Promise<void>;
}

/** A bucket name or key the local store refuses (an unknown bucket, a key climbing out of it). */
export class LocalObjectStoreError extends Error {
  override readonly name = 'LocalObjectStoreError';
}

/**
 * Buckets as directories, an object as the file at its key: the layout the local stack's
 * file-backed stores (`FileQbrRunStore`, `FileReportStore`) already write, so a key a Lambda
 * handler returns (`runs/2026-Q4/…/deal-ids.json`) is the file the Map state reads.
 */
export class DirectoryBuckets implements LocalObjectStore {
  readonly #directories: ReadonlyMap<string, string>;

  /** @param directories bucket name → the directory that stands in for it */
  constructor(directories: Readonly<Record<string, string>>) {
    this.#directories = new Map(Object.entries(directories).map(([bucket, path]) => [bucket, resolve(path)]));
  }

  async getObject(bucket: string, key: string): Promise<string | undefined> {
    try {
      return await readFile(this.#path(bucket, key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async putObject(bucket: string, key: string, body: string): Promise<void> {
    const path = this.#path(bucket, key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    await writeFile(partial, body);
    await rename(partial, path);
  }

  #path(bucket: string, key: string): string {
    const root = this.#directories.get(bucket);
    if (root === undefined) {
      throw new LocalObjectStoreError(
        `bucket "${bucket}" has no local directory (known: ${[...this.#directories.keys()].join(', ') || 'none'})`,
      );
    }
    const path = resolve(join(root, key));
    if (key === '' || !path.startsWith(root + sep)) {
      throw new LocalObjectStoreError(`key "${key}" does not name an object inside bucket "${bucket}"`);
    }
    return path;
  }
}
