import * as z from 'zod';
import { relationshipTypes } from '#domain/relationship-type.ts';
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

const partnerAssociationSchema = z.strictObject({
  companyId: z.string().min(1),
  relationship: z.enum(relationshipTypes),
  label: z.string(),
});

const dealBatchSchema = z.strictObject({
  deals: z.array(dealSchema),
  missing: z.array(z.string()),
  partnerAssociations: z.record(z.string(), z.array(partnerAssociationSchema)).optional(),
});

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
