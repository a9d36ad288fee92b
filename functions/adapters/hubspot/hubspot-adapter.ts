import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec.js';
import type { AssociationSpecAssociationCategoryEnum as ObjectAssociationCategory } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec.js';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { PublicAssociationsForObject } from '@hubspot/api-client/lib/codegen/crm/objects/models/PublicAssociationsForObject.js';
import { z } from 'zod';
import {
  type Company,
  type CustomerCompanyDraft,
  crmNames,
  type Deal,
  type DealDraft,
  type DealSearch,
  type DealWithOwner,
  type Engagement,
  type EngagementType,
  engagementTypes,
  type HubSpotPort,
  type Owner,
  type PartnerRelationship,
  type Pipeline,
  type RegistrationRecord,
  StalePagingCursorError,
  type SubmissionPage,
  type TimeWindow,
} from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import {
  HubSpotConfigurationError,
  HubSpotConflictError,
  HubSpotError,
  HubSpotNotFoundError,
  HubSpotRequestError,
} from './errors.ts';

// The generated client types HubSpot's enumerations as TypeScript enums of the same strings.
const userDefined = 'USER_DEFINED' as AssociationSpecAssociationCategoryEnum;
const hubspotDefined = 'HUBSPOT_DEFINED' as ObjectAssociationCategory;
/** HubSpot's defined (unlabelled) association type from a deal to a company. */
const dealToCompanyTypeId = 341;

/** Batch endpoints take at most this many inputs. */
export const batchSize = 100;
/** Search answers at most this many results per page … */
const searchPageSize = 200;
/** … and at most this many per query, however it is paged. */
export const searchResultCap = 10_000;

const companyProperties = ['name', 'domain', 'type'];
export const dealProperties = [
  'dealname',
  'amount',
  'deal_currency_code',
  'pipeline',
  'dealstage',
  'hubspot_owner_id',
  'closedate',
  'createdate',
  crmNames.deal.registrationId,
  crmNames.deal.partnerCompanyId,
  crmNames.deal.partnerRelationship,
];

type Properties = Record<string, string | null | undefined>;
interface CrmObject {
  readonly id: string;
  readonly properties: Properties;
}

type FilterOperator =
  | 'EQ'
  | 'NEQ'
  | 'IN'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'BETWEEN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN';
interface SearchFilter {
  readonly propertyName: string;
  readonly operator: FilterOperator;
  readonly value?: string;
  readonly highValue?: string;
  readonly values?: string[];
}

