import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotOwnerDirectory } from '#adapters/hubspot/owner-directory.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { S3SnapshotStore } from '#adapters/qbr/s3-snapshot-store.ts';
import { FileReportStore } from '#adapters/reports/file-report-store.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { type FiscalQuarter, parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { awsViewFigureRows } from '#domain/qbr/aws-view.ts';
import { nextQbrCheck, qbrCheckMoment, quarterPeriod } from '#domain/qbr/fiscal-calendar.ts';
import type { QbrReport } from '#domain/qbr/report.ts';
import { reportKey } from '#domain/qbr/report-location.ts';
import { qbrReportJsonFilename } from '#emails/qbr-report.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { ReportFile } from '#ports/report-store.ts';
import { formatPercent } from '#rendering/qbr-figures.ts';
import { contextText, evidenceText, quarterText } from '#rendering/qbr-finding-text.ts';
import { type HeadlineFigure, headlineFigures, slaFigures } from '#rendering/qbr-headline-figures.ts';
import { qbrReportFiles, REPORT_HTML, REPORT_JSON } from '#rendering/qbr-report-files.ts';
import { buildQbrReport, type QbrProgress, QbrRequestError } from '#use-cases/qbr-build-report.ts';
import { sendQbrReportEmail } from '#use-cases/qbr-delivery/report-mailer.ts';
import { commandNow } from './command-clock.ts';
import { connect, resolveHubSpotSettings } from './hubspot-settings.ts';
import { instantOption } from './instant-option.ts';
import { connectLedger } from './ledger-connection.ts';
import { describeCommandPolicy, resolveCommandPolicy } from './policy-file.ts';
import type { QbrCheckOptions, QbrDueOptions, QbrFormat } from './qbr.ts';
import { UsageError } from './usage-error.ts';

/** Settings `qbr check` could not find or use. */
export class QbrCommandError extends Error {
  override readonly name = 'QbrCommandError';
}

/**
 * `--as-of`, checked here rather than by commander so that `--help` does not load zod: an ISO
 * instant, or a date alone meaning the last millisecond of that day in the policy calendar's time
 * zone, as the ledger commands read it.
 */
function instantArgument(value: string, timeZone: string): Date {
  return new Date(instantOption('--as-of', value, timeZone) as string);
}

const localTablesSchema = z.object({
  dynamodb: z.object({ endpoint: z.string() }).optional(),
  tables: z.record(z.string(), z.string()).optional(),
  mailbox: z.string().optional(),
});

/** The registrations table: `REGISTRATIONS_TABLE` (+ `DYNAMODB_ENDPOINT`), else the running local stack's. */
async function connectRegistrations(dataDir: string, environment: NodeJS.ProcessEnv = process.env) {
  let endpoint = environment.DYNAMODB_ENDPOINT?.trim() || undefined;
  let tableName = environment.REGISTRATIONS_TABLE?.trim() || undefined;
  if (tableName === undefined) {
    const local = await readLocalJson(dataDir);
    tableName = local.tables?.Registrations;
    endpoint ??= local.dynamodb?.endpoint;
    if (tableName === undefined) {
      throw new QbrCommandError(
        `no registrations table: set REGISTRATIONS_TABLE, or start the local stack (npx dealreg local) so ${join(dataDir, 'local.json')} names it`,
      );
    }
  }
  const client = new DynamoDBClient(endpoint === undefined ? {} : localClientConfig(endpoint));
  const history = new DynamoDbRegistrationHistory(documentClientOver(client), tableName);
  return { history, close: () => client.destroy() };
}

