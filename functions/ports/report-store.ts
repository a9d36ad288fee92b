import type { ReportKey } from '#domain/qbr/report-location.ts';

/** One file of a stored report: the JSON document, the HTML page or a CSV table. */
export interface ReportFile {
  /** A plain file name, e.g. `report.json` or `qbr-2026-Q4-funnel.csv`. */
  readonly name: string;
  readonly contentType: string;
  readonly content: string | Uint8Array;
}

/**
 * Port: keeps every pre-QBR report that was produced (S3 in AWS, `.dealreg/reports/` locally),
 * one folder per quarter and moment: `<quarter>/<asOf>/`.
 */
export interface ReportStore {
  /**
   * Stores the files of one report, replacing an earlier run as of the same moment (its figures
   * are the same); returns where they are (a directory or an `s3://` prefix).
   * @throws InvalidReportFileError when a file name or the key is unusable; nothing is written.
   */
  save(key: ReportKey, files: readonly ReportFile[]): Promise<string>;
  /** Where a report's files are (a directory or an `s3://` prefix), as `save` names it. */
  folderOf(key: ReportKey): string;
  /** The content of one stored file, or undefined when the report or file does not exist. */
  read(key: ReportKey, name: string): Promise<Uint8Array | undefined>;
}
