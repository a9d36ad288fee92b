import type { QbrReport } from '#domain/qbr/report.ts';
import { renderQbrReportHtml } from '#emails/qbr-report.ts';
import type { ReportFile } from '#ports/report-store.ts';
import { qbrReportCsvFiles } from './qbr-report-csv.ts';

/** The name of the JSON document in a stored report. */
export const REPORT_JSON = 'report.json';
/** The name of the standalone HTML page in a stored report. */
export const REPORT_HTML = 'report.html';

/**
 * Every file of a stored report: the JSON document (DESIGN §4.3), the standalone HTML page with
 * its charts embedded, and the CSV tables.
 *
 * @throws ChartRenderError when a chart cannot be drawn.
 */
export async function qbrReportFiles(report: QbrReport): Promise<ReportFile[]> {
  return [
    {
      name: REPORT_JSON,
      contentType: 'application/json',
      content: `${JSON.stringify(report, null, 2)}\n`,
    },
    {
      name: REPORT_HTML,
      contentType: 'text/html; charset=utf-8',
      content: await renderQbrReportHtml(report),
    },
    ...qbrReportCsvFiles(report).map((file) => ({
      name: file.filename,
      contentType: 'text/csv; charset=utf-8',
      content: file.content,
    })),
  ];
}
