import { notFound, validationError } from './errors.ts';
import { intParam, listParam, type Route, route, type SandboxRequest, type SandboxResponse } from './http.ts';
import { propertyToJson } from './object-types.ts';
import type { AssociationInput, AssociationType, CrmRecord, ObjectStore, Portal } from './portal.ts';
import { search } from './search.ts';

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
      const found = portal.associated(store.info.objectTypeId, record.id, other.info.objectTypeId);
      if (found.length === 0) continue;
      associations[other.info.name] = {
        results: found.flatMap(({ toId, typeIds }) =>
          typeIds.map((typeId) => ({
            id: toId,
            type: portal.associationTypes.get(typeId)?.name ?? String(typeId),
          })),
        ),
      };
    }
    json.associations = associations;
  }
  return json;
}

function batchResponse(
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

function inputsOf(portal: Portal, body: Record<string, unknown>): Record<string, unknown>[] {
  const inputs = portal.validateBatchSize(body.inputs);
  return inputs.map((input, index) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw validationError(`inputs[${index}] must be an object`);
    }
    return input as Record<string, unknown>;
  });
}

function idOf(input: Record<string, unknown>, index: number): string {
  const id = input.id;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw validationError(`inputs[${index}].id is required`);
  return String(id);
}

function objectRoutes(portal: Portal, prefix: string): Route[] {
  const storeOf = (request: SandboxRequest): ObjectStore => portal.store(request.params.type ?? '');
  return [
    route('GET', `${prefix}/:type`, 'api', (request) => {
      const store = storeOf(request);
      const limit = intParam(request.query, 'limit', 10, 100);
      const archived = request.query.get('archived') === 'true';
      const page = portal.list(store, limit, request.query.get('after') ?? undefined, archived);
      const properties = listParam(request.query, 'properties');
      const associations = listParam(request.query, 'associations');
      const body: Record<string, unknown> = {
        results: page.records.map((record) => recordJson(portal, store, record, properties, associations)),
      };
      if (page.next !== undefined) {
        const link = new URL(`http://sandbox${request.path}`);
        link.searchParams.set('after', page.next);
        body.paging = { next: { after: page.next, link: `${link.pathname}${link.search}` } };
      }
      return { status: 200, body };
    }),
    route('POST', `${prefix}/:type/search`, 'search', (request) => {
      const store = storeOf(request);
      const body = request.object();
      const result = search(portal, store, body);
      const properties = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
      return {
        status: 200,
        body: {
          total: result.total,
          results: result.records.map((record) => recordJson(portal, store, record, properties)),
          ...(result.next === undefined ? {} : { paging: { next: { after: result.next } } }),
        },
      };
    }),
    route('POST', `${prefix}/:type/batch/read`, 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = storeOf(request);
      const body = request.object();
      const inputs = inputsOf(portal, body);
      const properties = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
      const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
      const results: unknown[] = [];
      const missing: string[] = [];
      const seen = new Set<string>();
      inputs.forEach((input, index) => {
        const id = idOf(input, index);
        try {
          const record = portal.find(store, id, idProperty, body.archived === true);
          if (seen.has(record.id)) return;
          seen.add(record.id);
          results.push(recordJson(portal, store, record, properties));
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
          missing.push(id);
        }
      });
      const errors =
        missing.length === 0
          ? []
          : [
              {
                status: 'error',
                category: 'OBJECT_NOT_FOUND',
                message: `Could not get some ${store.info.singular} objects, they may be deleted or not exist. Check that ids are valid.`,
                context: { ids: missing },
              },
            ];
      return batchResponse(results, errors, startedAt, false);
    }),
    route('POST', `${prefix}/:type/batch/create`, 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = storeOf(request);
      const inputs = inputsOf(portal, request.object());
      const prepared = portal.prepareCreates(
        store,
        inputs.map((input) => ({ properties: input.properties, associations: input.associations })),
      );
      const requested = prepared.map((item) => [...item.values.keys()]);
      const records = portal.commitCreates(store, prepared);
      return batchResponse(
        records.map((record, index) => recordJson(portal, store, record, requested[index])),
        [],
        startedAt,
        true,
      );
    }),
    route('POST', `${prefix}/:type/batch/update`, 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = storeOf(request);
      const body = request.object();
      const inputs = inputsOf(portal, body);
      const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
      const prepared = portal.prepareUpdates(
        store,
        inputs.map((input, index) => ({
          id: idOf(input, index),
          properties: input.properties,
          ...(typeof input.idProperty === 'string'
            ? { idProperty: input.idProperty }
            : idProperty === undefined
              ? {}
              : { idProperty }),
        })),
      );
      const records = portal.commitUpdates(store, prepared);
      return batchResponse(
        records.map((record, index) =>
          recordJson(portal, store, record, [...(prepared[index]?.values.keys() ?? [])]),
        ),
        [],
        startedAt,
        false,
      );
    }),
    route('POST', `${prefix}/:type/batch/upsert`, 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = storeOf(request);
      const inputs = inputsOf(portal, request.object());
      const updates: { id: string; properties: unknown; idProperty: string }[] = [];
      const creates: { properties: unknown; index: number }[] = [];
      inputs.forEach((input, index) => {
        const id = idOf(input, index);
        const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
        if (idProperty === undefined)
          throw validationError(`inputs[${index}].idProperty is required for upsert`);
        try {
          portal.find(store, id, idProperty);
          updates.push({ id, properties: input.properties, idProperty });
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
          const properties = { ...((input.properties ?? {}) as Record<string, unknown>), [idProperty]: id };
          creates.push({ properties, index });
        }
      });
      const preparedUpdates = portal.prepareUpdates(store, updates);
      const preparedCreates = portal.prepareCreates(store, creates);
      const updated = portal.commitUpdates(store, preparedUpdates);
      const created = portal.commitCreates(store, preparedCreates);
      const results = [
        ...updated.map((record) => ({ ...recordJson(portal, store, record, undefined), new: false })),
        ...created.map((record) => ({ ...recordJson(portal, store, record, undefined), new: true })),
      ];
      return batchResponse(results, [], startedAt, false);
    }),
    route('POST', `${prefix}/:type/batch/archive`, 'api', (request) => {
      const store = storeOf(request);
      const inputs = inputsOf(portal, request.object());
      const ids = inputs.map((input, index) => idOf(input, index));
      for (const id of ids) portal.archive(store, id);
      return { status: 204 };
    }),
    route('POST', `${prefix}/:type`, 'api', (request) => {
      const store = storeOf(request);
      const body = request.object();
      const [prepared] = portal.prepareCreates(store, [
        { properties: body.properties, associations: body.associations },
      ]);
      if (prepared === undefined) throw new Error('no prepared create');
      const requested = [...prepared.values.keys()];
      const [record] = portal.commitCreates(store, [prepared]);
      if (record === undefined) throw new Error('no created record');
      return { status: 201, body: recordJson(portal, store, record, requested) };
    }),
    route('GET', `${prefix}/:type/:id`, 'api', (request) => {
      const store = storeOf(request);
      const record = portal.find(
        store,
        request.params.id ?? '',
        request.query.get('idProperty') ?? undefined,
        request.query.get('archived') === 'true',
      );
      return {
        status: 200,
        body: recordJson(
          portal,
          store,
          record,
          listParam(request.query, 'properties'),
          listParam(request.query, 'associations'),
        ),
      };
    }),
    route('PATCH', `${prefix}/:type/:id`, 'api', (request) => {
      const store = storeOf(request);
      const body = request.object();
      const idProperty = request.query.get('idProperty') ?? undefined;
      const prepared = portal.prepareUpdates(store, [
        {
          id: request.params.id ?? '',
          properties: body.properties,
          ...(idProperty === undefined ? {} : { idProperty }),
        },
      ]);
      const [record] = portal.commitUpdates(store, prepared);
      if (record === undefined) throw new Error('no updated record');
      return {
        status: 200,
        body: recordJson(portal, store, record, [...(prepared[0]?.values.keys() ?? [])]),
      };
    }),
    route('DELETE', `${prefix}/:type/:id`, 'api', (request) => {
      portal.archive(storeOf(request), request.params.id ?? '');
      return { status: 204 };
    }),
  ];
}

