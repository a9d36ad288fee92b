import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DigestStore } from '#ports/ledger.ts';

const NAME = /^[A-Za-z0-9._-]+\.json$/;

/**
 * Digests as files in a directory (locally `.dealreg/ledger-digests/`). Files are created with
 * the exclusive flag, so an existing digest is never overwritten — the local stand-in for
 * S3 Object Lock.
 */
/** Where a local stack's ledger digests live, under its data directory. */
export function localDigestDirectory(dataDir: string): string {
  return join(dataDir, 'ledger-digests');
}

export class FileDigestStore implements DigestStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
  }

  async write(name: string, document: string): Promise<string> {
    if (!NAME.test(name)) throw new RangeError(`digest name ${name} is not a plain .json file name`);
    await mkdir(this.#directory, { recursive: true });
    const path = join(this.#directory, name);
    await writeFile(path, document, { flag: 'wx' });
    return path;
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.#directory)).filter((name) => NAME.test(name)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async read(name: string): Promise<string> {
    if (!NAME.test(name)) throw new RangeError(`digest name ${name} is not a plain .json file name`);
    return readFile(join(this.#directory, name), 'utf8');
  }
}
