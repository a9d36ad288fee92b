import * as z from 'zod';

/**
 * What a HubSpot workflow "Send a webhook" action posts: the enrolled record's data, "the exact
 * same data you'd get when pulling that object using the relevant object API" ("Using webhooks in
 * workflows", HubSpot developer documentation) — all its properties or a chosen set ("Use webhooks
 * with HubSpot workflows", HubSpot Knowledge Base). It is never a form submission, so Dealreg takes
 * it as a trigger: the submissions themselves are read from the Forms API. Any JSON object is one.
 */
export const workflowRecordSchema = z.record(z.string(), z.unknown(), {
  error: 'the body must be a JSON object: the record a HubSpot workflow sends, or a form submission',
});

export type WorkflowRecord = z.infer<typeof workflowRecordSchema>;

/**
 * A body that is a Forms API submission — Dealreg's own tools and the CLI post these — carries a
 * `conversionId`; a HubSpot record never does (its id is `vid`, `hs_object_id` or `objectId`).
 */
export function isFormSubmissionBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'conversionId' in body;
}

/** What the log and the stored trigger name the record by: its object id, when it has one. */
export interface WorkflowRecordSummary {
  readonly objectId?: string | undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 256);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A property's value in either shape HubSpot records come in: `{value, versions}` (v1) or plain (v3). */
function propertyValue(properties: unknown, name: string): string | undefined {
  if (typeof properties !== 'object' || properties === null) return undefined;
  const property = (properties as Record<string, unknown>)[name];
  if (typeof property === 'object' && property !== null && 'value' in property) {
    return text((property as { value: unknown }).value);
  }
  return text(property);
}

/** Reads the record's id from a v1 contact (`vid`), a v3 object (`id`) or a chosen property set. */
export function summariseWorkflowRecord(record: WorkflowRecord): WorkflowRecordSummary {
  const objectId =
    text(record['canonical-vid']) ??
    text(record.vid) ??
    text(record.objectId) ??
    text(record.id) ??
    propertyValue(record.properties, 'hs_object_id') ??
    text(record.hs_object_id);
  return { objectId };
}
