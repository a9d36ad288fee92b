import { batchResponse, idOf, inputsOf, recordJson } from './crm-json.ts';
import { validationError } from './errors.ts';
import { intParam, listParam, type Route, route, type SandboxRequest } from './http.ts';
import type { ObjectStore, Portal } from './portal.ts';
import { search } from './search.ts';

export function objectRoutes(portal: Portal, prefix: string): Route[] {
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
          paging: result.next === undefined ? undefined : { next: { after: result.next } },
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
          idProperty,
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
