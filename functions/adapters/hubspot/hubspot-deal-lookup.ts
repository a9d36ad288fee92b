import type { DealFacts } from '#domain/crm-events/crm-event-entries.ts';
import type { Customer } from '#domain/ledger/entry.ts';
import { registrableDomain } from '#domain/normalise.ts';
import type { CrmDealLookup } from '#ports/crm-deal-lookup.ts';
import type { HubSpotConnection } from './connection.ts';
import { batchRead, type CrmObject, inBatches, rememberedUntilFailure } from './crm-requests.ts';
import { HubSpotDealDirectory, type PipelineCacheOptions } from './deal-directory.ts';

const primaryLabel = 'primary';

interface CompanyLink {
  readonly companyId: string;
  readonly primary: boolean;
  /** Every label the pair has (unlabelled association types have none). */
  readonly labels: readonly string[];
}

/**
 * What the CRM-events use case reads from HubSpot, in batches of 100: the deals (name, amount,
 * currency, stage, close date), their company associations and those companies (name, domain,
 * type). The customer is the deal's associated company that is not of type PARTNER and has a
 * domain, the primary one first. The deal pipelines are the deal directory's, kept for a bounded time (`cache`).
 */
export class HubSpotDealLookup implements CrmDealLookup {
  readonly #connection: HubSpotConnection;
  /** The portal's deal-to-company association labels, read once per adapter. */
  readonly #labels: () => Promise<ReadonlyMap<number, string | null>>;
  readonly #directory: HubSpotDealDirectory;

  constructor(connection: HubSpotConnection, cache: PipelineCacheOptions = {}) {
    this.#connection = connection;
    this.#directory = new HubSpotDealDirectory(connection, undefined, cache);
    this.#labels = rememberedUntilFailure(async () => {
      const { client, gateway } = connection;
      const answer = await gateway.call('read deal-to-company association labels', () =>
        client.crm.associations.v4.schema.definitionsApi.getAll('deals', 'companies'),
      );
      return new Map(answer.results.map((definition) => [definition.typeId, definition.label ?? null]));
    });
  }

  async describeDeals(dealIds: readonly string[]): Promise<ReadonlyMap<string, DealFacts>> {
    const ids = [...new Set(dealIds)];
    const [deals, links] = await Promise.all([this.#readDeals(ids), this.#companyLinks(ids)]);
    const companyIds = [
      ...new Set([...links.values()].flatMap((list) => list.map((link) => link.companyId))),
    ];
    const companies = await this.#readCompanies(companyIds);
    const facts = new Map<string, DealFacts>();
    for (const [dealId, properties] of deals) {
      const candidates = [...(links.get(dealId) ?? [])].sort(
        (a, b) => Number(b.primary) - Number(a.primary) || a.companyId.localeCompare(b.companyId),
      );
      let customer: Customer | undefined;
      for (const link of candidates) {
        const company = companies.get(link.companyId);
        if (company === undefined || company.type?.toUpperCase() === 'PARTNER') continue;
        const domain = company.domain?.trim() ?? '';
        if (domain === '') continue;
        const name = company.name?.trim();
        customer = {
          domain: registrableDomain(domain) ?? domain.toLowerCase(),
          name: name || undefined,
        };
        break;
      }
      facts.set(dealId, {
        name: properties.dealname ?? null,
        amount: properties.amount ?? null,
        currency: properties.deal_currency_code ?? null,
        stage: properties.dealstage ?? null,
        closeDate: properties.closedate ?? null,
        customer,
        companyLabels: new Map(
          (links.get(dealId) ?? []).map((link) => [link.companyId, link.labels] as const),
        ),
      });
    }
    return facts;
  }

  dealToCompanyLabels(): Promise<ReadonlyMap<number, string | null>> {
    return this.#labels();
  }

  dealPipelines(options: { readonly fresh?: boolean } = {}) {
    return this.#directory.pipelines(options);
  }

  async #readObjects(
    objectType: string,
    ids: readonly string[],
    properties: readonly string[],
  ): Promise<Map<string, CrmObject['properties']>> {
    const objects = await batchRead(
      this.#connection,
      objectType,
      `batch-read ${objectType}`,
      ids,
      properties,
    );
    return new Map(objects.map((object) => [object.id, object.properties]));
  }

  #readDeals(ids: readonly string[]) {
    return this.#readObjects('deals', ids, [
      'dealname',
      'amount',
      'deal_currency_code',
      'dealstage',
      'closedate',
    ]);
  }

  async #readCompanies(ids: readonly string[]) {
    const objects = await this.#readObjects('companies', ids, ['name', 'domain', 'type']);
    return new Map(
      [...objects].map(([id, properties]) => [
        id,
        { name: properties.name ?? null, domain: properties.domain ?? null, type: properties.type ?? null },
      ]),
    );
  }

  /**
   * Every company association of the deals. A batch read answers at most a page of associations
   * per deal (500 on HubSpot), with that deal's own `paging.next.after` when it has more; the
   * cursor is sent back beside the deal's id until no deal has a next page ("Associations v4",
   * batch read associations).
   */
  async #companyLinks(dealIds: readonly string[]): Promise<Map<string, CompanyLink[]>> {
    const { client, gateway } = this.#connection;
    const links = new Map<string, CompanyLink[]>();
    const readChunk = async (chunk: string[]): Promise<void> => {
      let inputs: { id: string; after?: string }[] = chunk.map((id) => ({ id }));
      while (inputs.length > 0) {
        const pageInputs = inputs;
        const answer = await gateway.call('batch-read deal companies', () =>
          client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: pageInputs }),
        );
        inputs = [];
        for (const result of answer.results) {
          const dealId = String(result._from.id);
          const list = links.get(dealId) ?? [];
          for (const to of result.to) {
            list.push({
              companyId: String(to.toObjectId),
              primary: to.associationTypes.some((type) => type.label?.toLowerCase() === primaryLabel),
              labels: to.associationTypes.flatMap((type) => (type.label ? [type.label] : [])),
            });
          }
          links.set(dealId, list);
          const after = result.paging?.next?.after;
          if (after !== undefined) inputs.push({ id: dealId, after });
        }
      }
    };
    await Promise.all(inBatches(dealIds).map(readChunk));
    return links;
  }
}
