/** Step 5 of the pre-QBR workflow: email the report to leadership. */
import { qbrReportSchema } from '#domain/qbr/report.ts';
import { renderQbrReportEmail } from '#emails/qbr-report.ts';
import type { Mailer } from '#ports/mailer.ts';
import type { ReportStore } from '#ports/report-store.ts';
import { REPORT_JSON } from '#rendering/qbr-report-files.ts';
import { parseStepInput, type QbrRun, runSchema } from './step-input.ts';

interface EmailedReportResult extends QbrRun {
  readonly messageId: string;
  readonly recipients: number;
}

/** A report the email step was asked to send is not in the store. */
export class StoredReportMissingError extends Error {
  override readonly name = 'StoredReportMissingError';
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
    const sent = await deps.mailer.send(await renderQbrReportEmail(report, deps.leadership));
    return { ...key, messageId: sent.messageId, recipients: deps.leadership.length };
  };
}
