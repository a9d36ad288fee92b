import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dealBatchName } from '#domain/qbr/report-location.ts';
import type { DealBatch, QbrRunStore } from '#ports/qbr-run-store.ts';
import { parseDealBatch } from './deal-batch.ts';

/** A run's working files in a directory (locally under `.dealreg/`), each written then renamed into place. */
export class FileQbrRunStore implements QbrRunStore {
  readonly #root: string;

  constructor(root: string) {
    if (root.trim() === '') throw new Error('the run directory is empty');
    this.#root = root;
  }

  async writeDealIds(run: string, ids: readonly string[]): Promise<string> {
    const key = `${run}/deal-ids.json`;
    await this.#write(key, JSON.stringify(ids));
    return key;
  }

  async writeBatch(run: string, ids: readonly string[], batch: DealBatch): Promise<void> {
    await this.#write(`${run}/deal-batches/${dealBatchName(ids)}`, JSON.stringify(batch));
  }

  async readBatches(run: string): Promise<DealBatch[]> {
    const directory = join(this.#root, run, 'deal-batches');
    let names: string[];
    try {
      names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return Promise.all(
      names.map(async (name) =>
        parseDealBatch(await readFile(join(directory, name), 'utf8'), join(directory, name)),
      ),
    );
  }

  async #write(key: string, text: string): Promise<void> {
    const path = join(this.#root, key);
    await mkdir(join(path, '..'), { recursive: true });
    const partial = `${path}.partial`;
    await writeFile(partial, text);
    await rename(partial, path);
  }
}
