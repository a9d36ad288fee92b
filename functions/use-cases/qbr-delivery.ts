/**
 * The steps of the pre-QBR workflow as plain functions over ports: each Lambda entry
 * (`qbr-*.ts`) wires AWS adapters into one of them, the local stack and the tests wire local
 * ones. Every step checks its input with zod and answers a small JSON object (Step Functions
 * passes at most 256 KB between states), so the report itself travels through the report store.
 */
import { z } from 'zod';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { nextQbrCheck, quarterContaining } from '#domain/qbr/fiscal-calendar.ts';
import { type QbrReport, qbrReportSchema } from '#domain/qbr/report.ts';
import {
  DEAL_BATCH_SIZE,
  dealBatchName,
  reportFolder,
  reportKey,
  runFolder,
} from '#domain/qbr/report-location.ts';
import { renderQbrReportEmail } from '#emails/qbr-report.ts';
import type { Deal, DealDirectory } from '#ports/hubspot.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { Mailer } from '#ports/mailer.ts';
import type { DealBatch, QbrRunStore } from '#ports/qbr-run-store.ts';
import type { ReportStore } from '#ports/report-store.ts';
import { qbrReportFiles, REPORT_JSON } from '#rendering/qbr-report-files.ts';
import {
  type BuildQbrReportDependencies,
  buildQbrReport,
  reconciliationProperties,
} from '#use-cases/qbr-build-report.ts';

/** A step was given input it cannot act on; the message names the field. */
export class QbrStepInputError extends Error {
  override readonly name = 'QbrStepInputError';
}

function parse<Schema extends z.ZodType>(step: string, schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new QbrStepInputError(`${step}: ${problems.join('; ')}`, { cause: parsed.error });
}

const quarterSchema = z.string().regex(/^\d{4}-Q[1-4]$/, 'expected a quarter such as 2026-Q4');
const momentSchema = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 moment' });

/** Which report a step works on. */
const runSchema = z.strictObject({ quarter: quarterSchema, asOf: momentSchema });
type QbrRun = z.infer<typeof runSchema>;

// ── 1. Is the check due? ─────────────────────────────────────────────────────────────────────

const dueCheckInputSchema = z.object({
  /** On demand: the quarter to report (the check is then always due). */
  quarter: quarterSchema.optional(),
  /** On demand: the moment to report as of. @default now */
  asOf: momentSchema.optional(),
});

interface DueCheckResult extends QbrRun {
  readonly due: boolean;
  /** Why, in words, for the execution history. */
  readonly reason: string;
}

/**
 * Decides whether the pre-QBR check runs now. "Ten business days before each fiscal quarter
 * ends" is not a cron expression (quarters follow the fiscal calendar, business days skip
 * weekends and holidays), so a daily schedule at the opening of working hours starts the
 * workflow and this step answers `due` only on the day `nextQbrCheck` gives for the quarter. A
 * request that names a quarter is an on-demand run and is always due.
 */
export function createQbrDueCheck(deps: { policy: LoadedPolicy; now: () => Date }) {
  const { reporting, calendar } = deps.policy.policy;
  return async (input: unknown): Promise<DueCheckResult> => {
    const request = parse('due check', dueCheckInputSchema, input ?? {});
    const now = deps.now();
    if (request.quarter !== undefined) {
      return {
        due: true,
        quarter: request.quarter,
        asOf: new Date(request.asOf ?? now).toISOString(),
        reason: 'requested on demand',
      };
    }
    const next = nextQbrCheck(
      startOfDay(now, calendar.timeZone),
      reporting.qbrCheckBusinessDaysBeforeQuarterEnd,
      calendar,
      reporting.fiscalYearStartMonth,
    );
    const due = sameDay(next.runAt, now, calendar.timeZone);
    const quarter = due ? next.quarter.label : quarterContaining(now, reporting.fiscalYearStartMonth).label;
    return {
      due,
      quarter,
      asOf: now.toISOString(),
      reason: due
        ? `${reporting.qbrCheckBusinessDaysBeforeQuarterEnd} business days before ${quarter} ends`
        : `next check of ${next.quarter.label} is due ${next.runAt.toISOString()}`,
    };
  };
}

function localDate(moment: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(moment);
}

function sameDay(a: Date, b: Date, timeZone: string): boolean {
  return localDate(a, timeZone) === localDate(b, timeZone);
}

