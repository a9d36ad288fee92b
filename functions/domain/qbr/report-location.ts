import { createHash } from 'node:crypto';
import type { QbrReport } from './report.ts';

/** Where the stored reports live in the reports bucket: `reports/<quarter>/<asOf>/…`. */
export const REPORTS_PREFIX = 'reports/';
/** Where the frozen figures of closed quarters live, beside the reports: `reports/snapshots/<quarter>.json`. */
export const SNAPSHOTS_PREFIX = `${REPORTS_PREFIX}snapshots/`;
/** Where the working files of one run live (deal ids, deal batches), kept for a few days only. */
export const RUNS_PREFIX = 'runs/';
/** Deals per batch of a run: at most what one HubSpot batch read accepts. */
export const DEAL_BATCH_SIZE = 100;

/** Which report a set of files belongs to. */
export interface ReportKey {
  /** `YYYY-QN`. */
  readonly quarter: string;
  /** The moment the report is as of, ISO UTC. */
  readonly asOf: string;
}

/** A report key or file name that cannot be stored (a path, an empty name, a bad quarter). */
export class InvalidReportFileError extends Error {
  override readonly name = 'InvalidReportFileError';
}

const QUARTER = /^\d{4}-Q[1-4]$/;

/** The key a report is stored under. */
export function reportKey(report: Pick<QbrReport, 'quarter' | 'asOf'>): ReportKey {
  return { quarter: report.quarter, asOf: report.asOf };
}

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

/** The run folder of a report: `runs/<quarter>/<asOf folder>`. */
export function runFolder(reportFolder: string): string {
  return `${RUNS_PREFIX}${reportFolder}`;
}

/** The file name of a batch: derived from its ids, so a retried batch overwrites its own file. */
export function dealBatchName(ids: readonly string[]): string {
  return `${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 24)}.json`;
}
