/** Step 2 of the pre-QBR workflow: export the ids of the deals to read. */
import { reportFolder, runFolder } from '#domain/qbr/report-location.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { QbrRunStore } from '#ports/qbr-run-store.ts';
import { parseStepInput, type QbrRun, runSchema } from './step-input.ts';

interface DealExportResult extends QbrRun {
  /** The run's folder in the run store. */
  readonly run: string;
  /** The key of the JSON array of deal ids. */
  readonly key: string;
  readonly dealCount: number;
}

/**
 * Lists the ledger's opportunities (campaign chains have no HubSpot deal) and writes their ids
 * as one JSON array for the Distributed Map to read in batches.
 */
export function createQbrDealExport(deps: { ledger: Pick<LedgerStore, 'listChainIds'>; runs: QbrRunStore }) {
  return async (input: unknown): Promise<DealExportResult> => {
    const run = parseStepInput('deal export', runSchema, input);
    const folder = runFolder(reportFolder(run));
    const ids = (await deps.ledger.listChainIds()).filter((id) => !id.startsWith('campaign:')).sort();
    const key = await deps.runs.writeDealIds(folder, ids);
    return { ...run, run: folder, key, dealCount: ids.length };
  };
}
