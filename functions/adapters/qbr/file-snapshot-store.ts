import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type QbrSnapshot, qbrSnapshotSchema } from '#domain/qbr/snapshot.ts';
import { InvalidSnapshotError, type QbrSnapshotStore } from '#ports/qbr.ts';

const QUARTER = /^\d{4}-Q[1-4]$/;

function fileName(quarter: string): string {
  if (!QUARTER.test(quarter)) throw new RangeError(`"${quarter}" is not a quarter such as 2026-Q3`);
  return `${quarter}.json`;
}

/** Parses a stored snapshot, naming where it came from when it is not one. */
export function parseSnapshot(text: string, where: string): QbrSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidSnapshotError(`${where} is not JSON`, { cause: error });
  }
  const parsed = qbrSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidSnapshotError(
      `${where} is not a quarter snapshot: ${issue?.path.join('.')} ${issue?.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/**
 * Quarter snapshots as files `<quarter>.json` in a directory (locally
 * `.dealreg/reports/snapshots/`), created with the exclusive flag so a frozen quarter is never
 * overwritten.
 */
export class FileSnapshotStore implements QbrSnapshotStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
  }

  async read(quarter: string): Promise<QbrSnapshot | undefined> {
    const path = join(this.#directory, fileName(quarter));
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseSnapshot(text, path);
  }

  async write(snapshot: QbrSnapshot): Promise<boolean> {
    const document = `${JSON.stringify(qbrSnapshotSchema.parse(snapshot), null, 2)}\n`;
    await mkdir(this.#directory, { recursive: true });
    try {
      await writeFile(join(this.#directory, fileName(snapshot.quarter)), document, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.#directory))
        .filter((name) => name.endsWith('.json') && QUARTER.test(name.slice(0, -5)))
        .map((name) => name.slice(0, -5))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
