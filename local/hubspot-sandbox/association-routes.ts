import { batchResponse, idOf, inputsOf } from './crm-json.ts';
import { validationError } from './errors.ts';
import { intParam, type Route, route } from './http.ts';
import {
  ASSOCIATION_PAGE_SIZE,
  type AssociationInput,
  type AssociationType,
  type ObjectStore,
  type Portal,
} from './portal.ts';

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
  const pair = portal.associations
    .associated(fromTypeId, fromId, toTypeId)
    .find((entry) => entry.toId === toId);
  const labels = (pair?.typeIds ?? [])
    .map((typeId) => portal.associations.types.get(typeId)?.label)
    .filter((label): label is string => typeof label === 'string');
  return {
    fromObjectTypeId: fromTypeId,
    fromObjectId: num(fromId),
    toObjectTypeId: toTypeId,
    toObjectId: num(toId),
    labels,
  };
}

/**
 * Where a page of an object's associations starts: the `after` cursor of the page before (an
 * offset, opaque to clients), or the start.
 */
function pageStart(after: unknown, where: string): number {
  if (after === undefined || after === null || after === '') return 0;
  const offset = Number(after);
  if (!Number.isInteger(offset) || offset < 0) {
    throw validationError(
      `${where} must be a paging cursor returned by the previous page; got ${String(after)}`,
    );
  }
  return offset;
}

/**
 * One page of an object's associations, as HubSpot's v4 reads answer it: the associated objects
 * and, only when more are left, `paging.next.after` to read the next page from ("Associations
 * v4", batch read: "The 'after' field in a returned paging object can be added alongside the 'id'
 * to retrieve the next page of associations from that objectId … The 'paging' field will only be
 * present if there are more pages and absent otherwise").
 */
function associationPage(
  portal: Portal,
  found: { toId: string; typeIds: number[] }[],
  offset: number,
  limit: number,
): { to: Record<string, unknown>[]; paging?: { next: { after: string } } } {
  const to = found.slice(offset, offset + limit).map(({ toId, typeIds }) => ({
    toObjectId: num(toId),
    associationTypes: typeIds.flatMap((typeId) => {
      const type = portal.associations.types.get(typeId);
      return type === undefined ? [] : [specJson(type)];
    }),
  }));
  return offset + limit < found.length ? { to, paging: { next: { after: String(offset + limit) } } } : { to };
}

export function associationRoutes(portal: Portal): Route[] {
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
    return body.map((spec: AssociationInput) =>
      portal.associations.associationType(spec, fromTypeId, toTypeId),
    );
  };
  return [
    route('PUT', '/crm/v4/objects/:from/:fromId/associations/default/:to/:toId', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const fromId = request.params.fromId ?? '';
      const toId = request.params.toId ?? '';
      live(from, fromId);
      live(to, toId);
      const type = portal.associations.defaultAssociationType(from.info.objectTypeId, to.info.objectTypeId);
      portal.associations.associate(from.info.objectTypeId, fromId, to.info.objectTypeId, toId, [
        type.typeId,
      ]);
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
      portal.associations.associate(
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
      portal.associations.disassociate(
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
      const limit = Math.min(
        intParam(request.query, 'limit', ASSOCIATION_PAGE_SIZE, ASSOCIATION_PAGE_SIZE),
        portal.associationPageSize,
      );
      const all = portal.associations.associated(from.info.objectTypeId, fromId, to.info.objectTypeId);
      const page = associationPage(portal, all, pageStart(request.query.get('after'), 'after'), limit);
      return {
        status: 200,
        body: { results: page.to, ...(page.paging === undefined ? {} : { paging: page.paging }) },
      };
    }),
    route('POST', '/crm/v4/associations/:from/:to/batch/read', 'api', (request) => {
      const startedAt = new Date().toISOString();
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const inputs = inputsOf(portal, request.object());
      const results: unknown[] = [];
      const missing: string[] = [];
      const pages = inputs.map((input, index) => ({
        id: idOf(input, index),
        offset: pageStart(input.after, `inputs[${index}].after`),
      }));
      // Each input is paged on its own: an object with more associations than a page answers its
      // first page and a cursor, which the client sends back beside the id.
      for (const { id, offset } of pages) {
        const found = portal.associations.associated(from.info.objectTypeId, id, to.info.objectTypeId);
        if (found.length === 0) {
          missing.push(id);
          continue;
        }
        results.push({
          from: { id },
          ...associationPage(portal, found, offset, portal.associationPageSize),
        });
      }
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
        portal.associations.associate(
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
      const type = portal.associations.defaultAssociationType(from.info.objectTypeId, to.info.objectTypeId);
      const pairs = inputs.map((input) => {
        const fromId = String((input.from as { id?: unknown } | undefined)?.id ?? '');
        const toId = String((input.to as { id?: unknown } | undefined)?.id ?? '');
        live(from, fromId);
        live(to, toId);
        return { fromId, toId };
      });
      for (const pair of pairs)
        portal.associations.associate(from.info.objectTypeId, pair.fromId, to.info.objectTypeId, pair.toId, [
          type.typeId,
        ]);
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
          portal.associations.disassociate(
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
        portal.associations.disassociate(
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
        body: {
          results: portal.associations.labels(from.info.objectTypeId, to.info.objectTypeId).map(specJson),
        },
      };
    }),
    route('POST', '/crm/v4/associations/:from/:to/labels', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      const created = portal.associations.createLabel(
        from.info.objectTypeId,
        to.info.objectTypeId,
        request.object(),
      );
      return { status: 200, body: { results: created.map(specJson) } };
    }),
    route('PUT', '/crm/v4/associations/:from/:to/labels', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      portal.associations.renameLabel(from.info.objectTypeId, to.info.objectTypeId, request.object());
      return { status: 204 };
    }),
    route('DELETE', '/crm/v4/associations/:from/:to/labels/:typeId', 'api', (request) => {
      const from = portal.store(request.params.from ?? '');
      const to = portal.store(request.params.to ?? '');
      portal.associations.removeLabel(
        from.info.objectTypeId,
        to.info.objectTypeId,
        Number(request.params.typeId),
      );
      return { status: 204 };
    }),
  ];
}