function specJson(type: AssociationType): Record<string, unknown> {
  return { category: type.category, typeId: type.typeId, label: type.label };
}

/** Numbers for association object ids, as HubSpot's v4 responses carry them. */
const num = (id: string): number => Number(id);

function labelsBetween(
  portal: Portal,
  fromTypeId: string,
  fromId: string,
  toTypeId: string,
  toId: string,
): Record<string, unknown> {
  const pair = portal.associated(fromTypeId, fromId, toTypeId).find((entry) => entry.toId === toId);
  const labels = (pair?.typeIds ?? [])
    .map((typeId) => portal.associationTypes.get(typeId)?.label)
    .filter((label): label is string => typeof label === 'string');
  return {
    fromObjectTypeId: fromTypeId,
    fromObjectId: num(fromId),
    toObjectTypeId: toTypeId,
    toObjectId: num(toId),
    labels,
  };
}

function associationRoutes(portal: Portal): Route[] {
  const live = (store: ObjectStore, id: string): void => {
    portal.find(store, id);
  };
  const typesFrom = (
    body: unknown,
    fromTypeId: string,
    toTypeId: string,
    where: string,
  ): AssociationType[] => {
    if (!Array.isArray(body) || body.length === 0) {
      throw validationError(`${where} must be a non-empty array of {associationCategory, associationTypeId}`);
    }
    return body.map((spec: AssociationInput) => portal.associationType(spec, fromTypeId, toTypeId));
  };
  return [
    route('PUT', '/crm/v4/objects/:from/:fromId/associations/default/:to/:toId', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const fromId = request.params.fromId ?? '';
      const toId = request.params.toId ?? '';
      live(from, fromId);
      live(to, toId);
      const type = portal.defaultAssociationType(from.info.objectTypeId, to.info.objectTypeId);
      portal.associate(from.info.objectTypeId, fromId, to.info.objectTypeId, toId, [type.typeId]);
      const now = new Date().toISOString();
      return {
        status: 200,
        body: {
          status: 'COMPLETE',
          results: [
            {
              from: { id: fromId },
              to: { id: toId },
              associationSpec: { associationCategory: type.category, associationTypeId: type.typeId },
            },
            {
              from: { id: toId },
              to: { id: fromId },
              associationSpec: { associationCategory: type.category, associationTypeId: type.inverseTypeId },
            },
          ],
          startedAt: now,
          completedAt: now,
        },
      };
    }),
    route('PUT', '/crm/v4/objects/:from/:fromId/associations/:to/:toId', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const fromId = request.params.fromId ?? '';
      const toId = request.params.toId ?? '';
      const types = typesFrom(
        request.json(),
        from.info.objectTypeId,
        to.info.objectTypeId,
        'The request body',
      );
      live(from, fromId);
      live(to, toId);
      portal.associate(
        from.info.objectTypeId,
        fromId,
        to.info.objectTypeId,
        toId,
        types.map((type) => type.typeId),
      );
      return {
        status: 201,
        body: labelsBetween(portal, from.info.objectTypeId, fromId, to.info.objectTypeId, toId),
      };
    }),
    route('DELETE', '/crm/v4/objects/:from/:fromId/associations/:to/:toId', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      portal.disassociate(
        from.info.objectTypeId,
        request.params.fromId ?? '',
        to.info.objectTypeId,
        request.params.toId ?? '',
        undefined,
      );
      return { status: 204 };
    }),
    route('GET', '/crm/v4/objects/:from/:fromId/associations/:to', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const fromId = request.params.fromId ?? '';
      live(from, fromId);
      const limit = intParam(request.query, 'limit', 500, 500);
      const all = portal.associated(from.info.objectTypeId, fromId, to.info.objectTypeId);
      const offset = Number(request.query.get('after') ?? 0) || 0;
      const page = all.slice(offset, offset + limit);
      const body: Record<string, unknown> = {
        results: page.map(({ toId, typeIds }) => ({
          toObjectId: num(toId),
          associationTypes: typeIds.flatMap((typeId) => {
            const type = portal.associationTypes.get(typeId);
            return type === undefined ? [] : [specJson(type)];
          }),
        })),
      };
      if (offset + limit < all.length) body.paging = { next: { after: String(offset + limit) } };
      return { status: 200, body };
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/read', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      const results: unknown[] = [];
      const missing: string[] = [];
      inputs.forEach((input, index) => {
        const id = idOf(input, index);
        const found = portal.associated(from.info.objectTypeId, id, to.info.objectTypeId);
        if (found.length === 0) {
          missing.push(id);
          return;
        }
        results.push({
          from: { id },
          to: found.map(({ toId, typeIds }) => ({
            toObjectId: num(toId),
            associationTypes: typeIds.flatMap((typeId) => {
              const type = portal.associationTypes.get(typeId);
              return type === undefined ? [] : [specJson(type)];
            }),
          })),
        });
      });
      const errors = missing.map((id) => ({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to.info.name} is associated with ${from.info.singular} ${id}.`,
        context: { fromObjectId: [id] },
      }));
      return batchResponse(results, errors, startedAt, false);
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/create', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      const prepared = inputs.map((input, index) => {
        const fromId = String((input.from as { id?: unknown } | undefined)?.id ?? '');
        const toId = String((input.to as { id?: unknown } | undefined)?.id ?? '');
        if (fromId === '' || toId === '') throw validationError(`inputs[${index}] needs from.id and to.id`);
        const types = typesFrom(
          input.types,
          from.info.objectTypeId,
          to.info.objectTypeId,
          `inputs[${index}].types`,
        );
        live(from, fromId);
        live(to, toId);
        return { fromId, toId, types };
      });
      for (const item of prepared) {
        portal.associate(
          from.info.objectTypeId,
          item.fromId,
          to.info.objectTypeId,
          item.toId,
          item.types.map((type) => type.typeId),
        );
      }
      return batchResponse(
        prepared.map((item) =>
          labelsBetween(portal, from.info.objectTypeId, item.fromId, to.info.objectTypeId, item.toId),
        ),
        [],
        startedAt,
        true,
      );
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/associate/default', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      const type = portal.defaultAssociationType(from.info.objectTypeId, to.info.objectTypeId);
      const pairs = inputs.map((input) => {
        const fromId = String((input.from as { id?: unknown } | undefined)?.id ?? '');
        const toId = String((input.to as { id?: unknown } | undefined)?.id ?? '');
        live(from, fromId);
        live(to, toId);
        return { fromId, toId };
      });
      for (const pair of pairs)
        portal.associate(from.info.objectTypeId, pair.fromId, to.info.objectTypeId, pair.toId, [type.typeId]);
      const results = pairs.map((pair) => ({
        from: { id: pair.fromId },
        to: { id: pair.toId },
        associationSpec: { associationCategory: type.category, associationTypeId: type.typeId },
      }));
      return { ...batchResponse(results, [], startedAt, false), status: 200 };
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/archive', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      for (const input of inputs) {
        const fromId = String((input.from as { id?: unknown } | undefined)?.id ?? '');
        const targets = Array.isArray(input.to) ? input.to : [];
        for (const target of targets) {
          portal.disassociate(
            from.info.objectTypeId,
            fromId,
            to.info.objectTypeId,
            String((target as { id?: unknown }).id),
            undefined,
          );
        }
      }
      return { status: 204 };
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/labels/archive', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      const prepared = inputs.map((input, index) => ({
        fromId: String((input.from as { id?: unknown } | undefined)?.id ?? ''),
        toId: String((input.to as { id?: unknown } | undefined)?.id ?? ''),
        types: typesFrom(input.types, from.info.objectTypeId, to.info.objectTypeId, `inputs[${index}].types`),
      }));
      for (const item of prepared) {
        portal.disassociate(
          from.info.objectTypeId,
          item.fromId,
          to.info.objectTypeId,
          item.toId,
          item.types.map((type) => type.typeId),
        );
      }
      return { status: 204 };
    }),
    route('GET', '/crm/v4/associations/:from/:to/labels', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      return {
        status: 200,
        body: { results: portal.labels(from.info.objectTypeId, to.info.objectTypeId).map(specJson) },
      };
    }),
    route('POST', '/crm/v4/associations/:from/:to/labels', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const created = portal.createLabel(from.info.objectTypeId, to.info.objectTypeId, request.object());
      return { status: 200, body: { results: created.map(specJson) } };
    }),
  ];
}

function schemaJson(portal: Portal, store: ObjectStore): Record<string, unknown> {
  const schema = store.schema ?? {};
  const associationIds = (schema.associationIds as number[] | undefined) ?? [];
  return {
    ...schema,
    associationIds: undefined,
    properties: [...store.properties.values()].map(propertyToJson),
    associations: associationIds.flatMap((typeId) => {
      const type = portal.associationTypes.get(typeId);
      if (type === undefined) return [];
      return [
        {
          id: String(type.typeId),
          fromObjectTypeId: type.fromTypeId,
          toObjectTypeId: type.toTypeId,
          name: type.name,
          createdAt: schema.createdAt,
          updatedAt: schema.updatedAt,
        },
      ];
    }),
  };
}

function schemaRoutes(portal: Portal, prefix: string): Route[] {
  const custom = (name: string): ObjectStore => {
    const store = portal.store(name);
    if (!store.info.custom) throw notFound(`${name} is not a custom object type`);
    return store;
  };
  return [
    route('GET', prefix, 'api', () => ({
      status: 200,
      body: {
        results: [...portal.stores.values()]
          .filter((store) => store.info.custom)
          .map((store) => schemaJson(portal, store)),
      },
    })),
    route('POST', prefix, 'api', (request) => ({
      status: 201,
      body: schemaJson(portal, portal.createSchema(request.object())),
    })),
    route('GET', `${prefix}/:type`, 'api', (request) => {
      let store: ObjectStore;
      try {
        store = custom(request.params.type ?? '');
      } catch {
        throw notFound(`Unable to find object type ${request.params.type ?? ''}`);
      }
      return { status: 200, body: schemaJson(portal, store) };
    }),
    route('POST', `${prefix}/:type/associations`, 'api', (request) => {
      const store = custom(request.params.type ?? '');
      const body = request.object();
      const target = portal.store(String(body.toObjectTypeId ?? ''));
      if (body.fromObjectTypeId !== undefined && portal.store(String(body.fromObjectTypeId)) !== store) {
        throw validationError('fromObjectTypeId must be the schema in the path');
      }
      const type = portal.defineCustomAssociation(
        store.info.objectTypeId,
        target.info.objectTypeId,
        typeof body.name === 'string' ? body.name : undefined,
      );
      const ids = (store.schema?.associationIds as number[] | undefined) ?? [];
      ids.push(type.typeId);
      if (store.schema !== undefined) store.schema.associationIds = ids;
      const at = new Date(portal.now()).toISOString();
      return {
        status: 201,
        body: {
          id: String(type.typeId),
          fromObjectTypeId: type.fromTypeId,
          toObjectTypeId: type.toTypeId,
          name: type.name,
          createdAt: at,
          updatedAt: at,
        },
      };
    }),
  ];
}

function propertyRoutes(portal: Portal): Route[] {
  const groupJson = (group: {
    name: string;
    label: string;
    displayOrder: number;
  }): Record<string, unknown> => ({
    ...group,
    archived: false,
  });
  return [
    route('GET', '/crm/v3/properties/:type/groups', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      return { status: 200, body: { results: [...store.groups.values()].map(groupJson) } };
    }),
    route('POST', '/crm/v3/properties/:type/groups', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      const body = request.object();
      if (
        typeof body.name !== 'string' ||
        !/^[a-z][a-z0-9_]*$/.test(body.name) ||
        typeof body.label !== 'string'
      ) {
        throw validationError(
          'A property group needs "name" (lower case letters, digits, underscores) and "label"',
        );
      }
      if (store.groups.has(body.name))
        throw validationError(`Property group ${body.name} already exists`, { subCategory: 'DUPLICATE' });
      const group = {
        name: body.name,
        label: body.label,
        displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
      };
      store.groups.set(group.name, group);
      return { status: 201, body: groupJson(group) };
    }),
    route('GET', '/crm/v3/properties/:type/groups/:name', 'api', (request) => {
      const group = portal.store(request.params.type ?? '').groups.get(request.params.name ?? '');
      if (group === undefined) throw notFound(`Property group ${request.params.name ?? ''} not found`);
      return { status: 200, body: groupJson(group) };
    }),
    route('POST', '/crm/v3/properties/:type/batch/create', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = portal.store(request.params.type ?? '');
      const inputs = inputsOf(portal, request.object());
      const definitions = portal.prepareProperties(store, inputs);
      portal.addProperties(store, definitions);
      return batchResponse(definitions.map(propertyToJson), [], startedAt, true);
    }),
    route('POST', '/crm/v3/properties/:type/batch/read', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const store = portal.store(request.params.type ?? '');
      const inputs = inputsOf(portal, request.object());
      const results: unknown[] = [];
      const missing: string[] = [];
      for (const input of inputs) {
        const name = String(input.name ?? '');
        const property = store.properties.get(name);
        if (property === undefined) missing.push(name);
        else results.push(propertyToJson(property));
      }
      const errors = missing.map((name) => ({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `Property ${name} does not exist`,
        context: { name: [name] },
      }));
      return batchResponse(results, errors, startedAt, false);
    }),
    route('GET', '/crm/v3/properties/:type', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      return { status: 200, body: { results: [...store.properties.values()].map(propertyToJson) } };
    }),
    route('POST', '/crm/v3/properties/:type', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      const [definition] = portal.prepareProperties(store, [request.object()]);
      if (definition === undefined) throw new Error('no property definition');
      portal.addProperties(store, [definition]);
      return { status: 201, body: propertyToJson(definition) };
    }),
    route('GET', '/crm/v3/properties/:type/:name', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      const property = store.properties.get(request.params.name ?? '');
      if (property === undefined)
        throw notFound(`Property ${request.params.name ?? ''} does not exist on ${store.info.name}`);
      return { status: 200, body: propertyToJson(property) };
    }),
  ];
}

function pipelineJson(
  pipeline: Portal['pipelines'] extends Map<string, infer P> ? P : never,
): Record<string, unknown> {
  const created = iso(pipeline.createdAt);
  const updated = iso(pipeline.updatedAt);
  return {
    id: pipeline.id,
    label: pipeline.label,
    displayOrder: pipeline.displayOrder,
    createdAt: created,
    updatedAt: updated,
    archived: false,
    stages: pipeline.stages.map((stage) => ({
      id: stage.id,
      label: stage.label,
      displayOrder: stage.displayOrder,
      metadata: { isClosed: String(stage.isClosed), probability: String(stage.probability) },
      createdAt: created,
      updatedAt: updated,
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
  };
}

function pipelineAndOwnerRoutes(portal: Portal): Route[] {
  const dealsOnly = (type: string): void => {
    if (portal.store(type).info.name !== 'deals') throw notFound(`No pipelines for ${type} in this sandbox`);
  };
  const pipelineOf = (request: SandboxRequest) => {
    dealsOnly(request.params.type ?? '');
    const pipeline = portal.pipelines.get(request.params.id ?? '');
    if (pipeline === undefined) throw notFound(`Pipeline ${request.params.id ?? ''} not found`);
    return pipeline;
  };
  const ownerJson = (
    owner: Portal['owners'] extends Map<string, infer O> ? O : never,
  ): Record<string, unknown> => ({
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: iso(owner.createdAt),
    updatedAt: iso(owner.updatedAt),
    archived: false,
    teams: owner.teams,
  });
  return [
    route('GET', '/crm/v3/pipelines/:type', 'api', (request) => {
      dealsOnly(request.params.type ?? '');
      const pipelines = [...portal.pipelines.values()].sort((a, b) => a.displayOrder - b.displayOrder);
      return { status: 200, body: { results: pipelines.map(pipelineJson) } };
    }),
    route('GET', '/crm/v3/pipelines/:type/:id', 'api', (request) => ({
      status: 200,
      body: pipelineJson(pipelineOf(request)),
    })),
    route('GET', '/crm/v3/pipelines/:type/:id/stages', 'api', (request) => ({
      status: 200,
      body: { results: (pipelineJson(pipelineOf(request)).stages as unknown[]) ?? [] },
    })),
    route('GET', '/crm/v3/owners', 'api', (request) => {
      const limit = intParam(request.query, 'limit', 100, 500);
      const email = request.query.get('email')?.toLowerCase();
      const all = [...portal.owners.values()].filter(
        (owner) => email === undefined || owner.email.toLowerCase() === email,
      );
      const offset = Number(request.query.get('after') ?? 0) || 0;
      const body: Record<string, unknown> = { results: all.slice(offset, offset + limit).map(ownerJson) };
      if (offset + limit < all.length) body.paging = { next: { after: String(offset + limit) } };
      return { status: 200, body };
    }),
    route('GET', '/crm/v3/owners/:id', 'api', (request) => {
      const owner = portal.owners.get(request.params.id ?? '');
      if (owner === undefined) throw notFound(`Owner ${request.params.id ?? ''} not found`);
      return { status: 200, body: ownerJson(owner) };
    }),
  ];
}

/** Every CRM route the sandbox serves (authenticated, rate limited). */
export function crmRoutes(portal: Portal): Route[] {
  return [
    ...objectRoutes(portal, '/crm/v3/objects'),
    ...associationRoutes(portal),
    ...schemaRoutes(portal, '/crm/v3/schemas'),
    ...schemaRoutes(portal, '/crm-object-schemas/v3/schemas'),
    ...propertyRoutes(portal),
    ...pipelineAndOwnerRoutes(portal),
  ];
}
