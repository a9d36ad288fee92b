import {
  AssociateOpportunityCommand,
  CountryCode,
  CreateOpportunityCommand,
  type CreateOpportunityCommandInput,
  GetOpportunityCommand,
  type GetOpportunityResponse,
  ListOpportunitiesCommand,
  type OpportunitySummary,
  type PartnerCentralSellingClient,
  StartEngagementFromOpportunityTaskCommand,
} from '@aws-sdk/client-partnercentral-selling';
import type {
  CoSellOpportunities,
  CoSellOpportunity,
  CoSellOpportunityDraft,
  CoSellOpportunityFilter,
  CoSellOpportunityPage,
  CoSellSubmission,
  CoSellSubmissionTask,
  CreatedCoSellOpportunity,
} from '#ports/partner-central.ts';
import { CoSellError } from '#ports/partner-central-errors.ts';
import { toExpectedSpend } from './expected-spend.ts';
import type { RetryingCalls } from './retrying-calls.ts';

/**
 * `CoSellOpportunities` over the AWS Partner Central Selling API (SDK v3): one catalog, every
 * call through `RetryingCalls`.
 */
export class PartnerCentralCoSellOpportunities implements CoSellOpportunities {
  readonly #client: PartnerCentralSellingClient;
  readonly #catalog: 'AWS' | 'Sandbox';
  readonly #calls: RetryingCalls;

  constructor(client: PartnerCentralSellingClient, catalog: 'AWS' | 'Sandbox', calls: RetryingCalls) {
    this.#client = client;
    this.#catalog = catalog;
    this.#calls = calls;
  }

  async create(draft: CoSellOpportunityDraft, clientToken: string): Promise<CreatedCoSellOpportunity> {
    const what = `create the co-sell opportunity for ${draft.PartnerOpportunityIdentifier}`;
    const created = await this.#calls.call(what, () =>
      this.#client.send(
        new CreateOpportunityCommand({
          ...toCreateInput(draft),
          Catalog: this.#catalog,
          ClientToken: clientToken,
        }),
      ),
    );
    if (created.Id === undefined) throw new CoSellError(`${what}: Partner Central answered without an id`);
    return {
      opportunityId: created.Id,
      lastModifiedAt: created.LastModifiedDate?.toISOString(),
    };
  }

  async submitToAws(opportunityId: string, submission: CoSellSubmission): Promise<CoSellSubmissionTask> {
    const what = `submit opportunity ${opportunityId} to AWS`;
    const task = await this.#calls.call(what, () =>
      this.#client.send(
        new StartEngagementFromOpportunityTaskCommand({
          Catalog: this.#catalog,
          Identifier: opportunityId,
          ClientToken: submission.clientToken,
          AwsSubmission: {
            InvolvementType: submission.involvement,
            Visibility: submission.visibility ?? 'Full',
          },
        }),
      ),
    );
    if (task.TaskId === undefined || task.TaskStatus === undefined) {
      throw new CoSellError(`${what}: Partner Central answered without a task id and status`);
    }
    return {
      taskId: task.TaskId,
      status: task.TaskStatus,
      message: task.Message,
      reasonCode: task.ReasonCode,
      engagementId: task.EngagementId,
    };
  }

  async associateSolution(opportunityId: string, solution: string): Promise<void> {
    // "AssociateOpportunity" (API reference): RelatedEntityType `Solutions` for a Partner Solution
    // id, `AwsMarketplaceSolutions` (with the ARN) for an AWS Marketplace one.
    await this.#calls.call(`associate solution ${solution} with opportunity ${opportunityId}`, () =>
      this.#client.send(
        new AssociateOpportunityCommand({
          Catalog: this.#catalog,
          OpportunityIdentifier: opportunityId,
          RelatedEntityType: solution.startsWith('arn:') ? 'AwsMarketplaceSolutions' : 'Solutions',
          RelatedEntityIdentifier: solution,
        }),
      ),
    );
  }

  async get(opportunityId: string): Promise<CoSellOpportunity> {
    const found = await this.#calls.call(`read opportunity ${opportunityId}`, () =>
      this.#client.send(new GetOpportunityCommand({ Catalog: this.#catalog, Identifier: opportunityId })),
    );
    return toCoSellOpportunity(found, 'answered');
  }

  async list(
    filter: CoSellOpportunityFilter = {},
    page: { readonly pageToken?: string | undefined; readonly pageSize?: number | undefined } = {},
  ): Promise<CoSellOpportunityPage> {
    const listed = await this.#calls.call('list co-sell opportunities', () =>
      this.#client.send(
        new ListOpportunitiesCommand({
          Catalog: this.#catalog,
          MaxResults: page.pageSize ?? 100,
          NextToken: page.pageToken,
          Sort: { SortBy: 'LastModifiedDate', SortOrder: 'DESCENDING' },
          ...(filter.reviewStatuses === undefined
            ? {}
            : { LifeCycleReviewStatus: [...filter.reviewStatuses] }),
          ...(filter.stages === undefined ? {} : { LifeCycleStage: [...filter.stages] }),
          ...(filter.customerCompanyNames === undefined
            ? {}
            : { CustomerCompanyName: [...filter.customerCompanyNames] }),
          ...(filter.modifiedAfter === undefined
            ? {}
            : { LastModifiedDate: { AfterLastModifiedDate: new Date(filter.modifiedAfter) } }),
        }),
      ),
    );
    return {
      opportunities: (listed.OpportunitySummaries ?? []).map((summary) =>
        toCoSellOpportunity(summary, 'listed'),
      ),
      nextPageToken: listed.NextToken,
    };
  }
}

