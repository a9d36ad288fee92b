import { type Command, Option } from 'commander';
import { asOfHelp, calendarPolicyHelp } from './as-of-help.ts';

export const partnerListFormats = ['table', 'json', 'csv'] as const;

/** `--as-of` is given as typed; it is checked when the command runs. */
export interface PartnersListOptions {
  readonly format: (typeof partnerListFormats)[number];
  readonly out?: string;
  readonly asOf?: string;
  readonly policy?: string;
  /** False with `--no-hubspot`: the ledger's partners only, by id. */
  readonly hubspot: boolean;
  readonly dataDir: string;
}

/** `dealreg partners list`: the partners the ledger and HubSpot know. */
export function registerPartnerCommands(program: Command): void {
  const partners = program.command('partners').description('partner companies: the ledger’s and HubSpot’s');
  partners
    .command('list')
    .description(
      'partners known to the ledger and/or HubSpot (companies of type PARTNER): id, name, domain, approved registrations and active attributions',
    )
    .addOption(new Option('--format <format>', 'output').choices(partnerListFormats).default('table'))
    .option('--out <file>', 'write the list to this new file instead of stdout (never overwrites)')
    .option('--as-of <iso>', asOfHelp('count registrations and attributions as of this moment'))
    .option('--policy <file>', calendarPolicyHelp)
    .option('--no-hubspot', 'list the ledger’s partners by id, without reading HubSpot')
    .addOption(new Option('--data-dir <dir>', 'where local.json lives (the local stack)').default('.dealreg'))
    .action(async (options: PartnersListOptions) => (await import('./partners-actions.ts')).list(options));
}
