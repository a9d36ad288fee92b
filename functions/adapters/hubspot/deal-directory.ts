import { stageOutcomes } from '#domain/crm-events/deal-stage-outcomes.ts';
import {
  crmNames,
  type Deal,
  type DealDirectory,
  type DealSearch,
  type DealWithOwner,
  type PartnerDealAssociation,
  type Pipeline,
  type PipelineStage,
  type TimeWindow,
} from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import {
  associatedIds,
  batchRead,
  type CrmObject,
  inBatches,
  propertyText,
  type Remembered,
  rememberedFor,
  type SearchFilter,
  type SearchRequest,
  searchPage,
  searchResultCap,
  toPipeline,
} from './crm-requests.ts';
import { HubSpotRequestError } from './errors.ts';
import { HubSpotOwnerDirectory } from './owner-directory.ts';

/** The deal properties read unless others are asked for. */
const dealProperties = [
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

/** How long an adapter keeps the portal's deal pipelines before reading them again: 5 minutes. */
export const defaultPipelinesMaxAgeMs = 5 * 60_000;

/** How long the deal pipelines are kept, on which clock (epoch ms). */
export interface PipelineCacheOptions {
  /** @default defaultPipelinesMaxAgeMs */
  readonly pipelinesMaxAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Deals in HubSpot: a company's open and closed-won deals, reads by id, searches over any time
 * window, and every deal pipeline with its stages ("CRM API | Pipelines": GET
 * /crm/v3/pipelines/deals), kept for a bounded time so a stage added or changed in HubSpot is seen
 * within minutes.
 */
export class HubSpotDealDirectory implements DealDirectory {
  readonly #connection: HubSpotConnection;
  readonly #owners: HubSpotOwnerDirectory;
  readonly #pipelines: Remembered<Pipeline[]>;

  constructor(
    connection: HubSpotConnection,
    owners = new HubSpotOwnerDirectory(connection),
    cache: PipelineCacheOptions = {},
  ) {
    this.#connection = connection;
    this.#owners = owners;
    this.#pipelines = rememberedFor(
      async () => {
        const { client, gateway } = connection;
        const answer = await gateway.call('read deal pipelines', () =>
          client.crm.pipelines.pipelinesApi.getAll('deals'),
        );
        return answer.results.map(toPipeline);
      },
      cache.pipelinesMaxAgeMs ?? defaultPipelinesMaxAgeMs,
      cache.now,
    );
  }

  async openDealsOfCompany(companyId: string): Promise<DealWithOwner[]> {
    const { deals, stages } = await this.#dealsOfCompany(companyId);
    const closedStages = new Set(stages.filter((stage) => stage.isClosed).map((stage) => stage.id));
    const open = deals.filter((deal) => deal.stageId === null || !closedStages.has(deal.stageId));
    return Promise.all(
      open.map(async (deal) => ({
        ...deal,
        owner: deal.ownerId === null ? null : await this.#owners.owner(deal.ownerId),
      })),
    );
  }

  async closedWonDealsOfCompany(companyId: string): Promise<Deal[]> {
    const { deals, stages } = await this.#dealsOfCompany(companyId);
    const outcomes = stageOutcomes([{ stages }]);
    return deals.filter((deal) => deal.stageId !== null && outcomes.get(deal.stageId) === 'won');
  }

  async batchReadDeals(
    ids: readonly string[],
    properties: readonly string[] = dealProperties,
  ): Promise<{ deals: Deal[]; missing: string[] }> {
    const objects = await batchRead(this.#connection, 'deals', 'batch-read deals', ids, properties);
    const found = new Set(objects.map((object) => object.id));
    return { deals: objects.map(toDeal), missing: [...new Set(ids)].filter((id) => !found.has(id)) };
  }

  /**
   * The deals' company associations that carry a Dealreg partner label, read in batches of 100
   * deals with the v4 batch read ("Associations v4", batch read associations): each result lists
   * the associated companies with every association type of the pair, labelled ones by their
   * label. A deal with more associations than a page answers the rest with its own
   * `paging.next.after`, sent back beside the deal's id. Reading deal → company gives the labels
   * of the inverse types, which carry the same label unless the label is paired ("Associations
   * v4", association schema: create association labels), and Dealreg's partner labels are not.
   * A deal without any company association is in the batch's errors, not its results.
   */
  async partnerAssociationsOfDeals(
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, PartnerDealAssociation[]>> {
    const { client, gateway } = this.#connection;
    const byLabel = new Map<string, PartnerDealAssociation['relationship']>(
      Object.entries(crmNames.partnerLabels).map(([relationship, [label]]) => [
        label,
        relationship as PartnerDealAssociation['relationship'],
      ]),
    );
    const found = new Map<string, PartnerDealAssociation[]>();
    const readChunk = async (chunk: string[]): Promise<void> => {
      let inputs: { id: string; after?: string }[] = chunk.map((id) => ({ id }));
      while (inputs.length > 0) {
        const pageInputs = inputs;
        const answer = await gateway.call('batch-read deal partner associations', () =>
          client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: pageInputs }),
        );
        inputs = [];
        for (const result of answer.results) {
          const dealId = String(result._from.id);
          for (const to of result.to) {
            for (const type of to.associationTypes) {
              const relationship = type.label === undefined ? undefined : byLabel.get(type.label);
              if (relationship === undefined || type.label === undefined) continue;
              const list = found.get(dealId) ?? [];
              list.push({ companyId: String(to.toObjectId), relationship, label: type.label });
              found.set(dealId, list);
            }
          }
          const after = result.paging?.next?.after;
          if (after !== undefined) inputs.push({ id: dealId, after });
        }
      }
    };
    await Promise.all(inBatches(ids).map(readChunk));
    return found;
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
      const request: SearchRequest = { filters, properties: dealProperties, sort: dateProperty };
      const first = await searchPage(this.#connection, 'deals', 'search deals', request);
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
        page = await searchPage(this.#connection, 'deals', 'search deals', { ...request, after: page.after });
      }
    }
  }

  pipelines(options: { readonly fresh?: boolean } = {}): Promise<Pipeline[]> {
    return this.#pipelines(options);
  }

  /** The company's deals, and the stages of every pipeline to tell open from closed ones. */
  async #dealsOfCompany(companyId: string): Promise<{ deals: Deal[]; stages: PipelineStage[] }> {
    const dealIds = await associatedIds(this.#connection, 'companies', companyId, 'deals');
    const [{ deals }, pipelines] = await Promise.all([this.batchReadDeals(dealIds), this.pipelines()]);
    return { deals, stages: pipelines.flatMap((pipeline) => pipeline.stages) };
  }
}

function toDeal(object: CrmObject): Deal {
  const text = (name: string) => propertyText(object.properties, name);
  const amount = text('amount');
  const properties: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(object.properties)) properties[name] = value ?? null;
  return {
    id: object.id,
    name: text('dealname'),
    amount: amount === null || Number.isNaN(Number(amount)) ? null : Number(amount),
    currency: text('deal_currency_code'),
    pipelineId: text('pipeline'),
    stageId: text('dealstage'),
    ownerId: text('hubspot_owner_id'),
    closeDate: text('closedate'),
    createdAt: text('createdate'),
    registrationId: text(crmNames.deal.registrationId),
    partnerCompanyId: text(crmNames.deal.partnerCompanyId),
    partnerRelationship: text(crmNames.deal.partnerRelationship),
    properties,
  };
}
