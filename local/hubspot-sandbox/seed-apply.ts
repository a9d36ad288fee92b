import { HubSpotApiError, SandboxSeedError } from './errors.ts';
import type { ObjectStore, Portal } from './portal.ts';
import { type SandboxSeed, sandboxSeedSchema } from './seed.ts';
import { parseTimestamp } from './values.ts';

export interface SeedSummary {
  owners: number;
  pipelines: number;
  schemas: number;
  properties: number;
  labels: number;
  records: Record<string, number>;
  associations: number;
  forms: number;
  formSubmissions: number;
}

function explain(step: string, error: unknown): never {
  if (error instanceof SandboxSeedError) throw error;
  const message = error instanceof HubSpotApiError || error instanceof Error ? error.message : String(error);
  throw new SandboxSeedError(`seed ${step}: ${message}`, { cause: error });
}

/**
 * Loads a seed document into the portal. The document is validated as a whole first; records of
 * every type are then validated before any is stored, so a bad record leaves no records behind.
 * Definitions (owners, pipelines, schemas, properties, labels) are applied before the records that
 * use them.
 */
export function applySeed(portal: Portal, input: SandboxSeed | unknown): SeedSummary {
  const parsed = sandboxSeedSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SandboxSeedError(`invalid seed: ${issues.join('; ')}`);
  }
  const seed = parsed.data;
  const at = portal.now();
  const summary: SeedSummary = {
    owners: 0,
    pipelines: 0,
    schemas: 0,
    properties: 0,
    labels: 0,
    records: {},
    associations: 0,
    forms: 0,
    formSubmissions: 0,
  };

  for (const owner of seed.owners) {
    portal.owners.set(owner.id, {
      id: owner.id,
      email: owner.email,
      firstName: owner.firstName,
      lastName: owner.lastName,
      userId: owner.userId ?? Number(owner.id),
      teams: (owner.teams ?? []).map((team) => ({ ...team, primary: team.primary ?? false })),
      ...(owner.archived === true ? { archived: true } : {}),
      createdAt: at,
      updatedAt: at,
    });
    summary.owners++;
  }
  for (const pipeline of seed.pipelines) {
    portal.pipelines.set(pipeline.id, {
      id: pipeline.id,
      label: pipeline.label,
      displayOrder: pipeline.displayOrder ?? portal.pipelines.size,
      stages: pipeline.stages.map((stage, index) => ({
        ...stage,
        displayOrder: stage.displayOrder ?? index,
      })),
      createdAt: at,
      updatedAt: at,
    });
    summary.pipelines++;
  }
  for (const [index, schema] of seed.schemas.entries()) {
    try {
      portal.createSchema(schema);
    } catch (error) {
      explain(`schemas[${index}]`, error);
    }
    summary.schemas++;
  }
  for (const [type, properties] of Object.entries(seed.properties)) {
    try {
      const store = portal.store(type);
      const definitions = portal.prepareProperties(
        store,
        properties.map((property) => ({
          ...property,
          label: property.label ?? property.name,
          groupName: property.groupName ?? store.info.defaultGroup,
        })),
      );
      portal.addProperties(store, definitions);
      summary.properties += definitions.length;
    } catch (error) {
      explain(`properties.${type}`, error);
    }
  }
  for (const [index, label] of seed.labels.entries()) {
    try {
      portal.associations.createLabel(
        portal.store(label.from).info.objectTypeId,
        portal.store(label.to).info.objectTypeId,
        label,
      );
    } catch (error) {
      explain(`labels[${index}]`, error);
    }
    summary.labels++;
  }

  // Records: validate every type before storing any.
  const batches: {
    name: string;
    store: ObjectStore;
    records: {
      id?: string | number | undefined;
      properties: Record<string, unknown>;
      createdAt?: number | string | undefined;
    }[];
  }[] = [];
  const add = (name: string, records: (typeof batches)[number]['records']): void => {
    if (records.length === 0) return;
    try {
      batches.push({ name, store: portal.store(name), records });
    } catch (error) {
      explain(name, error);
    }
  };
  add('companies', seed.companies);
  add('contacts', seed.contacts);
  add('deals', seed.deals);
  for (const type of ['calls', 'meetings', 'emails', 'notes', 'tasks'] as const) {
    add(
      type,
      seed.engagements.filter((engagement) => engagement.type === type),
    );
  }
  for (const [type, records] of Object.entries(seed.objects)) add(type, records);
  const prepared = batches.map((batch) => {
    const ids = new Set<string>();
    try {
      return portal.prepareCreates(
        batch.store,
        batch.records.map((record, index) => {
          const id = record.id === undefined ? undefined : String(record.id);
          if (id !== undefined) {
            if (ids.has(id)) throw new SandboxSeedError(`${batch.name}[${index}]: id ${id} is used twice`);
            ids.add(id);
          }
          return { properties: record.properties, id };
        }),
      );
    } catch (error) {
      return explain(batch.name, error);
    }
  });
  batches.forEach((batch, index) => {
    const items = prepared[index] ?? [];
    portal.commitCreates(batch.store, items, (position) => {
      const createdAt = batch.records[position]?.createdAt;
      return createdAt === undefined ? undefined : parseTimestamp(createdAt);
    });
    summary.records[batch.store.info.name] = (summary.records[batch.store.info.name] ?? 0) + items.length;
  });

  const links = seed.associations.map((association, index) => {
    try {
      const from = portal.store(association.from.type);
      const to = portal.store(association.to.type);
      portal.find(from, association.from.id);
      portal.find(to, association.to.id);
      let typeId = association.typeId;
      if (typeId === undefined && association.label !== undefined) {
        const label = association.label;
        const found = portal.associations
          .labels(from.info.objectTypeId, to.info.objectTypeId)
          .find((type) => type.label === label);
        if (found === undefined)
          throw new SandboxSeedError(
            `no association label "${label}" from ${association.from.type} to ${association.to.type}`,
          );
        typeId = found.typeId;
      }
      const type =
        typeId === undefined
          ? portal.associations.defaultAssociationType(from.info.objectTypeId, to.info.objectTypeId)
          : portal.associations.associationType(
              { associationTypeId: typeId },
              from.info.objectTypeId,
              to.info.objectTypeId,
            );
      return { from, to, fromId: association.from.id, toId: association.to.id, typeIds: [type.typeId] };
    } catch (error) {
      return explain(`associations[${index}]`, error);
    }
  });
  for (const link of links) {
    // A labelled association also carries the default one, as in HubSpot.
    const fallback = portal.associations.defaultAssociationType(
      link.from.info.objectTypeId,
      link.to.info.objectTypeId,
    ).typeId;
    portal.associations.associate(
      link.from.info.objectTypeId,
      link.fromId,
      link.to.info.objectTypeId,
      link.toId,
      [...new Set([fallback, ...link.typeIds])],
    );
    summary.associations++;
  }

  for (const form of seed.forms) {
    portal.forms.add(form);
    summary.forms++;
  }
  for (const [index, submission] of seed.formSubmissions.entries()) {
    const submittedAt = parseTimestamp(submission.submittedAt);
    if (submittedAt === undefined)
      throw new SandboxSeedError(`formSubmissions[${index}].submittedAt is not a timestamp`);
    try {
      portal.forms.addSubmission(submission.formGuid, { ...submission, submittedAt });
    } catch (error) {
      explain(`formSubmissions[${index}]`, error);
    }
    summary.formSubmissions++;
  }
  return summary;
}

