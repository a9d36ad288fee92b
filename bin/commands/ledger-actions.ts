import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { instantSchema, type LedgerEntry } from '#domain/ledger/entry.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { OpportunityState } from '#domain/ledger/projection.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { loadDigests, writeDigest } from '#use-cases/ledger-digest.ts';
import { attributionsAsOf, opportunityAsOf, renderLedgerReport } from '#use-cases/ledger-queries.ts';
import {
  exportJsonLines,
  type LedgerVerification,
  verifyJsonLinesFile,
  verifyLedger,
} from '#use-cases/ledger-verify.ts';

/** Settings the ledger commands could not find or could not use. */
export class LedgerConnectionError extends Error {
  override readonly name = 'LedgerConnectionError';
}

const localJson = z.object({
  dynamodb: z.object({ endpoint: z.string().url() }),
  tables: z.object({ Ledger: z.string().min(1) }),
});

export interface LedgerConnection {
  readonly store: LedgerStore;
  readonly digests: DigestStore;
  readonly describe: string;
  close(): void;
}

/**
 * Connects to the ledger: `DYNAMODB_ENDPOINT` / `LEDGER_TABLE` from the environment (no endpoint
 * means the real AWS account of the current credentials), else `.dealreg/local.json` written by
 * the running local stack. Digests go to `LEDGER_DIGEST_BUCKET` when set, else to files under
 * `<data dir>/ledger-digests/`.
 */
export async function connectLedger(
  dataDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<LedgerConnection> {
  let endpoint = environment.DYNAMODB_ENDPOINT?.trim() || undefined;
  let tableName = environment.LEDGER_TABLE?.trim() || undefined;
  if (tableName === undefined) {
    const file = join(dataDir, 'local.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new LedgerConnectionError(
        `no ledger to connect to: set LEDGER_TABLE (and DYNAMODB_ENDPOINT for DynamoDB Local), or start the local stack (npx dealreg local) so that ${file} exists`,
        { cause: error },
      );
    }
    let parsed: z.infer<typeof localJson>;
    try {
      parsed = localJson.parse(JSON.parse(text));
    } catch (error) {
      throw new LedgerConnectionError(`${file} has no dynamodb.endpoint and tables.Ledger`, { cause: error });
    }
    endpoint ??= parsed.dynamodb.endpoint;
    tableName = parsed.tables.Ledger;
  }
  const client = new DynamoDBClient(endpoint === undefined ? {} : localClientConfig(endpoint));
  const bucket = environment.LEDGER_DIGEST_BUCKET?.trim() || undefined;
  const digestDir = localDigestDirectory(dataDir);
  const s3 = bucket === undefined ? undefined : new S3Client({});
  return {
    store: new DynamoDbLedgerStore(client, tableName),
    digests:
      s3 === undefined || bucket === undefined
        ? new FileDigestStore(digestDir)
        : new S3DigestStore(s3, bucket),
    describe: `${tableName}${endpoint === undefined ? '' : ` at ${endpoint}`}`,
    close() {
      client.destroy();
      s3?.destroy();
    },
  };
}

function instant(name: string) {
  return (value: string): string => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value;
    const result = instantSchema.safeParse(date);
    if (!result.success)
      throw new Error(`${name} must be an ISO date or instant such as 2026-09-30T23:59:59Z, got "${value}"`);
    return result.data;
  };
}

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new Error(`${name} must be a whole number ≥ 1, got "${value}"`);
    return parsed;
  };
}

/** `k=v` → [k, v]; v is JSON when it parses as JSON (numbers, objects, null), else a string. */
export function parseAssignment(text: string): [string, unknown] {
  const index = text.indexOf('=');
  if (index <= 0)
    throw new Error(`--set expects field=value (e.g. relationshipType=influenced), got "${text}"`);
  const key = text.slice(0, index).trim();
  const raw = text.slice(index + 1);
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(key)) {
    throw new Error(`--set field "${key}" is not a field path such as amount.amountMinor`);
  }
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

function collect(value: string, previous: [string, unknown][] = []): [string, unknown][] {
  return [...previous, parseAssignment(value)];
}

function summary(entry: LedgerEntry): string {
  switch (entry.type) {
    case 'RegistrationApproved':
      return `${entry.registrationId} ${entry.partnerId} ${entry.relationshipType} (${entry.customer.domain})`;
    case 'PartnerAttached':
      return `${entry.partnerId} ${entry.relationshipType}`;
    case 'PartnerDetached':
      return `${entry.partnerId}${entry.reason ? ` — ${entry.reason}` : ''}`;
    case 'OpportunityCreated':
      return `${entry.dealName ?? ''} ${entry.customer.domain}`.trim();
    case 'StageChanged':
      return entry.stage;
    case 'AmountChanged':
    case 'ClosedWon':
      return `${entry.amount.amountMinor} ${entry.amount.currency} (USD ${(entry.amount.usdMinor / 100).toFixed(2)} @ ${entry.amount.usdRate})`;
    case 'CloseDateChanged':
      return entry.closeDate;
    case 'ClosedLost':
      return entry.reason ?? '';
    case 'RegistrationExpired':
      return `${entry.registrationId} ${entry.partnerId}`;
    case 'InvestmentRecorded':
      return `${entry.investmentId} ${entry.investmentType} ${entry.campaignId} ${entry.amount.amountMinor} ${entry.amount.currency}`;
    case 'Correction':
      return `supersedes #${entry.supersedesSequence}: ${JSON.stringify(entry.changes)} — ${entry.reason} (approved by ${entry.approver})`;
  }
}

