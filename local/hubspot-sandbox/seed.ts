import { z } from 'zod';

const propertyValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

const seedRecord = z.object({
  /** Optional fixed id, so a seed file can refer to the record in `associations`. */
  id: z
    .union([z.string().regex(/^\d+$/, 'a record id is a string of digits'), z.number().int().positive()])
    .optional(),
  properties: propertyValues,
  /** Optional creation time (ms or ISO) for back-dated demo data. */
  createdAt: z.union([z.number(), z.string()]).optional(),
});

const seedProperty = z.object({
  name: z.string().min(1),
  label: z.string().optional(),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']),
  fieldType: z.string().min(1),
  groupName: z.string().optional(),
  description: z.string().optional(),
  options: z
    .array(z.object({ label: z.string(), value: z.string(), displayOrder: z.number().optional() }))
    .optional(),
  hasUniqueValue: z.boolean().optional(),
});

const objectRef = z.object({
  type: z.string().min(1),
  id: z.union([z.string(), z.number()]).transform(String),
});

/** The seed document: the same shape for the `seed` option, `POST /_sandbox/seed` and demo-seed.json. */
export const sandboxSeedSchema = z
  .object({
    owners: z
      .array(
        z.object({
          id: z.union([z.string(), z.number()]).transform(String),
          email: z.string().email(),
          firstName: z.string(),
          lastName: z.string(),
          userId: z.number().int().optional(),
          /** A deactivated user's owner: HubSpot keeps it, archived. */
          archived: z.boolean().optional(),
          teams: z
            .array(z.object({ id: z.string(), name: z.string(), primary: z.boolean().optional() }))
            .optional(),
        }),
      )
      .default([]),
    /** Deal pipelines; one with id `default` replaces HubSpot's default pipeline. */
    pipelines: z
      .array(
        z.object({
          id: z.string().min(1),
          label: z.string(),
          displayOrder: z.number().optional(),
          stages: z
            .array(
              z.object({
                id: z.string().min(1),
                label: z.string(),
                displayOrder: z.number().optional(),
                probability: z.number().min(0).max(1),
                isClosed: z.boolean(),
              }),
            )
            .min(1),
        }),
      )
      .default([]),
    /** Custom object schemas, in the `POST /crm/v3/schemas` request shape. */
    schemas: z.array(z.record(z.string(), z.unknown())).default([]),
    /** Extra property definitions per object type (`deals`, `0-2`, a custom object name). */
    properties: z.record(z.string(), z.array(seedProperty)).default({}),
    companies: z.array(seedRecord).default([]),
    contacts: z.array(seedRecord).default([]),
    deals: z.array(seedRecord).default([]),
    /** Engagements: `calls`, `meetings`, `emails`, `notes`, `tasks`, each with `hs_timestamp`. */
    engagements: z
      .array(seedRecord.extend({ type: z.enum(['calls', 'meetings', 'emails', 'notes', 'tasks']) }))
      .default([]),
    /** Records of any other type (custom objects by name or `2-…` id). */
    objects: z.record(z.string(), z.array(seedRecord)).default({}),
    /** Association labels to create: `{from, to, label, name, inverseLabel?}`. */
    labels: z
      .array(
        z.object({
          from: z.string(),
          to: z.string(),
          label: z.string().min(1),
          name: z.string().min(1),
          inverseLabel: z.string().optional(),
        }),
      )
      .default([]),
    /** Associations between seeded records; `label` names a user-defined label, else the default type. */
    associations: z
      .array(
        z.object({
          from: objectRef,
          to: objectRef,
          label: z.string().optional(),
          typeId: z.number().optional(),
        }),
      )
      .default([]),
    forms: z
      .array(
        z.object({
          guid: z.string().min(1),
          name: z.string(),
          fields: z
            .array(
              z.object({
                name: z.string().min(1),
                label: z.string().optional(),
                required: z.boolean().optional(),
                fieldType: z.string().optional(),
              }),
            )
            .min(1),
        }),
      )
      .default([]),
    formSubmissions: z
      .array(
        z.object({
          formGuid: z.string(),
          conversionId: z.string().optional(),
          submittedAt: z.union([z.number(), z.string()]),
          values: z.array(z.object({ name: z.string(), value: z.string() })),
          pageUrl: z.string().optional(),
        }),
      )
      .default([]),
  })
  .strict();

/** A seed document as written (every list optional). */
export type SandboxSeed = z.input<typeof sandboxSeedSchema>;
