import { type Command, InvalidArgumentError, Option } from 'commander';
import { asOfHelp } from './as-of-help.ts';
import { UsageError } from './usage-error.ts';

export const qbrFormats = ['json', 'html', 'csv'] as const;
export type QbrFormat = (typeof qbrFormats)[number];

/** `--as-of` is given as typed; it is checked when the command runs. */
export interface QbrCheckOptions {
  readonly quarter: string;
  readonly asOf?: string;
  readonly format: QbrFormat;
  readonly out?: string;
  readonly send?: boolean;
  readonly store: boolean;
  readonly policy?: string;
  readonly hubspot: boolean;
  readonly dataDir: string;
  readonly token?: string;
  readonly baseUrl?: string;
  readonly portalId?: string;
}

/** `dealreg qbr due`: when the scheduled check runs. */
export interface QbrDueOptions {
  readonly quarter?: string;
  readonly policy?: string;
  readonly dataDir: string;
}

function quarterArgument(value: string): string {
  if (!/^\d{4}-Q[1-4]$/.test(value)) {
    throw new InvalidArgumentError(`expected a fiscal quarter such as 2026-Q4, got "${value}"`);
  }
  return value;
}

/** `dealreg qbr check`: the pre-QBR pressure test on demand. */
export function registerQbrCommands(program: Command): void {
  const qbr = program
    .command('qbr')
    .description('the pre-QBR pressure test: metrics, reconciliation and findings');
  qbr
    .command('check')
    .description(
      'reconcile the ledger with HubSpot and compute the quarter as of a moment; JSON to stdout unless --out; exits 1 when a ledger chain is broken, 2 for a bad argument',
    )
    .requiredOption(
      '--quarter <YYYY-QN>',
      'fiscal quarter (policy reporting.fiscalYearStartMonth)',
      quarterArgument,
    )
    .option('--as-of <iso>', asOfHelp('the moment, on both time axes'))
    .addOption(new Option('--format <format>', 'output').choices(qbrFormats).default('json'))
    .option('--out <dir>', 'write the report files into this directory and print a summary')
    .option('--send', 'email the report to reporting.leadership through the local mailbox')
    .option('--no-store', 'do not keep a copy under <data-dir>/reports/<quarter>/<asOf>/')
    .option(
      '--policy <file>',
      "policy file (default: the running local stack's policy, else policy/default-policy.json)",
    )
    .option('--no-hubspot', 'skip the reconciliation with HubSpot (ledger and registrations only)')
    .option('--token <token>', 'HubSpot access token (default: HUBSPOT_ACCESS_TOKEN, then the local sandbox)')
    .option('--base-url <url>', 'HubSpot API base URL (default: HUBSPOT_BASE_URL, then the local sandbox)')
    .option('--portal-id <id>', 'HubSpot portal id')
    .addOption(
      new Option('--data-dir <dir>', 'where local.json, the stored reports and the snapshots live').default(
        '.dealreg',
      ),
    )
    .action(async (options: QbrCheckOptions) => {
      if (options.format === 'csv' && options.out === undefined) {
        throw new UsageError('--format csv writes several files: name a directory with --out DIR');
      }
      await (await import('./qbr-actions.ts')).check(options);
    });
  qbr
    .command('due')
    .description(
      'when the scheduled pre-QBR check runs: the next one, or that of --quarter, on the policy calendar (reporting.qbrCheckBusinessDaysBeforeQuarterEnd)',
    )
    .option('--quarter <YYYY-QN>', 'fiscal quarter (default: the next check from now)', quarterArgument)
    .option(
      '--policy <file>',
      "policy file (default: the running local stack's policy, else policy/default-policy.json)",
    )
    .addOption(new Option('--data-dir <dir>', 'where local.json lives').default('.dealreg'))
    .action(async (options: QbrDueOptions) => (await import('./qbr-actions.ts')).due(options));
}
