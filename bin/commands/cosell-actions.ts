import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { instantSchema } from '#domain/ledger/entry.ts';
import { counted } from '#domain/plural.ts';
import { isRegistrationId } from '#domain/registration-id.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { CoSellCatalogs } from '#ports/partner-central.ts';
import { CoSellAccessDeniedError, CoSellUnavailableError } from '#ports/partner-central-errors.ts';
import {
  coSellOfRegistration,
  coSellOverview,
  type NotSharedRegistration,
  notSharedReason,
  type SharedRegistration,
} from '#use-cases/co-sell-overview.ts';
import { reconcileCoSell } from '#use-cases/co-sell-status.ts';
import { commandNow } from './command-clock.ts';
import type { CoSellStatusOptions, CoSellSyncOptions } from './cosell.ts';
import { exitCodes } from './failure.ts';
import { calendarTimeZoneFor, instantOption } from './instant-option.ts';
import { connectLedger } from './ledger-connection.ts';
import { malformedLocalDescription, unreadableLocalDescription } from './local-description-file.ts';
import { loadPolicyFile } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

/** Settings `cosell sync` could not find or could not use: named with the fix (exit 2). */
export class CoSellConnectionError extends UsageError {
  override readonly name = 'CoSellConnectionError';
}

/** `--registration`, checked: the form `registrationIdFor` gives (exit 2 otherwise). */
function registrationOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const id = value.trim();
  if (!isRegistrationId(id)) {
    throw new UsageError(
      `--registration must be a registration id: DR- and 16 characters of 0-9 and A-Z without I, L, O, U (such as DR-3D848WSCQE2DPM1N), got "${value}"`,
    );
  }
  return id;
}

/** `--since`: an ISO instant, or a date meaning its first millisecond, UTC (exit 2 otherwise). */
function sinceOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const parsed = instantSchema.safeParse(instant);
  if (!parsed.success)
    throw new UsageError(
      `--since must be an ISO date or instant such as 2026-11-01T00:00:00Z, got "${value}"`,
    );
  return parsed.data;
}

const dash = '—';

/** ACE's expected customer spend as Partner Central holds it: per month, in its currency. */
function monthlySpend(row: SharedRegistration): string {
  const spend = row.expectedMonthlySpend;
  return spend === undefined ? dash : `${spend.amount} ${spend.currency}/month`;
}

