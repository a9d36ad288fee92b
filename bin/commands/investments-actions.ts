import { readFile } from 'node:fs/promises';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import { HubSpotPartnerDirectory } from '#adapters/hubspot/partner-directory.ts';
import type { PartnerCompanyLookup } from '#ports/hubspot.ts';
import { InvestmentImportError, importInvestments } from '#use-cases/ledger-import-investments.ts';
import { commandNow } from './command-clock.ts';
import { connect, resolveHubSpotSettings } from './hubspot-settings.ts';
import type { InvestmentsImportOptions } from './investments.ts';
import { connectLedger } from './ledger-connection.ts';
import { describeCommandPolicy, resolveCommandPolicy } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

/** `dealreg investments import FILE.csv`: all lines or none; a file with bad lines is a bad argument. */
export async function importFile(file: string, options: InvestmentsImportOptions): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (code ?? String(error));
    throw new UsageError(`cannot read ${file}: ${reason}; name the investments CSV file to import`, {
      cause: error,
    });
  }
  const commandPolicy = await resolveCommandPolicy(options);
  const { policy } = commandPolicy.loaded;
  const now = await commandNow(options.dataDir);
  const partners = await partnerCompanies(options.dataDir);
  const ledger = await connectLedger(options.dataDir);
  try {
    const { appended, skipped, atomic } = await importInvestments(
      { store: ledger.store, ledgerKey: await ledger.ledgerKey(), now: () => now },
      text,
      { recordedBy: options.recordedBy, investmentTypes: policy.reporting.investmentTypes, partners },
    ).catch((error: unknown) => {
      if (error instanceof InvestmentImportError) throw new UsageError(error.message, { cause: error });
      throw error;
    });
    console.log(
      `imported ${appended} investment(s) from ${file}${atomic || appended === 0 ? '' : ' one at a time (too many for one transaction)'}${skipped > 0 ? `; ${skipped} already recorded, skipped` : ''} (${describeCommandPolicy(commandPolicy)})`,
    );
  } finally {
    ledger.close();
  }
}

/**
 * HubSpot's companies, to check each `partnerId` against its partner companies (as `partners list`
 * reads them); without HubSpot settings, the reason, so a line naming a partner is refused.
 */
async function partnerCompanies(
  dataDir: string,
): Promise<PartnerCompanyLookup | { readonly unavailable: string }> {
  try {
    return new HubSpotPartnerDirectory(connect(await resolveHubSpotSettings({ dataDir })));
  } catch (error) {
    if (error instanceof HubSpotConfigurationError) return { unavailable: error.message };
    throw error;
  }
}
