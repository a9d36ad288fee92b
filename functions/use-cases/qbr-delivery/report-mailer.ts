/** Step 5 of the pre-QBR workflow: email the report to leadership. */
import type { QbrReport } from '#domain/qbr/report.ts';
import { qbrReportSchema } from '#domain/qbr/report.ts';
import { renderQbrReportEmail } from '#emails/qbr-report.ts';
import { EmailTooLargeError, type Mailer, megabytes } from '#ports/mailer.ts';
import type { ReportStore } from '#ports/report-store.ts';
import { REPORT_JSON } from '#rendering/qbr-report-files.ts';
import { parseStepInput, type QbrRun, runSchema } from './step-input.ts';

interface EmailedReportResult extends QbrRun {
  readonly messageId: string;
  readonly recipients: number;
  /** False when the CSV files and JSON document were left out (the email would have been too large). */
  readonly filesAttached: boolean;
}

/** A report the email step was asked to send is not in the store. */
export class StoredReportMissingError extends Error {
  override readonly name = 'StoredReportMissingError';
}

/**
 * Emails the report with its CSV files and JSON document attached. When that message is larger
 * than the mail service accepts (SES v2: 40 MB, "Service quotas in Amazon SES"), it sends the
 * report without them, saying so and where the stored files are, rather than no report at all;
 * if even that is too large, the error stands (the workflow fails and its alarm goes off).
 *
 * @param storedAt where the report's files are kept (an `s3://` prefix or a directory); undefined
 *   when they were not stored.
 */
export async function sendQbrReportEmail(
  mailer: Mailer,
  report: QbrReport,
  to: readonly string[],
  storedAt: string | undefined,
): Promise<{ messageId: string; subject: string; filesAttached: boolean }> {
  const full = await renderQbrReportEmail(report, to);
  try {
    return { messageId: (await mailer.send(full)).messageId, subject: full.subject, filesAttached: true };
  } catch (error) {
    if (!(error instanceof EmailTooLargeError)) throw error;
    const where =
      storedAt === undefined
        ? '`dealreg qbr check --format csv --out DIR` writes them'
        : `they are stored with the report in ${storedAt}`;
    const slim = await renderQbrReportEmail(report, to, {
      filesLeftOut: `with them this email would be ${megabytes(error.size)}, over the ${megabytes(error.limit)} a message may have; ${where}.`,
    });
    return { messageId: (await mailer.send(slim)).messageId, subject: slim.subject, filesAttached: false };
  }
}

/** Reads the stored report and emails it to the leadership list of the policy. */
export function createQbrReportMailer(deps: {
  reports: ReportStore;
  mailer: Mailer;
  leadership: readonly string[];
}) {
  return async (input: unknown): Promise<EmailedReportResult> => {
    const run = parseStepInput('email report', runSchema, input);
    const key = { quarter: run.quarter, asOf: new Date(run.asOf).toISOString() };
    const stored = await deps.reports.read(key, REPORT_JSON);
    if (stored === undefined) {
      throw new StoredReportMissingError(`no stored report for ${key.quarter} as of ${key.asOf}`);
    }
    const report = qbrReportSchema.parse(JSON.parse(new TextDecoder().decode(stored)));
    const sent = await sendQbrReportEmail(deps.mailer, report, deps.leadership, deps.reports.folderOf(key));
    return {
      ...key,
      messageId: sent.messageId,
      recipients: deps.leadership.length,
      filesAttached: sent.filesAttached,
    };
  };
}
