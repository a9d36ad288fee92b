import { type Command, InvalidArgumentError } from 'commander';

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
  readonly dataDir: string;
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
    .option('--empty', 'start without the demo data')
    .option('--data-dir <dir>', 'where local state and local.json go', '.dealreg')
    .option('--policy <file>', 'the policy the workflow enforces (default: policy/default-policy.json)')
    .option(
      '--digest-every <duration>',
      'how often a ledger digest is written under <data dir>/ledger-digests, as ISO 8601 (default: PT1H)',
    )
    .addHelpText('after', '\nCtrl-C (or SIGTERM) stops everything within a few seconds.')
    .action(async (options: LocalOptions) => (await import('./local-actions.ts')).runLocal(options));
}
