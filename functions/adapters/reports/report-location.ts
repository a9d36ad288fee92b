import { InvalidReportFileError, type ReportFile, type ReportKey } from '#ports/report-store.ts';

const QUARTER = /^\d{4}-Q[1-4]$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * The folder of a report, `<quarter>/<asOf>` with the moment written without colons
 * (`2026-12-14T17-00-00Z`), so it is a valid file name on every system and an S3 key that
 * needs no encoding.
 *
 * @throws InvalidReportFileError when the quarter or the moment is malformed.
 */
export function reportFolder(key: ReportKey): string {
  if (!QUARTER.test(key.quarter)) {
    throw new InvalidReportFileError(`quarter "${key.quarter}" is not a quarter such as 2026-Q4`);
  }
  const moment = new Date(key.asOf);
  if (Number.isNaN(moment.getTime())) throw new InvalidReportFileError(`asOf "${key.asOf}" is not a moment`);
  const iso = moment.toISOString().replace(/\.000Z$/, 'Z');
  return `${key.quarter}/${iso.replaceAll(':', '-')}`;
}

/** Checks every file name before anything is written: plain names only, no paths, no duplicates. */
export function checkReportFiles(files: readonly ReportFile[]): void {
  if (files.length === 0) throw new InvalidReportFileError('a report needs at least one file');
  const seen = new Set<string>();
  files.forEach((file, index) => {
    if (!FILE_NAME.test(file.name)) {
      throw new InvalidReportFileError(
        `files[${index}].name "${file.name}" must be a plain file name (letters, digits, . _ -)`,
      );
    }
    if (seen.has(file.name))
      throw new InvalidReportFileError(`files[${index}].name "${file.name}" is repeated`);
    seen.add(file.name);
  });
}
