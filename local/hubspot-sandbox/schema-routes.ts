import { batchResponse, inputsOf } from './crm-json.ts';
import { notFound, validationError } from './errors.ts';
import { type Route, route } from './http.ts';
import { propertyToJson } from './object-types.ts';
import type { ObjectStore, Portal } from './portal.ts';

function schemaJson(portal: Portal, store: ObjectStore): Record<string, unknown> {
  const schema = store.schema ?? {};
  const associationIds = (schema.associationIds as number[] | undefined) ?? [];
  return {
    ...schema,
    associationIds: undefined,
    properties: [...store.properties.values()].map(propertyToJson),
    associations: associationIds.flatMap((typeId) => {
      const type = portal.associations.types.get(typeId);
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

export function schemaRoutes(portal: Portal, prefix: string): Route[] {
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
      const type = portal.associations.defineCustomAssociation(
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

export function propertyRoutes(portal: Portal): Route[] {
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
    // "Update a property" (HubSpot CRM Properties API v3): "Perform a partial update of a property
    // identified by {propertyName}. Provided fields will be overwritten." Fields left out keep
    // their value; `options`, when sent, becomes the whole option list (HubSpot's legacy Contacts
    // Properties reference, "Update an existing contact property": "you must include all of the
    // options that you want to use with the property; there is no way to append or remove a
    // single option").
    route('PATCH', '/crm/v3/properties/:type/:name', 'api', (request) => {
      const store = portal.store(request.params.type ?? '');
      const property = store.properties.get(request.params.name ?? '');
      if (property === undefined)
        throw notFound(`Property ${request.params.name ?? ''} does not exist on ${store.info.name}`);
      if (property.hubspotDefined)
        throw validationError(`${property.name} is defined by HubSpot and cannot be changed`);
      const body = request.object();
      const options = body.options;
      // Each option is an OptionInput, whose label and value are required ("Update a property").
      if (
        options !== undefined &&
        (!Array.isArray(options) ||
          options.some((option) => typeof option?.value !== 'string' || typeof option?.label !== 'string'))
      ) {
        throw validationError('options must be an array of {label, value}, each with both');
      }
      if (body.groupName !== undefined && !store.groups.has(String(body.groupName))) {
        throw validationError(
          `Property group ${String(body.groupName)} does not exist for ${store.info.name}`,
        );
      }
      if (typeof body.label === 'string') property.label = body.label;
      if (typeof body.description === 'string') property.description = body.description;
      if (typeof body.groupName === 'string') property.groupName = body.groupName;
      if (typeof body.hidden === 'boolean') property.hidden = body.hidden;
      if (typeof body.displayOrder === 'number') property.displayOrder = body.displayOrder;
      if (Array.isArray(options)) {
        property.options = options.map(
          (
            option: {
              label: string;
              value: string;
              description?: unknown;
              displayOrder?: unknown;
              hidden?: unknown;
            },
            index,
          ) => ({
            label: option.label,
            value: option.value,
            ...(typeof option.description === 'string' ? { description: option.description } : {}),
            displayOrder: typeof option.displayOrder === 'number' ? option.displayOrder : index,
            hidden: option.hidden === true,
          }),
        );
      }
      property.updatedAt = new Date(portal.now()).toISOString();
      return { status: 200, body: propertyToJson(property) };
    }),
  ];
}
