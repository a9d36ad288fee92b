import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { importInvestments } from '#use-cases/ledger-import-investments.ts';
import { connectLedger } from './ledger.ts';

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
    .addOption(new Option('--data-dir <dir>', 'where local.json lives').default('.dealreg'))
    .action(async (file: string, options: { recordedBy: string; dataDir: string }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
          cause: error,
        });
      }
      const ledger = await connectLedger(options.dataDir);
      try {
        const { appended, skipped, atomic } = await importInvestments(
          { store: ledger.store },
          text,
          options.recordedBy,
        );
        console.log(
          `imported ${appended} investment(s) from ${file}${atomic || appended === 0 ? '' : ' one at a time (too many for one transaction)'}${skipped > 0 ? `; ${skipped} already recorded, skipped` : ''}`,
        );
      } finally {
        ledger.close();
      }
    });
}