async function readLocalJson(dataDir: string): Promise<z.infer<typeof localTablesSchema>> {
  const file = join(dataDir, 'local.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = localTablesSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new QbrCommandError(`${file} does not describe a local stack`, { cause: parsed.error });
  return parsed.data;
}

const phaseNames: Readonly<Record<QbrProgress['phase'], string>> = {
  ledger: 'reading and verifying the ledger',
  registrations: 'reading registrations',
  hubspot: 'reading HubSpot deals',
  snapshots: 'comparing closed quarters',
  compute: 'computing the report',
};

/** Where progress goes: stderr, or anything with its two members. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Progress on stderr: a bar redrawn in place on a terminal, one line per phase otherwise. */
export function progressReporter(stream: ProgressStream = process.stderr): (event: QbrProgress) => void {
  let lastPhase: string | undefined;
  let lastDrawn = 0;
  // HubSpot is read while the ledger is verified, so phases interleave: a log names each once.
  const logged = new Set<QbrProgress['phase']>();
  return (event) => {
    const name = phaseNames[event.phase];
    if (!stream.isTTY) {
      if (!logged.has(event.phase)) stream.write(`… ${name}\n`);
      logged.add(event.phase);
      return;
    }
    const now = Date.now();
    if (event.phase === lastPhase && event.done < event.total && now - lastDrawn < 100) return;
    lastPhase = event.phase;
    lastDrawn = now;
    const share = event.total === 0 ? 1 : event.done / event.total;
    const width = 24;
    const filled = Math.round(share * width);
    const count =
      event.total > 1 ? ` ${event.done.toLocaleString('en-US')}/${event.total.toLocaleString('en-US')}` : '';
    stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${name}${count}`);
    if (event.phase === 'compute' && event.done === event.total) stream.write('\n');
  };
}

const money = (amount: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(
    amount,
  );
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** The AWS view (ACE) in one line; "co-sell is off" when the policy turns co-sell off. */
function awsViewLine(report: QbrReport): string[] {
  const view = report.awsView;
  if (view === undefined) return [];
  if (view === null) return ['AWS view     co-sell is off (policy coSell.enabled)'];
  const figures = awsViewFigureRows(view).map(
    (row) => `${row.short} ${row.opportunities} (${money(row.amount)})`,
  );
  return [
    `AWS view     ${figures.join(' · ')} — ACE ${view.catalog} catalog, as last reported to the ledger`,
  ];
}

/**
 * The one-screen summary: headline figures and the top findings. The headline and SLA figures
 * are worded by the same code as the HTML and CSV (`qbr-headline-figures`).
 */
export function summarise(report: QbrReport): string {
  const { funnel, attribution, scorecard } = report;
  const figure = (item: HeadlineFigure) => `${item.label}: ${item.text}`;
  const headline = headlineFigures(report);
  const shown = new Set(headline.map((item) => item.key));
  const lines = [
    `Pre-QBR check ${quarterText(report)} as of ${report.asOf} (policy ${report.policyVersion})`,
    ...headline.map((item) => `  ${figure(item)}`),
    `Funnel       ${funnel.submitted} submitted → ${funnel.approved} approved (${percent(funnel.conversion.submittedToApproved)}) → ${funnel.opportunities} opportunities (${percent(funnel.conversion.approvedToOpportunity)}) → ${funnel.closedWon} closed-won (${percent(funnel.conversion.opportunityToClosedWon)}) ${money(funnel.closedWonAmount)}`,
    `Attribution  sourced ${money(attribution.partnerSourcedRevenue)} · influenced ${money(attribution.partnerInfluencedRevenue)} · CRO view ${attribution.croPartnerRevenue === null ? 'not available' : money(attribution.croPartnerRevenue)}`,
    ...awsViewLine(report),
    `ROI          ${report.roiByInvestmentType.map((row) => `${row.investmentType} ${formatPercent(row.roi)}`).join(' · ') || 'no investments'}`,
    ...slaFigures(report)
      .filter((item) => !shown.has(item.key))
      .map((item) => `SLA          ${figure(item)}`),
    `Findings     ${scorecard.findings.critical} critical · ${scorecard.findings.high} high · ${scorecard.findings.medium} medium · ${scorecard.findings.low} low`,
  ];
  for (const finding of report.findings.slice(0, 8)) {
    const detail = finding.detail.length > 110 ? `${finding.detail.slice(0, 109)}…` : finding.detail;
    lines.push(`  ${finding.severity.padEnd(8)} ${finding.code.padEnd(28)} ${detail}`);
    const context = contextText(finding);
    if (context !== '') lines.push(`           ${context}`);
    lines.push(`           Evidence: ${evidenceText(finding.evidence, report.timeZone)}`);
  }
  if (report.findings.length > 8) lines.push(`  … and ${report.findings.length - 8} more`);
  return lines.join('\n');
}

interface OutputFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

/** The files of one format, taken from the report's stored files (the HTML and its charts are drawn once). */
function filesOf(report: QbrReport, stored: readonly ReportFile[], format: QbrFormat): OutputFile[] {
  const named = (name: string) => stored.find((file) => file.name === name)?.content ?? '';
  switch (format) {
    case 'json':
      return [{ name: qbrReportJsonFilename(report), content: named(REPORT_JSON) }];
    case 'html':
      // The page's long tables name the CSV file that holds their other rows: those go beside it
      // (written to --out; on stdout the page alone, the first file).
      return [
        { name: `qbr-${report.quarter}.html`, content: named(REPORT_HTML) },
        ...stored.filter((file) => file.name.endsWith('.csv')),
      ];
    case 'csv':
      return stored.filter((file) => file.name.endsWith('.csv'));
  }
}

/**
 * Creates the output directory and its missing parents one level at a time. `mkdir` with
 * `recursive` never returns where the kernel answers "no such file" for a parent that exists
 * (under /proc, for one); a plain `mkdir` fails there at once, naming the directory.
 */
async function createOutputDirectory(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(directory); ; current = dirname(current)) {
    try {
      if ((await stat(current)).isDirectory()) break;
      throw new UsageError(`--out ${directory}: ${current} exists and is not a directory; name a directory`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      if (code !== 'ENOENT') {
        throw new UsageError(`--out ${directory}: ${current} cannot be a directory (${code}); name another`, {
          cause: error,
        });
      }
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing.reverse()) {
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      throw new UsageError(
        `--out ${directory}: cannot create ${path} (${error.code ?? error.message}); name a directory you can write`,
        {
          cause: error,
        },
      );
    });
  }
}

/** Writes every file through a temporary name and a rename, so no reader sees half a file. */
async function writeFiles(directory: string, files: readonly OutputFile[]): Promise<void> {
  for (const file of files) {
    const path = join(directory, file.name);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, file.content);
    await rename(temporary, path);
  }
}

/** `dealreg qbr check`: exit code 1 when a ledger chain is broken, 2 for a bad argument. */
export async function check(options: QbrCheckOptions): Promise<void> {
  // Locally "now" is the stack's virtual clock, which the registrations and the ledger run on.
  const commandPolicy = await resolveCommandPolicy(options);
  const policy = commandPolicy.loaded;
  const asked =
    options.asOf === undefined ? undefined : instantArgument(options.asOf, policy.policy.calendar.timeZone);
  const now = await commandNow(options.dataDir);
  const startedAt = Date.now();
  const asOf = asked ?? now;
  // A moment still to come reads an open quarter as over, and would freeze its figures as final.
  if (asOf.getTime() > now.getTime()) {
    throw new UsageError(
      `--as-of ${asOf.toISOString()} is after now (${now.toISOString()}): a report can only be as of a moment that has passed; leave --as-of out to report as of now`,
    );
  }
  // Before the run, so a directory that cannot be written fails fast rather than after HubSpot is read.
  if (options.out !== undefined) await createOutputDirectory(options.out);
  const leadership = policy.policy.reporting.leadership.map((person) => person.email);
  let mailbox: LocalMailbox | undefined;
  if (options.send) {
    const local = await readLocalJson(options.dataDir);
    if (local.mailbox === undefined) {
      throw new QbrCommandError(
        `--send needs the local stack's mailbox: start it (npx dealreg local) so ${join(options.dataDir, 'local.json')} names it`,
      );
    }
    // Dated on the stack's clock, as the stack's own mail is, not before the moment it reports.
    mailbox = new LocalMailbox({
      directory: local.mailbox,
      now: () => new Date(now.getTime() + (Date.now() - startedAt)),
    });
  }
  const ledger = await connectLedger(options.dataDir);
  const registrations = await connectRegistrations(options.dataDir).catch((error: unknown) => {
    ledger.close();
    throw error;
  });
  try {
    let deals: HubSpotAdapter | undefined;
    let dealProperties: HubSpotPortalSchemaAdmin | undefined;
    let hubspotPortalId: number | undefined;
    let owners: HubSpotOwnerDirectory | undefined;
    if (options.hubspot) {
      const settings = await resolveHubSpotSettings({
        dataDir: options.dataDir,
        token: options.token,
        baseUrl: options.baseUrl,
        portalId: options.portalId,
      });
      const connection = connect(settings);
      deals = new HubSpotAdapter(connection, { portalId: settings.portalId ?? 0 });
      dealProperties = new HubSpotPortalSchemaAdmin(connection);
      owners = new HubSpotOwnerDirectory(connection);
      hubspotPortalId = settings.portalId;
    }
    const bucket = process.env.QBR_SNAPSHOT_BUCKET?.trim() || undefined;
    const snapshots =
      bucket === undefined
        ? new FileSnapshotStore(join(options.dataDir, 'reports', 'snapshots'))
        : new S3SnapshotStore(new S3Client({}), bucket);
    const report = await buildQbrReport(
      {
        ledger: ledger.store,
        digests: ledger.digests,
        registrations: registrations.history,
        deals,
        dealProperties,
        hubspotPortalId,
        owners,
        snapshots,
        policy,
        // The report's "computed" time on the same clock as its asOf.
        now: () => new Date(now.getTime() + (Date.now() - startedAt)),
        onProgress: progressReporter(),
      },
      { quarter: options.quarter, asOf },
    ).catch((error: unknown) => {
      // A quarter and moment that do not go together are bad arguments, like a malformed one.
      if (error instanceof QbrRequestError) throw new UsageError(error.message, { cause: error });
      throw error;
    });
    const stored = await qbrReportFiles(report);
    const files = filesOf(report, stored, options.format);
    const summary = summarise(report);
    // With the document on stdout, everything else goes to stderr.
    const messages = options.out === undefined ? process.stderr : process.stdout;
    if (options.out === undefined) process.stdout.write(files[0]?.content ?? '');
    else await writeFiles(options.out, files);
    messages.write(`${describeCommandPolicy(commandPolicy)}\n${summary}\n`);
    if (options.out !== undefined) {
      for (const file of files) messages.write(`wrote ${join(options.out, file.name)}\n`);
    }
    let storedAt: string | undefined;
    if (options.store) {
      storedAt = await new FileReportStore(join(options.dataDir, 'reports')).save(reportKey(report), stored);
      messages.write(`stored the report (JSON, HTML, CSV) in ${storedAt}\n`);
    }
    // Like `ledger verify`: a broken chain fails the run (the report is still written, with the finding).
    if (report.integrity.broken > 0) process.exitCode = 1;
    if (mailbox !== undefined) {
      const sent = await sendQbrReportEmail(mailbox, report, leadership, storedAt);
      messages.write(
        `sent "${sent.subject}" to ${leadership.join(', ')} (${sent.messageId})${sent.filesAttached ? '' : ', without the CSV files and JSON document: with them it was over the 40 MB a message may have'}\n`,
      );
    }
  } finally {
    ledger.close();
    registrations.close();
  }
}

