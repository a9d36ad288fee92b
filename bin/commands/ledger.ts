import { type Command, InvalidArgumentError, Option } from 'commander';
import { asOfHelp, calendarPolicyHelp, dateAloneHelp } from './as-of-help.ts';

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${name} must be a whole number ≥ 1, got "${value}"`);
    return parsed;
  };
}

/** A calendar month, 1 (January) to 12 (December). */
function month(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > 12)
      throw new InvalidArgumentError(`${name} must be a month from 1 to 12, got "${value}"`);
    return parsed;
  };
}

/** `k=v` → [k, v]; v is JSON when it parses as JSON (numbers, objects, null), else a string. */
export function parseAssignment(text: string): [string, unknown] {
  const index = text.indexOf('=');
  if (index <= 0)
    throw new InvalidArgumentError(
      `--set expects field=value (e.g. relationshipType=influenced), got "${text}"`,
    );
  const key = text.slice(0, index).trim();
  const raw = text.slice(index + 1);
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(key)) {
    throw new InvalidArgumentError(`--set field "${key}" is not a field path such as amount.amountMinor`);
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

export interface LedgerCommonOptions {
  readonly dataDir: string;
}

export interface LedgerVerifyOptions extends LedgerCommonOptions {
  readonly opportunity?: string;
  readonly file?: string;
  readonly segments: number;
  readonly workers: number;
  readonly format: string;
  /** ISO 8601, checked when the command runs. */
  readonly digestEvery?: string;
}

export interface LedgerDigestOptions extends LedgerCommonOptions {
  /** ISO 8601, checked when the command runs. */
  readonly digestEvery?: string;
  readonly newSeries?: boolean;
}

export interface LedgerExportOptions extends LedgerCommonOptions {
  readonly out: string;
}

/** Instants are given as typed; they are checked when the command runs. */
export interface LedgerShowOptions extends LedgerCommonOptions {
  readonly opportunity: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  readonly format: string;
  readonly policy?: string;
  /** False with `--no-hubspot`: partners by id, without reading their names. */
  readonly hubspot: boolean;
}

export interface LedgerCorrectOptions extends LedgerCommonOptions {
  readonly opportunity: string;
  readonly sequence: number;
  readonly reason: string;
  readonly approver: string;
  readonly set: [string, unknown][];
  readonly effectiveAt?: string;
  readonly policy?: string;
}

export interface LedgerReportOptions extends LedgerCommonOptions {
  readonly asOf?: string;
  readonly knownAt?: string;
  readonly partner?: string;
  readonly campaign?: string;
  readonly quarter?: string;
  /** Default: the policy's `reporting.fiscalYearStartMonth`. */
  readonly fiscalYearStart?: number;
  readonly policy?: string;
}

const actions = () => import('./ledger-actions.ts');

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
    .option(
      '--digest-every <duration>',
      'how often digests are due when no digest records it, as ISO 8601 (default: P1D); entries older than twice this must be in a digest',
    )
    .addOption(dataDir())
    .action(async (options: LedgerVerifyOptions) => (await actions()).verify(options));

  ledger
    .command('export')
    .description(
      'write every ledger entry as a canonical JSON line (verify it offline with ledger verify --file)',
    )
    .requiredOption('--out <file>', 'file to create (refuses to overwrite)')
    .addOption(dataDir())
    .action(async (options: LedgerExportOptions) => (await actions()).exportEntries(options));

  ledger
    .command('show')
    .description(
      "an opportunity's entries and its state as of a moment (business time) as known at another (system time)",
    )
    .requiredOption('--opportunity <id>', 'opportunity (HubSpot deal) id')
    .option('--as-of <iso>', asOfHelp('business time'))
    .option(
      '--known-at <iso>',
      `system time: ignore what was recorded later; ${dateAloneHelp} (default: now)`,
    )
    .option('--policy <file>', calendarPolicyHelp)
    .addOption(new Option('--format <format>', 'output').choices(['json', 'table']).default('table'))
    .option('--no-hubspot', 'show partners by id, without reading their names from HubSpot')
    .addOption(dataDir())
    .action(async (options: LedgerShowOptions) => (await actions()).show(options));

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
    .option('--effective-at <iso>', `when the correction was decided; ${dateAloneHelp} (default: now)`)
    .option('--policy <file>', calendarPolicyHelp)
    .addOption(dataDir())
    .action(async (options: LedgerCorrectOptions) => (await actions()).correct(options));

  ledger
    .command('report')
    .description('every attribution as of a moment on both time axes, as canonical JSON (byte-stable)')
    .option('--as-of <iso>', asOfHelp('business time'))
    .option('--known-at <iso>', `system time; ${dateAloneHelp} (default: now)`)
    .option('--partner <id>', 'only opportunities of this partner')
    .option('--campaign <id>', 'only opportunities of this campaign')
    .option(
      '--quarter <YYYY-Qn>',
      "only opportunities with entries effective in this fiscal quarter, cut at midnight in the policy calendar's time zone as qbr check cuts it",
    )
    .option(
      '--fiscal-year-start <month>',
      "first month of the fiscal year (1–12) (default: the policy's reporting.fiscalYearStartMonth)",
      month('--fiscal-year-start'),
    )
    .option(
      '--policy <file>',
      "policy whose calendar time zone and fiscal year cut --quarter and read a date alone (default: the running local stack's policy, else policy/default-policy.json)",
    )
    .addOption(dataDir())
    .action(async (options: LedgerReportOptions) => (await actions()).report(options));

  ledger
    .command('digest')
    .description(
      "write the next digest (every chain's length and head, signed with the ledger key) to the digest store",
    )
    .option(
      '--digest-every <duration>',
      'the digest schedule this digest belongs to, as ISO 8601 (default: P1D)',
    )
    .option(
      '--new-series',
      "begin a new digest series when the ledger holds none of the last digest's chain heads (a ledger started afresh on purpose); without it the command refuses and writes nothing",
    )
    .addOption(dataDir())
    .action(async (options: LedgerDigestOptions) => (await actions()).digest(options));
}
