import { type Command, Option } from 'commander';

export interface InvestmentsImportOptions {
  readonly recordedBy: string;
  readonly dataDir: string;
  readonly policy?: string;
}

/** `dealreg investments import FILE.csv`: records MDF, co-marketing, event and SPIFF spend in the ledger. */
export function registerInvestmentCommands(program: Command): void {
  const investments = program
    .command('investments')
    .description('partner investments (MDF, co-marketing, events, SPIFF)');
  investments
    .command('import')
    .description(
      'import investments from CSV (investmentId, investmentType, campaignId, partnerId, amount, currency, usdRate, effectiveAt, opportunityId); all lines or none',
    )
    .argument('<file>', 'CSV file with a header row')
    .option('--recorded-by <who>', 'who records the import', 'investments-import')
    .option(
      '--policy <file>',
      "policy file whose reporting.investmentTypes the types must be among (default: the running local stack's policy, else policy/default-policy.json)",
    )
    .addOption(new Option('--data-dir <dir>', 'where local.json lives').default('.dealreg'))
    .action(async (file: string, options: InvestmentsImportOptions) =>
      (await import('./investments-actions.ts')).importFile(file, options),
    );
}