const submissionsPageSchema = z.object({
  results: z.array(
    z.object({
      conversionId: z.string(),
      submittedAt: z.number(),
      values: z.array(z.object({ name: z.string(), value: z.string() })),
      pageUrl: z.string().optional(),
    }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export interface HubSpotAdapterOptions {
  /** The portal (hub) id, stamped on form submissions (the Forms API does not return it). */
  readonly portalId: number;
}

/**
 * The CRM ports over `@hubspot/api-client`. Every call goes through the connection's gateway
 * (rate limits, retries, named errors); writes are keyed by registration id so that a retried
 * or repeated call never creates a second object.
 */
export class HubSpotAdapter implements HubSpotPort {
  readonly #client: HubSpotConnection['client'];
  readonly #gateway: HubSpotConnection['gateway'];
  readonly #portalId: number;
  #registrationObjectType: Promise<string> | undefined;
  #labelTypeIds: Promise<Map<string, number>> | undefined;
  #pipelines: Promise<Pipeline[]> | undefined;
  readonly #owners = new Map<string, Promise<Owner | null>>();

  constructor(connection: HubSpotConnection, options: HubSpotAdapterOptions) {
    this.#client = connection.client;
    this.#gateway = connection.gateway;
    this.#portalId = options.portalId;
  }

  /* ---------- companies ---------- */

  async findPartnerByDomain(domain: string): Promise<Company | null> {
    const companies = await this.#searchAll('companies', 'find partner by domain', {
      filters: [
        { propertyName: 'domain', operator: 'EQ', value: domain.toLowerCase() },
        { propertyName: 'type', operator: 'EQ', value: 'PARTNER' },
      ],
      properties: companyProperties,
    });
    const first = companies[0];
    return first === undefined ? null : toCompany(first);
  }

  async findCompaniesByDomain(domain: string): Promise<Company[]> {
    const companies = await this.#searchAll('companies', 'find companies by domain', {
      filters: [{ propertyName: 'domain', operator: 'EQ', value: domain.toLowerCase() }],
      properties: companyProperties,
    });
    return companies.map(toCompany);
  }

  async findOrCreateCustomerCompany(
    customer: CustomerCompanyDraft,
  ): Promise<{ companyId: string; created: boolean }> {
    const existing = (await this.findCompaniesByDomain(customer.domain)).find(
      (company) => company.type?.toUpperCase() !== 'PARTNER',
    );
    if (existing !== undefined) return { companyId: existing.id, created: false };
    const properties: Record<string, string> = { name: customer.name, domain: customer.domain.toLowerCase() };
    if (customer.country !== undefined) properties.country = customer.country;
    const made = await this.#gateway.call('create customer company', () =>
      this.#client.crm.companies.basicApi.create({ properties, associations: [] }),
    );
    return { companyId: made.id, created: true };
  }

  async findCompaniesByName(name: string): Promise<Company[]> {
    // The CRM matches whole tokens; the longest word of the name is the most selective one.
    const token = name
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length > 0)
      .sort((a, b) => b.length - a.length)[0];
    if (token === undefined) return [];
    const companies = await this.#searchAll('companies', 'find companies by name', {
      filters: [{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: token }],
      properties: companyProperties,
    });
    return companies.map(toCompany);
  }

  /* ---------- deals ---------- */

  async openDealsOfCompany(companyId: string): Promise<DealWithOwner[]> {
    const dealIds = await this.#associatedIds('companies', companyId, 'deals');
    const [{ deals }, pipelines] = await Promise.all([this.batchReadDeals(dealIds), this.pipelines()]);
    const closedStages = new Set(
      pipelines.flatMap((pipeline) =>
        pipeline.stages.filter((stage) => stage.isClosed).map((stage) => stage.id),
      ),
    );
    const open = deals.filter((deal) => deal.stageId === null || !closedStages.has(deal.stageId));
    return Promise.all(
      open.map(async (deal) => ({
        ...deal,
        owner: deal.ownerId === null ? null : await this.#owner(deal.ownerId),
      })),
    );
  }

  async closedWonDealsOfCompany(companyId: string): Promise<Deal[]> {
    const dealIds = await this.#associatedIds('companies', companyId, 'deals');
    const [{ deals }, pipelines] = await Promise.all([this.batchReadDeals(dealIds), this.pipelines()]);
    const wonStages = new Set(
      pipelines.flatMap((pipeline) =>
        pipeline.stages.filter((stage) => stage.isClosed && stage.probability === 1).map((stage) => stage.id),
      ),
    );
    return deals.filter((deal) => deal.stageId !== null && wonStages.has(deal.stageId));
  }

  async batchReadDeals(
    ids: readonly string[],
    properties: readonly string[] = dealProperties,
  ): Promise<{ deals: Deal[]; missing: string[] }> {
    const objects = await this.#batchRead('deals', 'batch-read deals', ids, properties);
    const found = new Set(objects.map((object) => object.id));
    return { deals: objects.map(toDeal), missing: [...new Set(ids)].filter((id) => !found.has(id)) };
  }

  async *searchDeals(search: DealSearch): AsyncIterable<Deal> {
    const dateProperty = search.dateProperty ?? 'createdate';
    const fixed: SearchFilter[] = [
      ...(search.partnerCompanyId === undefined
        ? []
        : [
            {
              propertyName: crmNames.deal.partnerCompanyId,
              operator: 'EQ' as const,
              value: search.partnerCompanyId,
            },
          ]),
      ...(search.relationship === undefined
        ? []
        : [
            {
              propertyName: crmNames.deal.partnerRelationship,
              operator: 'EQ' as const,
              value: search.relationship,
            },
          ]),
    ];
    // Depth-first over the window, oldest part first: a part with more results than one query
    // may return is halved until every part fits under the cap.
    const pending: TimeWindow[] = [{ from: search.from, to: search.to }];
    while (pending.length > 0) {
      const window = pending.shift() as TimeWindow;
      const filters: SearchFilter[] = [
        ...fixed,
        { propertyName: dateProperty, operator: 'GTE', value: String(window.from) },
        { propertyName: dateProperty, operator: 'LT', value: String(window.to) },
      ];
      const first = await this.#searchPage('deals', 'search deals', {
        filters,
        properties: dealProperties,
        sort: dateProperty,
      });
      if (first.total > searchResultCap && window.to - window.from > 1) {
        const middle = Math.floor((window.from + window.to) / 2);
        pending.unshift({ from: window.from, to: middle }, { from: middle, to: window.to });
        continue;
      }
      if (first.total > searchResultCap) {
        throw new HubSpotRequestError(
          `search deals: more than ${searchResultCap} deals share the instant ${window.from}; narrow the search`,
        );
      }
      let page = first;
      for (;;) {
        for (const object of page.results) yield toDeal(object);
        if (page.after === undefined) break;
        page = await this.#searchPage('deals', 'search deals', {
          filters,
          properties: dealProperties,
          sort: dateProperty,
          after: page.after,
        });
      }
    }
  }

  pipelines(): Promise<Pipeline[]> {
    this.#pipelines ??= this.#gateway
      .call('read deal pipelines', () => this.#client.crm.pipelines.pipelinesApi.getAll('deals'))
      .then((response) =>
        response.results.map((pipeline) => ({
          id: pipeline.id,
          label: pipeline.label,
          stages: [...pipeline.stages]
            .sort((a, b) => a.displayOrder - b.displayOrder)
            .map((stage) => {
              const probability = Number(stage.metadata?.probability);
              return {
                id: stage.id,
                label: stage.label,
                displayOrder: stage.displayOrder,
                isClosed: String(stage.metadata?.isClosed) === 'true',
                probability:
                  stage.metadata?.probability === undefined || Number.isNaN(probability) ? null : probability,
              };
            }),
        })),
      )
      .catch((error: unknown) => {
        this.#pipelines = undefined;
        throw error;
      });
    return this.#pipelines;
  }

  /* ---------- engagements ---------- */

  async engagementsWithCompany(
    companyId: string,
    window: TimeWindow,
    ownerIds?: readonly string[],
  ): Promise<Engagement[]> {
    const owners = ownerIds === undefined ? undefined : new Set(ownerIds);
    const perType = await Promise.all(
      engagementTypes.map(async (type) => {
        const ids = await this.#associatedIds('companies', companyId, type);
        const objects = await this.#batchRead(type, `read ${type}`, ids, [
          'hs_timestamp',
          'hubspot_owner_id',
        ]);
        return objects.map((object) => toEngagement(type, object));
      }),
    );
    return perType
      .flat()
      .filter(
        (engagement) =>
          engagement.occurredAt >= window.from &&
          engagement.occurredAt < window.to &&
          (owners === undefined || (engagement.ownerId !== null && owners.has(engagement.ownerId))),
      )
      .sort((a, b) => a.occurredAt - b.occurredAt);
  }

  /* ---------- writes ---------- */

  async upsertRegistrationRecord(
    record: RegistrationRecord,
  ): Promise<{ recordId: string; created: boolean }> {
    const objectType = await this.#registrationType();
    const properties = registrationProperties(record);
    const existing = await this.#findByUniqueProperty(
      objectType,
      crmNames.registration.id,
      record.registrationId,
    );
    let recordId: string;
    let created = false;
    if (existing === null) {
      const made = await this.#createUnique(objectType, 'create deal registration record', properties, () =>
        this.#findByUniqueProperty(objectType, crmNames.registration.id, record.registrationId),
      );
      recordId = made.id;
      created = made.created;
    } else {
      recordId = existing.id;
      await this.#gateway.call('update deal registration record', () =>
        this.#client.crm.objects.basicApi.update(objectType, existing.id, { properties }),
      );
    }
    const links: [string, string | undefined][] = [
      ['companies', record.partnerCompanyId],
      ['companies', record.customerCompanyId],
      ['contacts', record.submitterContactId],
      ['deals', record.dealId],
    ];
    for (const [toType, toId] of links) {
      if (toId !== undefined) await this.#associateDefault(objectType, recordId, toType, toId);
    }
    return { recordId, created };
  }

  async createOrLinkDeal(
    draft: DealDraft,
    existingDealId?: string,
  ): Promise<{ dealId: string; created: boolean }> {
    const claimed = await this.#findByUniqueProperty(
      'deals',
      crmNames.deal.registrationId,
      draft.registrationId,
    );
    if (claimed !== null) return { dealId: claimed.id, created: false };
    if (existingDealId !== undefined) {
      await this.#gateway.call('link deal to registration', () =>
        this.#client.crm.deals.basicApi.update(existingDealId, {
          properties: { [crmNames.deal.registrationId]: draft.registrationId },
        }),
      );
      if (draft.customerCompanyId !== undefined) {
        await this.#associateDefault('deals', existingDealId, 'companies', draft.customerCompanyId);
      }
      return { dealId: existingDealId, created: false };
    }
    const properties: Record<string, string> = {
      dealname: draft.name,
      [crmNames.deal.registrationId]: draft.registrationId,
    };
    if (draft.amount !== undefined) properties.amount = String(draft.amount);
    if (draft.currency !== undefined) properties.deal_currency_code = draft.currency;
    if (draft.closeDate !== undefined) properties.closedate = draft.closeDate;
    if (draft.pipelineId !== undefined) properties.pipeline = draft.pipelineId;
    if (draft.stageId !== undefined) properties.dealstage = draft.stageId;
    if (draft.ownerId !== undefined) properties.hubspot_owner_id = draft.ownerId;
    // The customer company rides in the create itself, so the deal never exists without it and
    // the CRM's creation event can already be attributed to the customer.
    const associations =
      draft.customerCompanyId === undefined
        ? []
        : [
            {
              to: { id: draft.customerCompanyId },
              types: [{ associationCategory: hubspotDefined, associationTypeId: dealToCompanyTypeId }],
            },
          ];
    const made = await this.#createUnique(
      'deals',
      'create deal',
      properties,
      () => this.#findByUniqueProperty('deals', crmNames.deal.registrationId, draft.registrationId),
      associations,
    );
    if (!made.created && draft.customerCompanyId !== undefined) {
      await this.#associateDefault('deals', made.id, 'companies', draft.customerCompanyId);
    }
    return { dealId: made.id, created: made.created };
  }

  async associatePartner(
    partnerCompanyId: string,
    dealId: string,
    relationship: PartnerRelationship,
  ): Promise<void> {
    const labels = await this.#partnerLabelTypeIds();
    const wanted = labels.get(relationship);
    if (wanted === undefined) {
      throw new HubSpotConfigurationError(
        `the "${crmNames.partnerLabels[relationship][0]}" association label is missing; run \`dealreg hubspot setup\``,
      );
    }
    // The association PUT adds a label to those the pair has, so a relabelled partner first
    // gets the new label, then loses the others: the deal never lacks a partner label.
    await this.#gateway.call('label partner association', () =>
      this.#client.crm.associations.v4.basicApi.create('companies', partnerCompanyId, 'deals', dealId, [
        { associationCategory: userDefined, associationTypeId: wanted },
      ]),
    );
    // Removing labels the pair does not carry is a no-op, so the other partner labels are
    // removed without first listing the partner's (possibly many) deal associations.
    const stale = [...labels.values()].filter((typeId) => typeId !== wanted);
    if (stale.length > 0) {
      await this.#gateway.call('remove other partner labels', () =>
        this.#client.crm.associations.v4.batchApi.archiveLabels('companies', 'deals', {
          inputs: [
            {
              _from: { id: partnerCompanyId },
              to: { id: dealId },
              types: stale.map((typeId) => ({
                associationCategory: userDefined,
                associationTypeId: typeId,
              })),
            },
          ],
        }),
      );
    }
    await this.#gateway.call('mirror partner on deal', () =>
      this.#client.crm.deals.basicApi.update(dealId, {
        properties: {
          [crmNames.deal.partnerCompanyId]: partnerCompanyId,
          [crmNames.deal.partnerRelationship]: relationship,
        },
      }),
    );
  }

  /* ---------- forms ---------- */

  async listFormSubmissions(
    formGuid: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<SubmissionPage> {
    const limit = Math.min(50, Math.max(1, page.limit ?? 50));
    const what = `list submissions of form ${formGuid}`;
    const response = await this.#listSubmissionsPage(what, formGuid, limit, page.after);
    const parsed = submissionsPageSchema.safeParse(response);
    if (!parsed.success) {
      throw new HubSpotError(
        `${what}: unexpected answer from HubSpot: ${parsed.error.issues[0]?.message ?? ''}`,
        {
          cause: parsed.error,
        },
      );
    }
    const after = parsed.data.paging?.next?.after;
    return {
      submissions: parsed.data.results.map((result) => ({
        conversionId: result.conversionId,
        submittedAt: result.submittedAt,
        formGuid,
        portalId: this.#portalId,
        values: result.values,
        ...(result.pageUrl === undefined ? {} : { pageUrl: result.pageUrl }),
      })),
      ...(after === undefined ? {} : { after }),
    };
  }

  async #listSubmissionsPage(what: string, formGuid: string, limit: number, after: string | undefined) {
    try {
      return await this.#gateway.call(what, async () => {
        const answer = await this.#client.apiRequest({
          method: 'GET',
          path: `/form-integrations/v1/submissions/forms/${encodeURIComponent(formGuid)}`,
          qs: { limit: String(limit), ...(after === undefined ? {} : { after }) },
        });
        const text = await answer.text();
        const body = parseJson(text);
        if (answer.status !== 200) {
          throw Object.assign(new Error(`HubSpot answered ${answer.status}`), {
            code: answer.status,
            body,
            headers: Object.fromEntries(answer.headers.entries()),
          });
        }
        return body;
      });
    } catch (error) {
      if (after !== undefined && error instanceof HubSpotRequestError && error.status === 400) {
        throw new StalePagingCursorError(`${what}: HubSpot no longer accepts the paging cursor "${after}"`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /* ---------- helpers ---------- */

  async #registrationType(): Promise<string> {
    this.#registrationObjectType ??= this.#gateway
      .call('read custom object schemas', () => this.#client.crm.schemas.coreApi.getAll())
      .then((schemas) => {
        const schema = schemas.results.find((candidate) => candidate.name === crmNames.registrationObject);
        if (schema?.objectTypeId === undefined) {
          throw new HubSpotConfigurationError(
            `the portal has no "${crmNames.registrationObject}" object; run \`dealreg hubspot setup\``,
          );
        }
        return schema.objectTypeId;
      })
      .catch((error: unknown) => {
        this.#registrationObjectType = undefined;
        throw error;
      });
    return this.#registrationObjectType;
  }

  async #partnerLabelTypeIds(): Promise<Map<string, number>> {
    this.#labelTypeIds ??= this.#gateway
      .call('read partner association labels', () =>
        this.#client.crm.associations.v4.schema.definitionsApi.getAll('companies', 'deals'),
      )
      .then((answer) => {
        const byRelationship = new Map<string, number>();
        for (const [relationship, [label]] of Object.entries(crmNames.partnerLabels)) {
          const found = answer.results.find((definition) => definition.label === label);
          if (found !== undefined) byRelationship.set(relationship, found.typeId);
        }
        return byRelationship;
      })
      .catch((error: unknown) => {
        this.#labelTypeIds = undefined;
        throw error;
      });
    return this.#labelTypeIds;
  }

  #owner(ownerId: string): Promise<Owner | null> {
    let owner = this.#owners.get(ownerId);
    if (owner === undefined) {
      const numeric = Number(ownerId);
      owner = this.#gateway
        .call(`read owner ${ownerId}`, () => this.#client.crm.owners.ownersApi.getById(numeric, 'id', false))
        .then((found) => ({
          id: found.id,
          email: found.email ?? null,
          firstName: found.firstName ?? null,
          lastName: found.lastName ?? null,
        }))
        .catch((error: unknown) => {
          if (error instanceof HubSpotNotFoundError) return null;
          this.#owners.delete(ownerId);
          throw error;
        });
      this.#owners.set(ownerId, owner);
    }
    return owner;
  }

  async #findByUniqueProperty(
    objectType: string,
    property: string,
    value: string,
  ): Promise<CrmObject | null> {
    try {
      return await this.#gateway.call(`find ${objectType} by ${property}`, () =>
        this.#client.crm.objects.basicApi.getById(
          objectType,
          value,
          [property],
          undefined,
          undefined,
          false,
          property,
        ),
      );
    } catch (error) {
      if (error instanceof HubSpotNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Creates an object whose properties include a unique value. A 5xx may hide a create that
   * happened, so it is retried; the retry then meets the unique value (409) and the object
   * the first attempt made is looked up instead of a second one being written.
   */
  async #createUnique(
    objectType: string,
    what: string,
    properties: Record<string, string>,
    findExisting: () => Promise<CrmObject | null>,
    associations: PublicAssociationsForObject[] = [],
  ): Promise<{ id: string; created: boolean }> {
    try {
      const made = await this.#gateway.call(what, () =>
        this.#client.crm.objects.basicApi.create(objectType, { properties, associations }),
      );
      return { id: made.id, created: true };
    } catch (error) {
      if (!(error instanceof HubSpotConflictError)) throw error;
      const existing = await findExisting();
      if (existing === null) throw error;
      return { id: existing.id, created: false };
    }
  }

  async #associateDefault(fromType: string, fromId: string, toType: string, toId: string): Promise<void> {
    await this.#gateway.call(`associate ${fromType} ${fromId} with ${toType} ${toId}`, () =>
      this.#client.crm.associations.v4.basicApi.createDefault(fromType, fromId, toType, toId),
    );
  }

  async #associations(fromType: string, fromId: string, toType: string) {
    const all: {
      toObjectId: string;
      associationTypes: { typeId: number; category: string; label?: string }[];
    }[] = [];
    let after: string | undefined;
    do {
      const cursor = after;
      const page = await this.#gateway.call(`read ${toType} of ${fromType} ${fromId}`, () =>
        this.#client.crm.associations.v4.basicApi.getPage(fromType, fromId, toType, cursor, 500),
      );
      for (const result of page.results) {
        all.push({
          toObjectId: String(result.toObjectId),
          associationTypes: result.associationTypes.map((type) => ({
            typeId: type.typeId,
            category: String(type.category),
            ...(type.label === undefined ? {} : { label: type.label }),
          })),
        });
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return all;
  }

  async #associatedIds(fromType: string, fromId: string, toType: string): Promise<string[]> {
    return (await this.#associations(fromType, fromId, toType)).map((entry) => entry.toObjectId);
  }

  async #batchRead(
    objectType: string,
    what: string,
    ids: readonly string[],
    properties: readonly string[],
  ): Promise<CrmObject[]> {
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let start = 0; start < unique.length; start += batchSize)
      chunks.push(unique.slice(start, start + batchSize));
    const answers = await Promise.all(
      chunks.map((chunk) =>
        this.#gateway.call(what, () =>
          this.#client.crm.objects.batchApi.read(objectType, {
            inputs: chunk.map((id) => ({ id })),
            properties: [...properties],
            propertiesWithHistory: [],
          }),
        ),
      ),
    );
    return answers.flatMap((answer) => answer.results);
  }

  async #searchAll(
    objectType: string,
    what: string,
    request: { filters: SearchFilter[]; properties: string[] },
  ): Promise<CrmObject[]> {
    const results: CrmObject[] = [];
    let after: string | undefined;
    do {
      const page = await this.#searchPage(objectType, what, {
        ...request,
        ...(after === undefined ? {} : { after }),
      });
      results.push(...page.results);
      after = results.length >= searchResultCap ? undefined : page.after;
    } while (after !== undefined);
    return results;
  }

  async #searchPage(
    objectType: string,
    what: string,
    request: { filters: SearchFilter[]; properties: string[]; sort?: string; after?: string },
  ): Promise<{ results: CrmObject[]; total: number; after?: string }> {
    const answer = await this.#gateway.call(
      what,
      () =>
        this.#client.crm.objects.searchApi.doSearch(objectType, {
          filterGroups: [
            {
              filters: request.filters.map((filter) => ({
                ...filter,
                operator: filter.operator as FilterOperatorEnum,
              })),
            },
          ],
          properties: request.properties,
          limit: searchPageSize,
          ...(request.sort === undefined ? {} : { sorts: [request.sort] }),
          ...(request.after === undefined ? {} : { after: request.after }),
        }),
      { kind: 'search' },
    );
    const after = answer.paging?.next?.after;
    return { results: answer.results, total: answer.total, ...(after === undefined ? {} : { after }) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function text(properties: Properties, name: string): string | null {
  const value = properties[name];
  return value === undefined || value === null || value === '' ? null : value;
}

function toCompany(object: CrmObject): Company {
  return {
    id: object.id,
    name: text(object.properties, 'name'),
    domain: text(object.properties, 'domain'),
    type: text(object.properties, 'type'),
  };
}

function toDeal(object: CrmObject): Deal {
  const amount = text(object.properties, 'amount');
  const properties: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(object.properties)) properties[name] = value ?? null;
  return {
    id: object.id,
    name: text(object.properties, 'dealname'),
    amount: amount === null || Number.isNaN(Number(amount)) ? null : Number(amount),
    currency: text(object.properties, 'deal_currency_code'),
    pipelineId: text(object.properties, 'pipeline'),
    stageId: text(object.properties, 'dealstage'),
    ownerId: text(object.properties, 'hubspot_owner_id'),
    closeDate: text(object.properties, 'closedate'),
    createdAt: text(object.properties, 'createdate'),
    registrationId: text(object.properties, crmNames.deal.registrationId),
    partnerCompanyId: text(object.properties, crmNames.deal.partnerCompanyId),
    partnerRelationship: text(object.properties, crmNames.deal.partnerRelationship),
    properties,
  };
}