function printTable(entries: readonly LedgerEntry[], state: OpportunityState): void {
  const rows = entries.map((entry) => [
    String(entry.sequence),
    entry.type,
    entry.effectiveAt,
    entry.recordedAt,
    summary(entry),
  ]);
  const header = ['seq', 'type', 'effective', 'recorded', 'detail'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('');
  const amount = state.amount === undefined ? '—' : `${state.amount.amountMinor} ${state.amount.currency}`;
  console.log(
    `state: ${state.outcome}, stage ${state.stage ?? '—'}, amount ${amount}, customer ${state.customer?.domain ?? '—'}`,
  );
  for (const record of state.attributions) {
    console.log(
      `  partner ${record.partnerId} ${record.relationshipType} since ${record.since}${record.active ? '' : ` until ${record.until}`}`,
    );
  }
}

type Common = { dataDir: string };

async function withLedger<T>(options: Common, run: (ledger: LedgerConnection) => Promise<T>): Promise<T> {
  const ledger = await connectLedger(options.dataDir);
  try {
    return await run(ledger);
  } finally {
    ledger.close();
  }
}

/** `dealreg ledger …`: verify, show, correct, report and digest the attribution ledger. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the attribution ledger: append-only, hash-chained partner attribution per opportunity');
  const dataDir = () =>
    new Option('--data-dir <dir>', 'where local.json and ledger digests live').default('.dealreg');

  ledger
    .command('verify')
    .description('check every hash chain and digest; exits 1 naming the first bad entry of each broken chain')
    .option('--opportunity <id>', 'verify one opportunity only')
    .option(
      '--file <export.jsonl>',
      'verify an export (ledger export) instead of the table, against local digests',
    )
    .option('--segments <n>', 'parallel scan segments', positiveInteger('--segments'), 4)
    .option(
      '--workers <n>',
      'with --file: worker threads, each checking a part of the chains (1: the calling thread only)',
      positiveInteger('--workers'),
      1,
    )
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .addOption(dataDir())
    .action(
      async (
        options: Common & {
          opportunity?: string;
          file?: string;
          segments: number;
          workers: number;
          format: string;
        },
      ) => {
        const only = options.opportunity === undefined ? {} : { opportunityId: options.opportunity };
        let report: LedgerVerification;
        let describe: string;
        if (options.file !== undefined) {
          const file = options.file;
          const { loaded, problems } = await loadDigests(
            new FileDigestStore(localDigestDirectory(options.dataDir)),
          );
          try {
            await access(file, constants.R_OK);
          } catch (error) {
            throw new Error(
              `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
              { cause: error },
            );
          }
          const result = await verifyJsonLinesFile(file, {
            ...only,
            digests: loaded,
            workers: options.workers,
          });
          report = { ...result, ok: result.ok && problems.length === 0, digestProblems: problems };
          describe = file;
        } else {
          const connection = await connectLedger(options.dataDir);
          try {
            report = await verifyLedger(
              { store: connection.store, digests: connection.digests },
              { segments: options.segments, ...only },
            );
            describe = connection.describe;
          } finally {
            connection.close();
          }
        }
        if (options.format === 'json') {
          const { heads: _heads, ...rest } = report;
          console.log(JSON.stringify(rest, null, 2));
        } else {
          console.log(
            `${describe}: ${report.entries} entries in ${report.chains} chains, ${report.digestsChecked} digests checked`,
          );
          for (const problem of report.digestProblems) console.log(`BROKEN digest: ${problem}`);
          for (const broken of report.broken) {
            console.log(
              `BROKEN ${broken.opportunityId} #${broken.sequence} (${broken.problem}): ${broken.detail}`,
            );
          }
          console.log(
            report.ok
              ? 'ledger intact'
              : `ledger BROKEN: ${report.broken.length + report.digestProblems.length} problem(s)`,
          );
        }
        if (!report.ok) process.exitCode = 1;
      },
    );

  ledger
    .command('export')
    .description(
      'write every ledger entry as a canonical JSON line (verify it offline with ledger verify --file)',
    )
    .requiredOption('--out <file>', 'file to create (refuses to overwrite)')
    .addOption(dataDir())
    .action(async (options: Common & { out: string }) => {
      await withLedger(options, async ({ store, describe }) => {
        const output = await open(options.out, 'wx');
        try {
          const count = await exportJsonLines(store, async (text) => {
            await output.write(text);
          });
          console.log(`exported ${count} entries from ${describe} to ${options.out}`);
        } finally {
          await output.close();
        }
      });
    });

  ledger
    .command('show')
    .description(
      "an opportunity's entries and its state as of a moment (business time) as known at another (system time)",
    )
    .requiredOption('--opportunity <id>', 'opportunity (HubSpot deal) id')
    .option('--as-of <iso>', 'business time (default: now)', instant('--as-of'))
    .option(
      '--known-at <iso>',
      'system time: ignore what was recorded later (default: now)',
      instant('--known-at'),
    )
    .addOption(new Option('--format <format>', 'output').choices(['json', 'table']).default('table'))
    .addOption(dataDir())
    .action(
      async (options: Common & { opportunity: string; asOf?: string; knownAt?: string; format: string }) => {
        await withLedger(options, async ({ store }) => {
          const now = new Date().toISOString();
          const at = { asOf: options.asOf ?? now, knownAt: options.knownAt ?? now };
          const entries = (await readChain(store, options.opportunity)).filter(
            (entry) => entry.recordedAt <= at.knownAt,
          );
          if (entries.length === 0)
            throw new Error(`the ledger has no entries for opportunity ${options.opportunity}`);
          const state = await opportunityAsOf(store, options.opportunity, at);
          if (options.format === 'json') console.log(JSON.stringify({ ...at, state, entries }, null, 2));
          else printTable(entries, state);
        });
      },
    );

  ledger
    .command('correct')
    .description('append a correction that supersedes one entry (the entry itself is never changed)')
    .requiredOption('--opportunity <id>', 'opportunity (HubSpot deal) id')
    .requiredOption(
      '--sequence <n>',
      'sequence number of the entry to supersede',
      positiveInteger('--sequence'),
    )
    .requiredOption('--reason <text>', 'why the entry was wrong')
    .requiredOption('--approver <who>', 'who approved the correction')
    .requiredOption(
      '--set <field=value...>',
      'corrected value, repeatable (e.g. --set relationshipType=influenced)',
      collect,
    )
    .option(
      '--effective-at <iso>',
      'when the correction was decided (default: now)',
      instant('--effective-at'),
    )
    .addOption(dataDir())
    .action(
      async (
        options: Common & {
          opportunity: string;
          sequence: number;
          reason: string;
          approver: string;
          set: [string, unknown][];
          effectiveAt?: string;
        },
      ) => {
        await withLedger(options, async ({ store }) => {
          const entry = await appendEntry(
            { store },
            {
              type: 'Correction',
              opportunityId: options.opportunity,
              effectiveAt: options.effectiveAt ?? new Date().toISOString(),
              recordedBy: `cli:${options.approver}`,
              supersedesSequence: options.sequence,
              reason: options.reason,
              approver: options.approver,
              changes: Object.fromEntries(options.set),
            },
          );
          console.log(
            `correction #${entry.sequence} on ${entry.opportunityId} supersedes #${options.sequence} (hash ${entry.hash})`,
          );
        });
      },
    );

  ledger
    .command('report')
    .description('every attribution as of a moment on both time axes, as canonical JSON (byte-stable)')
    .option('--as-of <iso>', 'business time (default: now)', instant('--as-of'))
    .option('--known-at <iso>', 'system time (default: now)', instant('--known-at'))
    .option('--partner <id>', 'only opportunities of this partner')
    .option('--campaign <id>', 'only opportunities of this campaign')
    .option('--quarter <YYYY-Qn>', 'only opportunities with entries effective in this fiscal quarter')
    .option(
      '--fiscal-year-start <month>',
      'first month of the fiscal year (1–12)',
      positiveInteger('--fiscal-year-start'),
      1,
    )
    .addOption(dataDir())
    .action(
      async (
        options: Common & {
          asOf?: string;
          knownAt?: string;
          partner?: string;
          campaign?: string;
          quarter?: string;
          fiscalYearStart: number;
        },
      ) => {
        await withLedger(options, async ({ store }) => {
          const now = new Date().toISOString();
          const report = await attributionsAsOf(
            store,
            { asOf: options.asOf ?? now, knownAt: options.knownAt ?? now },
            {
              partnerId: options.partner,
              campaignId: options.campaign,
              quarter:
                options.quarter === undefined
                  ? undefined
                  : parseFiscalQuarter(options.quarter, options.fiscalYearStart),
            },
          );
          console.log(renderLedgerReport(report));
        });
      },
    );

  ledger
    .command('digest')
    .description('write a digest (Merkle root over every chain head) to the digest store')
    .addOption(dataDir())
    .action(async (options: Common) => {
      await withLedger(options, async ({ store, digests }) => {
        const { location, digest } = await writeDigest({ store, digests });
        console.log(
          `digest of ${digest.chains} chains (${digest.entries} entries), root ${digest.root}: ${location}`,
        );
      });
    });
}
