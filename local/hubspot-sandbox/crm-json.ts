import { validationError } from './errors.ts';
import type { SandboxResponse } from './http.ts';
import type { CrmRecord, ObjectStore, Portal } from './portal.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A record as the CRM v3 API returns it: requested properties (null when unset) plus the built-ins. */
export function recordJson(
  portal: Portal,
  store: ObjectStore,
  record: CrmRecord,
  requested: string[] | undefined,
  associationTypes?: string[],
): Record<string, unknown> {
  const names =
    requested === undefined || requested.length === 0
      ? store.info.defaultProperties
      : [...new Set([...requested, 'hs_object_id', store.info.createdProperty, store.info.modifiedProperty])];
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    if (!store.properties.has(name)) continue; // HubSpot ignores unknown requested properties
    properties[name] = record.properties.get(name) ?? null;
  }
  const json: Record<string, unknown> = {
    id: record.id,
    properties,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archived,
  };
  if (record.archivedAt !== undefined) json.archivedAt = iso(record.archivedAt);
  if (associationTypes !== undefined && associationTypes.length > 0) {
    const associations: Record<string, unknown> = {};
    for (const name of associationTypes) {
      const other = portal.store(name);
      const found = portal.associations.associated(
        store.info.objectTypeId,
        record.id,
        other.info.objectTypeId,
      );
      if (found.length === 0) continue;
      associations[other.info.name] = {
        results: found.flatMap(({ toId, typeIds }) =>
          typeIds.map((typeId) => ({
            id: toId,
            type: portal.associations.types.get(typeId)?.name ?? String(typeId),
          })),
        ),
      };
    }
    json.associations = associations;
  }
  return json;
}

export function batchResponse(
  results: unknown[],
  errors: unknown[],
  startedAt: string,
  created: boolean,
): SandboxResponse {
  const completedAt = new Date().toISOString();
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt };
  if (errors.length > 0) {
    body.errors = errors;
    body.numErrors = errors.length;
    return { status: 207, body };
  }
  return { status: created ? 201 : 200, body };
}

export function inputsOf(portal: Portal, body: Record<string, unknown>): Record<string, unknown>[] {
  const inputs = portal.validateBatchSize(body.inputs);
  return inputs.map((input, index) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw validationError(`inputs[${index}] must be an object`);
    }
    return input as Record<string, unknown>;
  });
}

export function idOf(input: Record<string, unknown>, index: number): string {
  const id = input.id;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw validationError(`inputs[${index}].id is required`);
  return String(id);
}