export interface GenerateRequest {
  objectType: string;
  count: number;
  /** Property values; `{i}` in a string is replaced by the record's 0-based index. */
  properties: Record<string, string | number>;
}

/** Creates `count` records from a template (for benchmarks): no webhooks, no per-record validation beyond the first. */
export function generateRecords(
  portal: Portal,
  request: unknown,
): { objectType: string; created: number; firstId?: string | undefined; lastId?: string | undefined } {
  const candidate = (request ?? {}) as Partial<GenerateRequest>;
  if (typeof candidate.objectType !== 'string')
    throw new SandboxSeedError('generate: "objectType" is required');
  const count = Number(candidate.count);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new SandboxSeedError('generate: "count" must be an integer between 1 and 1,000,000');
  }
  const template = candidate.properties ?? {};
  if (typeof template !== 'object' || Array.isArray(template))
    throw new SandboxSeedError('generate: "properties" must be an object');
  let store: ObjectStore;
  try {
    store = portal.store(candidate.objectType);
    portal.prepareCreates(store, [{ properties: instantiate(template, 0) }]);
  } catch (error) {
    explain('generate', error);
  }
  const ids: string[] = [];
  const chunk = 1000;
  for (let start = 0; start < count; start += chunk) {
    const inputs = [];
    for (let i = start; i < Math.min(count, start + chunk); i++)
      inputs.push({ properties: instantiate(template, i) });
    const records = portal.commitCreates(store, portal.prepareCreates(store, inputs));
    if (ids.length === 0 && records[0] !== undefined) ids.push(records[0].id);
    const last = records.at(-1);
    if (last !== undefined) ids[1] = last.id;
  }
  return {
    objectType: store.info.name,
    created: count,
    firstId: ids[0],
    lastId: ids[1],
  };
}

function instantiate(
  template: Record<string, string | number>,
  index: number,
): Record<string, string | number> {
  const result: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(template)) {
    result[name] = typeof value === 'string' ? value.replaceAll('{i}', String(index)) : value;
  }
  return result;
}
