import { InvalidReportFileError } from '#domain/qbr/report-location.ts';
import type { ReportFile } from '#ports/report-store.ts';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

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
