import type {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate.js';
import type { ObjectTypePropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/schemas/models/ObjectTypePropertyCreate.js';
import type {
  AssociationLabel,
  ExistingProperty,
  ExistingSchema,
  ObjectSchemaSpec,
  Pipeline,
  PortalSchemaAdmin,
  PropertyOption,
  PropertySpec,
} from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { toPipeline } from './crm-requests.ts';
import {
  HubSpotAuthorizationError,
  HubSpotConfigurationError,
  HubSpotConflictError,
  HubSpotRequestError,
} from './errors.ts';

interface SchemaShape {
  readonly objectTypeId?: string;
  readonly id: string;
  readonly name: string;
  readonly fullyQualifiedName?: string;
  readonly properties: readonly { readonly name: string }[];
  readonly associations: readonly { readonly fromObjectTypeId: string; readonly toObjectTypeId: string }[];
}

function toExistingSchema(schema: SchemaShape): ExistingSchema {
  const objectTypeId = schema.objectTypeId ?? schema.id;
  return {
    objectTypeId,
    name: schema.name,
    fullyQualifiedName: schema.fullyQualifiedName ?? schema.name,
    propertyNames: schema.properties.map((property) => property.name),
    associatedObjectTypeIds: schema.associations.map((association) =>
      association.fromObjectTypeId === objectTypeId
        ? association.toObjectTypeId
        : association.fromObjectTypeId,
    ),
  };
}

// The generated client types HubSpot's enumerations (property type, field type) as TypeScript
// enums of the same strings; the casts below pass those strings.
function propertyInput(spec: PropertySpec) {
  return {
    name: spec.name,
    label: spec.label,
    type: spec.type as PropertyCreateTypeEnum,
    fieldType: spec.fieldType as PropertyCreateFieldTypeEnum,
    groupName: spec.groupName ?? '',
    ...(spec.hasUniqueValue === undefined ? {} : { hasUniqueValue: spec.hasUniqueValue }),
    ...(spec.options === undefined
      ? {}
      : {
          options: spec.options.map((option, index) => ({ ...option, displayOrder: index, hidden: false })),
        }),
  };
}

/**
 * Portal setup calls (schemas, properties, association labels) over the client. Creates are not
 * retried after a 5xx: setup re-reads the portal on its next run instead, so nothing is made twice.
 */
export class HubSpotPortalSchemaAdmin implements PortalSchemaAdmin {
  readonly #client: HubSpotConnection['client'];
  readonly #gateway: HubSpotConnection['gateway'];

  constructor(connection: HubSpotConnection) {
    this.#client = connection.client;
    this.#gateway = connection.gateway;
  }

  async listSchemas(): Promise<ExistingSchema[]> {
    const answer = await this.#gateway.call('list custom object schemas', () =>
      this.#client.crm.schemas.coreApi.getAll(),
    );
    return answer.results.map(toExistingSchema);
  }

  async createSchema(spec: ObjectSchemaSpec): Promise<ExistingSchema> {
    const created = await this.#gateway
      .call(
        `create the ${spec.name} object schema`,
        () =>
          this.#client.crm.schemas.coreApi.create({
            name: spec.name,
            labels: spec.labels,
            primaryDisplayProperty: spec.primaryDisplayProperty,
            requiredProperties: [...spec.requiredProperties],
            searchableProperties: [...spec.searchableProperties],
            associatedObjects: [...spec.associatedObjects],
            properties: spec.properties.map((property) => {
              const { groupName: _ignored, ...input } = propertyInput(property);
              return { ...input, type: property.type as ObjectTypePropertyCreateTypeEnum };
            }),
          }),
        { retryAmbiguous: false },
      )
      .catch((error: unknown) => {
        // Custom objects exist only on Enterprise portals; HubSpot says so with a 403 or 400.
        if (error instanceof HubSpotAuthorizationError || error instanceof HubSpotRequestError) {
          throw new HubSpotConfigurationError(
            `${error.message} — custom objects need a HubSpot Enterprise portal and a token with the crm.schemas.custom.write scope`,
            { cause: error, status: error.status },
          );
        }
        throw error;
      });
    return toExistingSchema(created);
  }

  async createSchemaAssociation(objectTypeId: string, toObjectTypeId: string, name: string): Promise<void> {
    await this.#gateway.call(
      `associate ${objectTypeId} with ${toObjectTypeId}`,
      () =>
        this.#client.crm.schemas.coreApi.createAssociation(objectTypeId, {
          fromObjectTypeId: objectTypeId,
          toObjectTypeId,
          name,
        }),
      { retryAmbiguous: false },
    );
  }

  async listPropertyNames(objectType: string): Promise<string[]> {
    const answer = await this.#gateway.call(`list ${objectType} properties`, () =>
      this.#client.crm.properties.coreApi.getAll(objectType),
    );
    return answer.results.map((property) => property.name);
  }

  async listProperties(objectType: string): Promise<ExistingProperty[]> {
    const answer = await this.#gateway.call(`list ${objectType} properties`, () =>
      this.#client.crm.properties.coreApi.getAll(objectType),
    );
    return answer.results.map((property) => ({
      name: property.name,
      type: property.type,
      hasUniqueValue: property.hasUniqueValue === true,
      options: property.options.map((option) => ({
        label: option.label,
        value: option.value,
        hidden: option.hidden,
        ...(option.displayOrder === undefined ? {} : { displayOrder: option.displayOrder }),
        ...(option.description === undefined ? {} : { description: option.description }),
      })),
    }));
  }

  /**
   * `PATCH /crm/v3/properties/{objectType}/{propertyName}` with `options` alone. "Update a
   * property" (HubSpot CRM Properties API): "Perform a partial update of a property identified by
   * {propertyName}. Provided fields will be overwritten": the options sent become the property's
   * whole list, so `options` must hold every option to keep (HubSpot's legacy Contacts Properties
   * reference, "Update an existing contact property": for an enumeration "you must include all of
   * the options that you want to use with the property; there is no way to append or remove a
   * single option"). Safe to repeat, so retried like any read.
   */
  async updatePropertyOptions(
    objectType: string,
    propertyName: string,
    options: readonly PropertyOption[],
  ): Promise<void> {
    await this.#gateway.call(`update the options of ${objectType} property ${propertyName}`, () =>
      this.#client.crm.properties.coreApi.update(objectType, propertyName, {
        options: options.map((option, index) => ({
          label: option.label,
          value: option.value,
          displayOrder: option.displayOrder ?? index,
          hidden: option.hidden ?? false,
          ...(option.description === undefined ? {} : { description: option.description }),
        })),
      }),
    );
  }

  async createProperty(objectType: string, spec: PropertySpec): Promise<void> {
    // HubSpot requires a group; a property added later to a custom object goes to its first group.
    const groupName = spec.groupName ?? (await this.#firstPropertyGroup(objectType));
    await this.#gateway.call(
      `create ${objectType} property ${spec.name}`,
      () => this.#client.crm.properties.coreApi.create(objectType, propertyInput({ ...spec, groupName })),
      { retryAmbiguous: false },
    );
  }

  async #firstPropertyGroup(objectType: string): Promise<string> {
    const groups = await this.#gateway.call(`list ${objectType} property groups`, () =>
      this.#client.crm.properties.groupsApi.getAll(objectType),
    );
    const first = [...groups.results].sort((a, b) => a.displayOrder - b.displayOrder)[0];
    if (first === undefined) {
      throw new HubSpotConfigurationError(`${objectType} has no property group to add properties to`);
    }
    return first.name;
  }

  async listAssociationLabels(fromObjectType: string, toObjectType: string): Promise<AssociationLabel[]> {
    const answer = await this.#gateway.call(
      `list ${fromObjectType} → ${toObjectType} association labels`,
      () => this.#client.crm.associations.v4.schema.definitionsApi.getAll(fromObjectType, toObjectType),
    );
    return answer.results.map((definition) => ({
      typeId: definition.typeId,
      label: definition.label ?? null,
      category: String(definition.category),
    }));
  }

  async listPipelines(objectType: string): Promise<Pipeline[]> {
    const answer = await this.#gateway.call(`list ${objectType} pipelines`, () =>
      this.#client.crm.pipelines.pipelinesApi.getAll(objectType),
    );
    return answer.results.map(toPipeline);
  }

  async createAssociationLabel(
    fromObjectType: string,
    toObjectType: string,
    label: string,
    name: string,
  ): Promise<number | undefined> {
    const answer = await this.#gateway
      .call(
        `create association label ${label}`,
        () =>
          this.#client.crm.associations.v4.schema.definitionsApi.create(fromObjectType, toObjectType, {
            label,
            name,
          }),
        { retryAmbiguous: false },
      )
      .catch((error: unknown) => {
        // Setup creates only a label it did not find listed, so a conflict is the internal name,
        // kept by a label someone renamed.
        if (error instanceof HubSpotConflictError) return undefined;
        throw error;
      });
    if (answer === undefined) return undefined;
    const created = answer.results.find((definition) => definition.label === label) ?? answer.results[0];
    if (created === undefined) throw new Error(`HubSpot returned no type id for the new label ${label}`);
    return created.typeId;
  }
}
