import { z } from 'zod';

/*
 * What the sandbox holds, as a JSON document: the portal (object types and their properties,
 * records, associations and labels, pipelines, owners, forms and submissions, the id counters)
 * and the webhook and rate-limit settings. The local stack saves it in its data directory, so a
 * restarted sandbox answers with the same records and ids. Search indexes are rebuilt from the
 * records; fault injections, statistics and rate-limit windows are not kept.
 */

const propertyDefinitionSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']),
  fieldType: z.string(),
  groupName: z.string(),
  description: z.string(),
  options: z.array(
    z.object({ label: z.string(), value: z.string(), displayOrder: z.number(), hidden: z.boolean() }),
  ),
  displayOrder: z.number(),
  hasUniqueValue: z.boolean(),
  hidden: z.boolean(),
  calculated: z.boolean(),
  hubspotDefined: z.boolean(),
  readOnlyValue: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const objectTypeInfoSchema = z.object({
  objectTypeId: z.string().min(1),
  name: z.string().min(1),
  singular: z.string(),
  aliases: z.array(z.string()),
  defaultProperties: z.array(z.string()),
  createdProperty: z.string(),
  modifiedProperty: z.string(),
  defaultGroup: z.string(),
  custom: z.boolean(),
  requiredProperties: z.array(z.string()),
});

const recordSchema = z.object({
  id: z.string().regex(/^\d+$/, 'a record id is a string of digits'),
  properties: z.record(z.string(), z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
  archivedAt: z.number().optional(),
});

const objectTypeSnapshotSchema = z.object({
  info: objectTypeInfoSchema,
  properties: z.array(propertyDefinitionSchema),
  groups: z.array(z.object({ name: z.string(), label: z.string(), displayOrder: z.number() })),
  records: z.array(recordSchema),
  schema: z.record(z.string(), z.unknown()).optional(),
});

const associationTypeSchema = z.object({
  typeId: z.number().int(),
  fromTypeId: z.string(),
  toTypeId: z.string(),
  category: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED']),
  label: z.string().nullable(),
  name: z.string(),
  inverseTypeId: z.number().int(),
});

/** Association types (labels included) and the associations between records. */
export const associationGraphSnapshotSchema = z.object({
  types: z.array(associationTypeSchema),
  nextTypeId: z.number().int(),
  /** One entry per direction: `from` and `to` are `typeId/recordId`. */
  links: z.array(z.object({ from: z.string(), to: z.string(), typeIds: z.array(z.number().int()) })),
});
export type AssociationGraphSnapshot = z.infer<typeof associationGraphSnapshotSchema>;

const formSubmissionSchema = z.object({
  conversionId: z.string(),
  submittedAt: z.number(),
  values: z.array(z.object({ name: z.string(), value: z.string() })),
  pageUrl: z.string(),
  sequence: z.number().int(),
});

/** Form definitions and their submissions, each form's in (submittedAt, arrival) order. */
export const formStoreSnapshotSchema = z.object({
  definitions: z.array(
    z.object({
      guid: z.string(),
      name: z.string(),
      fields: z.array(
        z.object({ name: z.string(), label: z.string(), required: z.boolean(), fieldType: z.string() }),
      ),
      createdAt: z.number(),
      updatedAt: z.number(),
    }),
  ),
  submissions: z.record(z.string(), z.array(formSubmissionSchema)),
  nextSequence: z.number().int(),
});
export type FormStoreSnapshot = z.infer<typeof formStoreSnapshotSchema>;

const pipelineSchema = z.object({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  stages: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      displayOrder: z.number(),
      probability: z.number(),
      isClosed: z.boolean(),
    }),
  ),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const ownerSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  userId: z.number(),
  teams: z.array(z.object({ id: z.string(), name: z.string(), primary: z.boolean() })),
  archived: z.boolean().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** Everything a portal holds. */
export const portalSnapshotSchema = z.object({
  portalId: z.number().int(),
  nextId: z.number().int(),
  nextCustomObjectId: z.number().int(),
  objectTypes: z.array(objectTypeSnapshotSchema),
  associations: associationGraphSnapshotSchema,
  pipelines: z.array(pipelineSchema),
  owners: z.array(ownerSchema),
  forms: formStoreSnapshotSchema,
});
export type PortalSnapshot = z.infer<typeof portalSnapshotSchema>;

/** The webhook settings `PUT /_sandbox/webhooks` changes, without the targets (the stack sets those). */
export const webhookSettingsSnapshotSchema = z.object({
  workflowDropRate: z.number().min(0).max(1),
  retry: z.object({
    maxAttempts: z.number().int().positive(),
    delaysMs: z.array(z.number().nonnegative()),
    timeoutMs: z.number().positive(),
  }),
  subscribedProperties: z.array(z.string()),
  workflowDuplicateRate: z.number().min(0).max(1),
  crmDuplicateRate: z.number().min(0).max(1),
  crmShuffle: z.boolean(),
  crmBatchSize: z.number().int().positive().max(100),
  crmBatchDelayMs: z.number().nonnegative(),
});
export type WebhookSettingsSnapshot = z.infer<typeof webhookSettingsSnapshotSchema>;

/** The whole sandbox, as the local stack saves it. */
export const sandboxSnapshotSchema = z.object({
  /** Bumped when the format changes in a way an older snapshot cannot be read as. */
  version: z.literal(1),
  portal: portalSnapshotSchema,
  webhooks: webhookSettingsSnapshotSchema,
  rateLimit: z.union([
    z.literal(false),
    z.object({
      requestsPerWindow: z.number().positive(),
      windowMs: z.number().positive(),
      searchPerSecond: z.number().positive(),
      daily: z.number().positive(),
    }),
  ]),
});
export type SandboxSnapshot = z.infer<typeof sandboxSnapshotSchema>;
