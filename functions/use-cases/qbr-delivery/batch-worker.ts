/** Step 3 of the pre-QBR workflow: read one batch of deals (the Distributed Map's worker). */
import * as z from 'zod';
import { DEAL_BATCH_SIZE, dealBatchName } from '#domain/qbr/report-location.ts';
import type { QbrRunStore } from '#ports/qbr-run-store.ts';
import { type ReconciledDeals, reconciliationProperties } from '#use-cases/qbr-build-report.ts';
import { parseStepInput } from './step-input.ts';

export const batchInputSchema = z.object({
  Items: z
    .array(z.string().min(1, 'a deal id is empty'))
    .min(1, 'a batch needs at least one deal id')
    .max(DEAL_BATCH_SIZE, `a batch holds at most ${DEAL_BATCH_SIZE} deal ids`),
  BatchInput: z.object({
    run: z.string().regex(/^runs\/[\w./-]+$/, 'expected the run folder runs/<quarter>/<asOf>'),
  }),
});

interface DealBatchResult {
  readonly batch: string;
  readonly deals: number;
  readonly missing: number;
}

/**
 * Reads one batch of up to 100 deals from HubSpot (one request, under the adapter's limiter) with
 * the properties the reconciliation compares, and stores the answer for the report step. The
 * Distributed Map runs many of these at once, capped below the portal's rate limit.
 */
export function createQbrBatchWorker(deps: {
  deals: ReconciledDeals;
  runs: QbrRunStore;
  /** The deal property holding the CRO's view of the deal source (policy `definitions.croView`). */
  croProperty: string;
}) {
  const properties = reconciliationProperties(deps.croProperty);
  return async (input: unknown): Promise<DealBatchResult> => {
    const { Items: ids, BatchInput } = parseStepInput('deal batch', batchInputSchema, input);
    const [answer, partners] = await Promise.all([
      deps.deals.batchReadDeals(ids, properties),
      deps.deals.partnerAssociationsOfDeals?.(ids),
    ]);
    await deps.runs.writeBatch(BatchInput.run, ids, {
      ...answer,
      ...(partners === undefined ? {} : { partnerAssociations: Object.fromEntries(partners) }),
    });
    return { batch: dealBatchName(ids), deals: answer.deals.length, missing: answer.missing.length };
  };
}