function table(rows: readonly SharedRegistration[]): string {
  const header = [
    'registration',
    'deal',
    'ACE opportunity',
    'catalog',
    'submitted',
    'AWS review',
    'stage',
    'expected spend',
    'since',
  ];
  const cells = rows.map((row) => [
    row.registrationId,
    row.dealId,
    row.aceOpportunityId,
    row.catalog,
    row.submittedToAws ? 'yes' : 'no',
    row.reviewStatus ?? dash,
    row.stage,
    monthlySpend(row),
    row.since,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(header)];
  for (const [index, values] of cells.entries()) {
    lines.push(line(values));
    const reason = rows[index]?.reviewStatusReason;
    if (reason) lines.push(`  AWS's reason: ${reason}`);
    const comments = rows[index]?.reviewComments;
    if (comments) lines.push(`  AWS's comments: ${comments}`);
  }
  return lines.join('\n');
}

/** The approved registrations not shared with AWS, each with the reason its approval recorded. */
function notSharedList(rows: readonly NotSharedRegistration[]): string {
  return [
    'approved but not shared with AWS:',
    ...rows.map(
      (row) =>
        `  ${row.registrationId}  deal ${row.dealId}${row.dealName === undefined ? '' : ` (${row.dealName})`}: ${notSharedReason(row)}`,
    ),
  ].join('\n');
}

function details(row: SharedRegistration): string {
  return [
    `registration     ${row.registrationId}`,
    `HubSpot deal     ${row.dealId}${row.dealName === undefined ? '' : ` (${row.dealName})`}`,
    `ACE opportunity  ${row.aceOpportunityId} in the ${row.catalog} catalog, shared ${row.sharedAt}`,
    `submitted to AWS ${row.submittedToAws ? 'yes' : 'no (waits in Partner Central)'}`,
    `AWS review       ${row.reviewStatus ?? dash}`,
    `AWS's reason     ${row.reviewStatusReason ?? dash}`,
    `stage            ${row.stage}`,
    `expected spend   ${monthlySpend(row)}${row.expectedMonthlySpend !== undefined && row.contractMonths !== undefined ? ` (over ${row.contractMonths} months as shared)` : ''}`,
    `AWS's comments   ${row.reviewComments ?? dash}`,
    `since            ${row.since}`,
  ].join('\n');
}

/**
 * `dealreg cosell status`: what the ledger knows of every shared registration, or of one (exit 1,
 * with the reason, when that one was never shared).
 */
export async function status(options: CoSellStatusOptions): Promise<void> {
  const registrationId = registrationOption(options.registration);
  const asOf = instantOption('--as-of', options.asOf, await calendarTimeZoneFor(options, options.asOf));
  const now = (await commandNow(options.dataDir)).toISOString();
  const at = { asOf: asOf ?? now, knownAt: now };
  const ledger = await connectLedger(options.dataDir);
  let overview: Awaited<ReturnType<typeof coSellOverview>>;
  try {
    overview = await coSellOverview(ledger.store, at);
  } finally {
    ledger.close();
  }
  if (registrationId !== undefined) {
    const found = coSellOfRegistration(overview, registrationId);
    if (found.shared === undefined) {
      console.error(`dealreg: ${found.reason}`);
      process.exitCode = exitCodes.checkFailed;
      return;
    }
    console.log(
      options.json === true ? JSON.stringify({ ...at, ...found.shared }, null, 2) : details(found.shared),
    );
    return;
  }
  if (options.json === true) {
    console.log(JSON.stringify({ ...at, shared: overview.shared, notShared: overview.notShared }, null, 2));
    return;
  }
  console.log(
    overview.shared.length === 0
      ? `no registration shared with AWS as of ${at.asOf}`
      : table(overview.shared),
  );
  if (overview.notShared.length > 0) console.log(`\n${notSharedList(overview.notShared)}`);
}

const localPartnerCentralSchema = z.object({
  dynamodb: z.object({ endpoint: z.string().url() }),
  tables: z.object({ Registrations: z.string().min(1) }),
  partnerCentral: z.object({ endpoint: z.string().url(), catalog: z.enum(['Sandbox', 'AWS']) }),
});

interface CoSellConnection {
  readonly book: DynamoDbRegistrationBook;
  readonly coSell: CoSellCatalogs;
  readonly catalog: 'Sandbox' | 'AWS';
  readonly describe: string;
  close(): void;
}

/**
 * Partner Central and the registrations table `cosell sync` works with: with `LEDGER_TABLE` or
 * `REGISTRATIONS_TABLE` set (a deployed stage), `REGISTRATIONS_TABLE` and Partner Central in
 * us-east-1 with the policy's catalog; else the local stack's, as `local.json` names them.
 */
async function connectCoSell(
  options: CoSellSyncOptions,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<CoSellConnection> {
  const policyCatalog =
    options.policy === undefined ? undefined : (await loadPolicyFile(options.policy)).policy.coSell.catalog;
  const deployedTable = environment.REGISTRATIONS_TABLE?.trim() || undefined;
  if (deployedTable !== undefined || environment.LEDGER_TABLE?.trim()) {
    if (deployedTable === undefined)
      throw new CoSellConnectionError(
        'LEDGER_TABLE is set but REGISTRATIONS_TABLE is not: set both to the deployed stage’s tables, or neither to use the local stack',
      );
    const endpoint = environment.DYNAMODB_ENDPOINT?.trim() || undefined;
    const client = new DynamoDBClient(endpoint === undefined ? {} : localClientConfig(endpoint));
    const catalog = policyCatalog ?? (await loadPolicyFile()).policy.coSell.catalog;
    return {
      book: new DynamoDbRegistrationBook(documentClientOver(client), deployedTable),
      coSell: partnerCentralCatalogs({ region: 'us-east-1' }),
      catalog,
      describe: `AWS Partner Central (${catalog} catalog, us-east-1)`,
      close: () => client.destroy(),
    };
  }
  const file = join(options.dataDir, 'local.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadableLocalDescription(file, error);
    throw new CoSellConnectionError(
      `no Partner Central to read: start the local stack (npx dealreg local) so that ${file} exists, or set REGISTRATIONS_TABLE and LEDGER_TABLE for a deployed stage`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw malformedLocalDescription(file, error);
  }
  const parsed = localPartnerCentralSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CoSellConnectionError(
      `${file} names no Partner Central stand-in (partnerCentral.endpoint), DynamoDB Local or registrations table; restart the local stack from this checkout (npx dealreg local)`,
      { cause: parsed.error },
    );
  }
  const local = parsed.data;
  const client = new DynamoDBClient(localClientConfig(local.dynamodb.endpoint));
  const catalog = policyCatalog ?? local.partnerCentral.catalog;
  return {
    book: new DynamoDbRegistrationBook(documentClientOver(client), local.tables.Registrations),
    // The stand-in does not check signatures; any credentials do.
    coSell: partnerCentralCatalogs(
      { endpoint: local.partnerCentral.endpoint },
      { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    ),
    catalog,
    describe: `the Partner Central stand-in at ${local.partnerCentral.endpoint} (${catalog} catalog)`,
    close: () => client.destroy(),
  };
}

/**
 * `dealreg cosell sync`: the reconciliation the deployed schedule runs, now: every opportunity
 * Partner Central changed after `--since` is read and a changed review or stage recorded on its
 * deal's ledger chain, once.
 */
export async function sync(options: CoSellSyncOptions): Promise<void> {
  const since = sinceOption(options.since);
  const connection = await connectCoSell(options);
  const ledger = await connectLedger(options.dataDir).catch((error: unknown) => {
    connection.close();
    throw error;
  });
  try {
    const at = await commandNow(options.dataDir);
    const warnings: string[] = [];
    const result = await reconcileCoSell(
      {
        book: connection.book,
        ledger: ledger.store,
        ledgerKey: await ledger.ledgerKey(),
        now: () => at,
        coSell: connection.coSell,
        logger: { info: () => undefined, warn: (message) => warnings.push(message) },
      },
      connection.catalog,
      since,
    ).catch((error: unknown) => {
      if (error instanceof CoSellUnavailableError)
        throw new Error(
          `${connection.describe} did not answer (${error.message}); start the local stack (npx dealreg local) or try again later`,
          { cause: error },
        );
      if (error instanceof CoSellAccessDeniedError)
        throw new Error(
          `${connection.describe} refused the credentials (${error.message}): use credentials with the Partner Central Selling API rights the README lists`,
          { cause: error },
        );
      throw error;
    });
    for (const warning of warnings) console.error(`warning: ${warning}`);
    console.log(
      `checked ${counted(result.checked, 'opportunity', 'opportunities')} in ${connection.describe}${since === undefined ? '' : ` changed after ${since}`}; recorded ${counted(result.recorded, 'status change')} on the ledger (${ledger.describe})`,
    );
  } finally {
    ledger.close();
    connection.close();
  }
}
