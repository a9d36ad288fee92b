import { type Command, Option } from 'commander';
import { asOfHelp, calendarPolicyHelp } from './as-of-help.ts';

export interface CoSellCommonOptions {
  readonly dataDir: string;
}

/** Given as typed; checked when the command runs. */
export interface CoSellStatusOptions extends CoSellCommonOptions {
  readonly registration?: string;
  readonly asOf?: string;
  readonly policy?: string;
  readonly json?: boolean;
}

/** Given as typed; checked when the command runs. */
export interface CoSellSyncOptions extends CoSellCommonOptions {
  readonly since?: string;
  readonly policy?: string;
}

const actions = () => import('./cosell-actions.ts');

/** `dealreg cosell …`: registrations shared with AWS Partner Central (ACE) as co-sell opportunities. */
export function registerCoSellCommands(program: Command): void {
  const coSell = program
    .command('cosell')
    .description(
      'co-sell with AWS: approved registrations shared as opportunities in AWS Partner Central (ACE)',
    );
  const dataDir = () =>
    new Option('--data-dir <dir>', 'where local.json lives (the local stack)').default('.dealreg');

  coSell
    .command('status')
    .description(
      "every registration shared with AWS as the ledger knows it: HubSpot deal, ACE opportunity, catalog, AWS's review with its reason and comments, stage, since when; and every approved registration not shared, with the reason its approval recorded",
    )
    .option('--registration <id>', 'one registration only (DR-…); exits 1 when it was never shared')
    .option('--as-of <iso>', asOfHelp('business time'))
    .option('--policy <file>', calendarPolicyHelp)
    .option('--json', 'print JSON instead of a table')
    .addOption(dataDir())
    .action(async (options: CoSellStatusOptions) => (await actions()).status(options));

  coSell
    .command('sync')
    .description(
      "read back from Partner Central every opportunity changed since a moment and record AWS's review and stage changes on the ledger (what missed events would have recorded)",
    )
    .option('--since <iso>', 'only opportunities changed after this instant (default: all)')
    .option(
      '--policy <file>',
      "against AWS: the policy whose coSell.catalog to read (default: policy/default-policy.json); locally the stand-in's catalog",
    )
    .addOption(dataDir())
    .addHelpText(
      'after',
      '\nLocally it talks to the Partner Central stand-in named in <data dir>/local.json; with LEDGER_TABLE and' +
        '\nREGISTRATIONS_TABLE set, to AWS Partner Central in us-east-1 with the current AWS credentials.',
    )
    .action(async (options: CoSellSyncOptions) => (await actions()).sync(options));
}