/**
 * `dealreg qbr due`: when the scheduled pre-QBR check of a quarter runs (or ran), or the next one
 * from now, as the workflow's due check decides it: the opening of working hours of the day that
 * leaves `reporting.qbrCheckBusinessDaysBeforeQuarterEnd` working days in the quarter.
 */
export async function due(options: QbrDueOptions): Promise<void> {
  const commandPolicy = await resolveCommandPolicy(options);
  const { calendar, reporting } = commandPolicy.loaded.policy;
  const days = reporting.qbrCheckBusinessDaysBeforeQuarterEnd;
  const now = await commandNow(options.dataDir);
  let check: { quarter: FiscalQuarter; runAt: Date };
  try {
    if (options.quarter === undefined) {
      check = nextQbrCheck(now, days, calendar, reporting.fiscalYearStartMonth);
    } else {
      const quarter = parseFiscalQuarter(options.quarter, reporting.fiscalYearStartMonth, calendar.timeZone);
      check = { quarter, runAt: qbrCheckMoment(quarter, days, calendar) };
    }
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const tense = check.runAt.getTime() < now.getTime() ? 'ran' : 'runs';
  console.log(
    `The pre-QBR check of ${quarterText({ quarter: check.quarter.label, period: quarterPeriod(check.quarter) })} ${tense} on ${formatDeadline(check.runAt, calendar.timeZone)}: ${days} business days before the quarter ends (reporting.qbrCheckBusinessDaysBeforeQuarterEnd, ${describeCommandPolicy(commandPolicy)})`,
  );
}
