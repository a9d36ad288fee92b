/** Step 4 of the pre-QBR workflow: build and store the report. */
import * as z from 'zod';
import type { QbrReport } from '#domain/qbr/report.ts';
import { reportKey } from '#domain/qbr/report-location.ts';
import type { Deal } from '#ports/hubspot.ts';
import type { DealBatch, QbrRunStore } from '#ports/qbr-run-store.ts';
import type { ReportStore } from '#ports/report-store.ts';
import { qbrReportFiles } from '#rendering/qbr-report-files.ts';
import {
  type BuildQbrReportDependencies,
  buildQbrReport,
  type ReconciledDeals,
} from '#use-cases/qbr-build-report.ts';
import { parseStepInput, type QbrRun, runSchema } from './step-input.ts';

export const buildInputSchema = runSchema.extend({
  /** Present when batch workers read HubSpot already: the report reads their answers instead. */
  run: z.string().optional(),
});

/**
 * The deals the batch workers read, answering the report's `batchReadDeals` from memory: the
 * report step of a large run reads HubSpot through the stored batches, not again. An id no
 * batch answered for is reported missing.
 */
export function prefetchedDeals(batches: readonly DealBatch[]): ReconciledDeals {
  const byId = new Map<string, Deal>();
  for (const batch of batches) for (const deal of batch.deals) byId.set(deal.id, deal);
  // Labels are answered only when every batch read them (batches stored before did not).
  const partners = batches.every((batch) => batch.partnerAssociations !== undefined)
    ? new Map(batches.flatMap((batch) => Object.entries(batch.partnerAssociations ?? {})))
    : undefined;
  return {
    ...(partners === undefined
      ? {}
      : {
          partnerAssociationsOfDeals: async (ids: readonly string[]) =>
            new Map(
              ids.flatMap((id) => {
                const found = partners.get(id);
                return found === undefined ? [] : [[id, [...found]] as const];
              }),
            ),
        }),
    batchReadDeals: async (ids) => {
      const deals: Deal[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const deal = byId.get(id);
        if (deal === undefined) missing.push(id);
        else deals.push(deal);
      }
      return { deals, missing };
    },
  };
}

interface BuiltReportResult extends QbrRun {
  readonly location: string;
  readonly findings: QbrReport['scorecard']['findings'];
  readonly brokenChains: number;
}

/**
 * Builds the report (the metrics engineer's `buildQbrReport`), with HubSpot's deals either read
 * directly or taken from the batches of this run, and stores its JSON, HTML and CSV files.
 */
export function createQbrReportBuilder(deps: {
  report: Omit<BuildQbrReportDependencies, 'deals'>;
  /** HubSpot, for runs small enough to read in this function. */
  deals: ReconciledDeals;
  runs: QbrRunStore;
  reports: ReportStore;
}) {
  return async (input: unknown): Promise<BuiltReportResult> => {
    const request = parseStepInput('build report', buildInputSchema, input);
    const deals =
      request.run === undefined ? deps.deals : prefetchedDeals(await deps.runs.readBatches(request.run));
    const report = await buildQbrReport(
      { ...deps.report, deals },
      { quarter: request.quarter, asOf: new Date(request.asOf) },
    );
    const location = await deps.reports.save(reportKey(report), await qbrReportFiles(report));
    return {
      quarter: report.quarter,
      asOf: report.asOf,
      location,
      findings: report.scorecard.findings,
      brokenChains: report.integrity.broken,
    };
  };
}
