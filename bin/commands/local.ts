import { type Command, InvalidArgumentError, Option } from 'commander';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got "${value}"`);
  }
  return parsed;
}

export interface LocalOptions {
  readonly port?: number;
  readonly empty?: boolean;
  /** How much of the demo story a new run tells. */
  readonly demo: 'quarter' | 'week';
  readonly dataDir: string;
  readonly fresh?: boolean;
  readonly policy?: string;
  /** ISO 8601, checked when the command runs (the duration parser is not loaded for `--help`). */
  readonly digestEvery?: string;
}

/** `dealreg local`: runs the whole system on this machine until Ctrl-C. */
export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .description('run Dealreg on this machine: DynamoDB Local, the API, the mailbox and the workflows')
    .option('--port <n>', 'port of the local API (default: a free port)', port)
    .option('--empty', 'start a new data directory without the demo data')
    .addOption(
      new Option(
        '--demo <story>',
        'the demo a new data directory tells: "quarter" plays this fiscal quarter on the virtual clock up to its pre-QBR report (a few minutes); "week" tells its first week at the real time',
      )
        .choices(['quarter', 'week'])
        .default('quarter'),
    )
    .option(
      '--data-dir <dir>',
      'where the stack keeps its tables, HubSpot sandbox, mailbox, keys and local.json between runs',
      '.dealreg',
    )
    .option(
      '--fresh',
      'start over: clear what the data directory keeps (tables, sandbox, mailbox, ledger digests, reports)',
    )
    .option(
      '--policy <file>',
      'the policy the workflow enforces (default: the one the data directory ran under before; in a new one policy/demo-policy.json, or policy/default-policy.json with --empty)',
    )
    .option(
      '--digest-every <duration>',
      'how often a ledger digest is written under <data dir>/ledger-digests, as ISO 8601 (default: PT1H)',
    )
    .addHelpText(
      'after',
      '\nA restart on the same data directory carries on where the last run stopped; one stack at a time' +
        '\nper data directory. Ctrl-C (or SIGTERM) stops everything within a few seconds.',
    )
    .action(async (options: LocalOptions) => (await import('./local-actions.ts')).runLocal(options));
}
