import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ReportKey, reportFolder } from '#domain/qbr/report-location.ts';
import type { ReportFile, ReportStore } from '#ports/report-store.ts';
import { checkReportFiles } from './report-file-names.ts';

/**
 * Reports as files under a directory (locally `.dealreg/reports/`): `<quarter>/<asOf>/<name>`.
 * The files are written into a temporary folder beside the target and renamed into place, so a
 * failed run leaves no half-written report and a reader never sees one.
 */
export class FileReportStore implements ReportStore {
  readonly #root: string;

  constructor(root: string) {
    if (root.trim() === '') throw new Error('the reports directory is empty');
    this.#root = root;
  }

  async save(key: ReportKey, files: readonly ReportFile[]): Promise<string> {
    checkReportFiles(files);
    const target = join(this.#root, reportFolder(key));
    const staging = `${target}.partial-${randomUUID()}`;
    await mkdir(staging, { recursive: true });
    try {
      await Promise.all(files.map((file) => writeFile(join(staging, file.name), file.content)));
      // A run as of the same moment has the same figures: the newer copy replaces it.
      const previous = `${target}.previous-${randomUUID()}`;
      const replaced = await rename(target, previous).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      await rename(staging, target);
      if (replaced) await rm(previous, { recursive: true, force: true });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return target;
  }

  async read(key: ReportKey, name: string): Promise<Uint8Array | undefined> {
    checkReportFiles([{ name, contentType: 'application/octet-stream', content: '' }]);
    const path = join(this.#root, reportFolder(key), name);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** The directory a report's files are in (whether or not it exists yet). */
  folderOf(key: ReportKey): string {
    return join(this.#root, reportFolder(key));
  }
}
