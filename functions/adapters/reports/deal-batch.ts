import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Deal, DealDirectory } from '#ports/hubspot.ts';
import { type DealBatch, InvalidDealBatchError } from '#ports/qbr-run-store.ts';

const nullableTextSchema = z.string().nullable();

const dealSchema = z.strictObject({
  id: z.string().min(1),
  name: nullableTextSchema,
  amount: z.number().finite().nullable(),
  currency: nullableTextSchema,
  pipelineId: nullableTextSchema,
  stageId: nullableTextSchema,
  ownerId: nullableTextSchema,
  closeDate: nullableTextSchema,
  createdAt: nullableTextSchema,
  registrationId: nullableTextSchema,
  partnerCompanyId: nullableTextSchema,
  partnerRelationship: nullableTextSchema,
  properties: z.record(z.string(), nullableTextSchema),
});

const dealBatchSchema = z.strictObject({
  deals: z.array(dealSchema),
  missing: z.array(z.string()),
});

/** The file name of a batch: derived from its ids, so a retried batch overwrites its own file. */
export function dealBatchName(ids: readonly string[]): string {
  return `${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 24)}.json`;
}

/** The run folder of a report: `runs/<quarter>/<asOf folder>`. */
export function runFolder(reportFolder: string): string {
  return `runs/${reportFolder}`;
}

/** A stored batch read back, checked, naming where it came from when it is not one. */
export function parseDealBatch(text: string, where: string): DealBatch {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InvalidDealBatchError(`${where} is not JSON`, { cause });
  }
  const parsed = dealBatchSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidDealBatchError(
      `${where} is not a deal batch: ${issue?.path.join('.')} ${issue?.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/**
 * The deals the batch workers read, answering the report's `batchReadDeals` from memory: the
 * report step of a large run reads HubSpot through the stored batches, not again. An id no
 * batch answered for is reported missing.
 */
export function prefetchedDeals(batches: readonly DealBatch[]): Pick<DealDirectory, 'batchReadDeals'> {
  const byId = new Map<string, Deal>();
  for (const batch of batches) for (const deal of batch.deals) byId.set(deal.id, deal);
  return {
    batchReadDeals: async (ids) => {
      const deals: Deal[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const deal = byId.get(id);
        if (deal === undefined) missing.push(id);
        else deals.push(deal);
      }
      return { deals, missing };
    },
  };
}