/** Midnight UTC of the local date, minus a day: early enough that today's check moment is still "next". */
function startOfDay(moment: Date, timeZone: string): Date {
  return new Date(Date.parse(`${localDate(moment, timeZone)}T00:00:00Z`) - 24 * 60 * 60 * 1000);
}

// ── 2. Export the deal ids ───────────────────────────────────────────────────────────────────

interface DealExportResult extends QbrRun {
  /** The run's folder in the run store. */
  readonly run: string;
  /** The key of the JSON array of deal ids. */
  readonly key: string;
  readonly dealCount: number;
}

/**
 * Lists the ledger's opportunities (campaign chains have no HubSpot deal) and writes their ids
 * as one JSON array for the Distributed Map to read in batches.
 */
export function createQbrDealExport(deps: { ledger: Pick<LedgerStore, 'listChainIds'>; runs: QbrRunStore }) {
  return async (input: unknown): Promise<DealExportResult> => {
    const run = parse('deal export', runSchema, input);
    const folder = runFolder(reportFolder(run));
    const ids = (await deps.ledger.listChainIds()).filter((id) => !id.startsWith('campaign:')).sort();
    const key = await deps.runs.writeDealIds(folder, ids);
    return { ...run, run: folder, key, dealCount: ids.length };
  };
}

// ── 3. Read one batch of deals (the Distributed Map's worker) ───────────────────────────────

const batchInputSchema = z.object({
  Items: z
    .array(z.string().min(1, 'a deal id is empty'))
    .min(1, 'a batch needs at least one deal id')
    .max(DEAL_BATCH_SIZE, `a batch holds at most ${DEAL_BATCH_SIZE} deal ids`),
  BatchInput: z.object({
    run: z.string().regex(/^runs\/[\w./-]+$/, 'expected the run folder runs/<quarter>/<asOf>'),
  }),
});

interface DealBatchResult {
  readonly batch: string;
  readonly deals: number;
  readonly missing: number;
}

/**
 * Reads one batch of up to 100 deals from HubSpot (one request, under the adapter's limiter) with
 * the properties the reconciliation compares, and stores the answer for the report step. The
 * Distributed Map runs many of these at once, capped below the portal's rate limit.
 */
export function createQbrBatchWorker(deps: {
  deals: Pick<DealDirectory, 'batchReadDeals'>;
  runs: QbrRunStore;
  /** The deal property holding the CRO's view of the deal source (policy `definitions.croView`). */
  croProperty: string;
}) {
  const properties = reconciliationProperties(deps.croProperty);
  return async (input: unknown): Promise<DealBatchResult> => {
    const { Items: ids, BatchInput } = parse('deal batch', batchInputSchema, input);
    const answer = await deps.deals.batchReadDeals(ids, properties);
    await deps.runs.writeBatch(BatchInput.run, ids, answer);
    return { batch: dealBatchName(ids), deals: answer.deals.length, missing: answer.missing.length };
  };
}

// ── 4. Build and store the report ───────────────────────────────────────────────────────────

const buildInputSchema = runSchema.extend({
  /** Present when batch workers read HubSpot already: the report reads their answers instead. */
  run: z.string().optional(),
});

/**
 * The deals the batch workers read, answering the report's `batchReadDeals` from memory: the
 * report step of a large run reads HubSpot through the stored batches, not again. An id no
 * batch answered for is reported missing.
 */
export function prefetchedDeals(batches: readonly DealBatch[]): Pick<DealDirectory, 'batchReadDeals'> {
  const byId = new Map<string, Deal>();
  for (const batch of batches) for (const deal of batch.deals) byId.set(deal.id, deal);
  return {
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
  deals: Pick<DealDirectory, 'batchReadDeals'>;
  runs: QbrRunStore;
  reports: ReportStore;
}) {
  return async (input: unknown): Promise<BuiltReportResult> => {
    const request = parse('build report', buildInputSchema, input);
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

/**
 * The input each step's handler accepts, by step: what the pre-QBR state machine's tasks must
 * send (the infrastructure tests check the deployed definition against it).
 */
export const qbrStepInputSchemas = {
  dueCheck: dueCheckInputSchema,
  dealExport: runSchema,
  batchWorker: batchInputSchema,
  buildReport: buildInputSchema,
  emailReport: runSchema,
} as const satisfies Record<string, z.ZodType>;

// ── 5. Email leadership ─────────────────────────────────────────────────────────────────────

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
    const run = parse('email report', runSchema, input);
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
