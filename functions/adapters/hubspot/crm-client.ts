import type { Client } from '@hubspot/api-client';
import * as associations from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import * as associationSchema from '@hubspot/api-client/lib/codegen/crm/associations/v4/schema/index.js';
import * as companies from '@hubspot/api-client/lib/codegen/crm/companies/index.js';
import * as deals from '@hubspot/api-client/lib/codegen/crm/deals/index.js';
import * as objects from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import * as owners from '@hubspot/api-client/lib/codegen/crm/owners/index.js';
import * as pipelines from '@hubspot/api-client/lib/codegen/crm/pipelines/index.js';
import * as properties from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import * as schemas from '@hubspot/api-client/lib/codegen/crm/schemas/index.js';
import { ApiClientConfigurator } from '@hubspot/api-client/lib/src/configuration/ApiClientConfigurator.js';
import { HttpClient } from '@hubspot/api-client/lib/src/services/http/HttpClient.js';
import { Request } from '@hubspot/api-client/lib/src/services/http/Request.js';

/** The client's settings, as the library's `Client` takes them. */
export type HubSpotClientSettings = Client['config'];

/**
 * The part of `@hubspot/api-client` Dealreg calls, shaped like the library's `Client` (the
 * adapters write `client.crm.objects.searchApi.doSearch(…)` either way).
 *
 * The library's `Client` reaches every HubSpot API through `require` calls that a bundler must
 * follow — CMS, marketing, HubDB, 4.5 MB that every function carrying HubSpot would load at cold
 * start. This builds only the generated CRM clients used here, each configured by the library's
 * own `ApiClientConfigurator` exactly as its `Client` does (token, base path, user agent), and
 * each on first use. The library's retry and limiter decorators are not applied: the connection
 * builds its client with both off, and the gateway does both (`request-gateway.ts`).
 */
export interface HubSpotCrmClient {
  /** The settings the client was built with. */
  readonly config: Readonly<HubSpotClientSettings>;
  readonly crm: {
    readonly objects: {
      readonly basicApi: objects.BasicApi;
      readonly batchApi: objects.BatchApi;
      readonly searchApi: objects.SearchApi;
    };
    readonly associations: {
      readonly v4: {
        readonly basicApi: associations.BasicApi;
        readonly batchApi: associations.BatchApi;
        readonly schema: { readonly definitionsApi: associationSchema.DefinitionsApi };
      };
    };
    readonly companies: { readonly basicApi: companies.BasicApi };
    readonly deals: { readonly basicApi: deals.BasicApi };
    readonly pipelines: { readonly pipelinesApi: pipelines.PipelinesApi };
    readonly owners: { readonly ownersApi: owners.OwnersApi };
    readonly schemas: { readonly coreApi: schemas.CoreApi };
    readonly properties: {
      readonly coreApi: properties.CoreApi;
      readonly groupsApi: properties.GroupsApi;
    };
  };
  /** A request to an API without a generated client (the legacy forms API), as `Client.apiRequest`. */
  apiRequest(options: Parameters<Client['apiRequest']>[0]): ReturnType<Client['apiRequest']>;
}

/** A value built on first read, then kept. */
function once<Value>(build: () => Value): () => Value {
  let value: { readonly built: Value } | undefined;
  return () => {
    value ??= { built: build() };
    return value.built;
  };
}

/** Builds the CRM client; nothing is constructed until an API is first used. */
export function createHubSpotCrmClient(config: HubSpotClientSettings): HubSpotCrmClient {
  const settings: Readonly<HubSpotClientSettings> = { ...config };
  const parameters = <Server, Observable>(
    server: new (url: string, variables: { [key: string]: string }) => Server,
    observable: new (promise: Promise<never>) => Observable,
  ) => ApiClientConfigurator.getParams(settings, server, observable, observable);

  const objectsConfiguration = once(() =>
    objects.createConfiguration(parameters(objects.ServerConfiguration, objects.Observable)),
  );
  const associationsConfiguration = once(() =>
    associations.createConfiguration(parameters(associations.ServerConfiguration, associations.Observable)),
  );
  const propertiesConfiguration = once(() =>
    properties.createConfiguration(parameters(properties.ServerConfiguration, properties.Observable)),
  );
  const api = {
    objectsBasic: once(() => new objects.BasicApi(objectsConfiguration())),
    objectsBatch: once(() => new objects.BatchApi(objectsConfiguration())),
    objectsSearch: once(() => new objects.SearchApi(objectsConfiguration())),
    associationsBasic: once(() => new associations.BasicApi(associationsConfiguration())),
    associationsBatch: once(() => new associations.BatchApi(associationsConfiguration())),
    associationDefinitions: once(
      () =>
        new associationSchema.DefinitionsApi(
          associationSchema.createConfiguration(
            parameters(associationSchema.ServerConfiguration, associationSchema.Observable),
          ),
        ),
    ),
    companiesBasic: once(
      () =>
        new companies.BasicApi(
          companies.createConfiguration(parameters(companies.ServerConfiguration, companies.Observable)),
        ),
    ),
    dealsBasic: once(
      () =>
        new deals.BasicApi(
          deals.createConfiguration(parameters(deals.ServerConfiguration, deals.Observable)),
        ),
    ),
    pipelines: once(
      () =>
        new pipelines.PipelinesApi(
          pipelines.createConfiguration(parameters(pipelines.ServerConfiguration, pipelines.Observable)),
        ),
    ),
    owners: once(
      () =>
        new owners.OwnersApi(
          owners.createConfiguration(parameters(owners.ServerConfiguration, owners.Observable)),
        ),
    ),
    schemas: once(
      () =>
        new schemas.CoreApi(
          schemas.createConfiguration(parameters(schemas.ServerConfiguration, schemas.Observable)),
        ),
    ),
    propertiesCore: once(() => new properties.CoreApi(propertiesConfiguration())),
    propertiesGroups: once(() => new properties.GroupsApi(propertiesConfiguration())),
  };

  return {
    config: settings,
    crm: {
      objects: {
        get basicApi() {
          return api.objectsBasic();
        },
        get batchApi() {
          return api.objectsBatch();
        },
        get searchApi() {
          return api.objectsSearch();
        },
      },
      associations: {
        v4: {
          get basicApi() {
            return api.associationsBasic();
          },
          get batchApi() {
            return api.associationsBatch();
          },
          schema: {
            get definitionsApi() {
              return api.associationDefinitions();
            },
          },
        },
      },
      companies: {
        get basicApi() {
          return api.companiesBasic();
        },
      },
      deals: {
        get basicApi() {
          return api.dealsBasic();
        },
      },
      pipelines: {
        get pipelinesApi() {
          return api.pipelines();
        },
      },
      owners: {
        get ownersApi() {
          return api.owners();
        },
      },
      schemas: {
        get coreApi() {
          return api.schemas();
        },
      },
      properties: {
        get coreApi() {
          return api.propertiesCore();
        },
        get groupsApi() {
          return api.propertiesGroups();
        },
      },
    },
    apiRequest: (options) => HttpClient.send(new Request(settings, options)),
  };
}