const countryCodes: ReadonlySet<string> = new Set(Object.values(CountryCode));

function isCountryCode(code: string): code is CountryCode {
  return countryCodes.has(code);
}

/** The draft as the SDK types it: its country must be one of the model's `CountryCode` values. */
function toCreateInput(draft: CoSellOpportunityDraft): Omit<CreateOpportunityCommandInput, 'Catalog'> {
  const { Address, ...account } = draft.Customer.Account;
  const country = Address?.CountryCode;
  if (country !== undefined && !isCountryCode(country)) {
    throw new CoSellError(
      `create the co-sell opportunity for ${draft.PartnerOpportunityIdentifier}: ${country} is not a country Partner Central knows`,
    );
  }
  const { CountryCode: _country, ...address } = Address ?? {};
  const withCountry = { ...address, ...(country === undefined ? {} : { CountryCode: country }) };
  return {
    ...draft,
    Customer: {
      Account: { ...account, ...(Object.keys(withCountry).length === 0 ? {} : { Address: withCountry }) },
    },
  };
}

/**
 * An opportunity as GetOpportunity answers it or ListOpportunities summarises it: both carry the
 * same members Dealreg reads (LifeCycle, Customer.Account, the partner's identifier, the dates,
 * and `Project.ExpectedCustomerSpend`, which `ProjectSummary` carries too), so the reconciliation
 * needs no GetOpportunity per listed opportunity.
 */
function toCoSellOpportunity(
  found: GetOpportunityResponse | OpportunitySummary,
  answered: string,
): CoSellOpportunity {
  if (found.Id === undefined)
    throw new CoSellError(`Partner Central ${answered} an opportunity without an id`);
  return {
    opportunityId: found.Id,
    registrationId: found.PartnerOpportunityIdentifier,
    customerCompanyName: found.Customer?.Account?.CompanyName,
    stage: found.LifeCycle?.Stage,
    reviewStatus: found.LifeCycle?.ReviewStatus,
    reviewComments: found.LifeCycle?.ReviewComments,
    reviewStatusReason: found.LifeCycle?.ReviewStatusReason,
    targetCloseDate: found.LifeCycle?.TargetCloseDate,
    expectedSpend: toExpectedSpend(found.Project?.ExpectedCustomerSpend),
    createdAt: found.CreatedDate?.toISOString(),
    lastModifiedAt: found.LastModifiedDate?.toISOString(),
  };
}