function toEngagement(type: EngagementType, object: CrmObject): Engagement {
  const timestamp = text(object.properties, 'hs_timestamp');
  const asNumber = Number(timestamp);
  const occurredAt =
    timestamp === null ? Number.NaN : Number.isNaN(asNumber) ? Date.parse(timestamp) : asNumber;
  return { id: object.id, type, occurredAt, ownerId: text(object.properties, 'hubspot_owner_id') };
}

function registrationProperties(record: RegistrationRecord): Record<string, string> {
  const names = crmNames.registration;
  const properties: Record<string, string> = {
    [names.id]: record.registrationId,
    [names.name]: record.name,
    [names.status]: record.status,
  };
  const optional: [string, string | number | undefined][] = [
    [names.relationship, record.relationship],
    [names.partnerDomain, record.partnerDomain],
    [names.customerDomain, record.customerDomain],
    [names.customerCompanyName, record.customerCompanyName],
    [names.estimatedAmount, record.estimatedAmount],
    [names.currency, record.currency],
    [names.expectedCloseDate, record.expectedCloseDate],
    [names.campaignId, record.campaignId],
    [names.cloudMarketplace, record.cloudMarketplace],
    [names.policyVersion, record.policyVersion],
    [names.expiresOn, record.expiresOn],
  ];
  for (const [name, value] of optional) if (value !== undefined) properties[name] = String(value);
  return properties;
}
