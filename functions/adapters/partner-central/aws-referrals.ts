import {
  AcceptEngagementInvitationCommand,
  GetEngagementInvitationCommand,
  type InvitationStatus,
  ListEngagementInvitationsCommand,
  type PartnerCentralSellingClient,
  RejectEngagementInvitationCommand,
} from '@aws-sdk/client-partnercentral-selling';
import type { AwsReferral, AwsReferralSummary, AwsReferrals } from '#ports/partner-central.ts';
import { CoSellError } from '#ports/partner-central-errors.ts';
import { toExpectedSpend } from './expected-spend.ts';
import type { RetryingCalls } from './retrying-calls.ts';

/**
 * `AwsReferrals` over the Partner Central Selling API's engagement invitations (SDK v3), every
 * call through `RetryingCalls` as the opportunity calls are.
 *
 * Accepting uses AcceptEngagementInvitation ("AcceptEngagementInvitation", API reference: accepts
 * an invitation AWS shared, giving the partner the engagement's data). The API also offers
 * StartEngagementByAcceptingInvitationTask, an asynchronous task that accepts and then creates an
 * opportunity in the partner's account ("StartEngagementByAcceptingInvitationTask", API
 * reference); Dealreg does not need Partner Central to create the opportunity at this point, so
 * it uses the synchronous call, whose answer says at once whether the acceptance stood.
 */
export class PartnerCentralAwsReferrals implements AwsReferrals {
  readonly #client: PartnerCentralSellingClient;
  readonly #catalog: 'AWS' | 'Sandbox';
  readonly #calls: RetryingCalls;

  constructor(client: PartnerCentralSellingClient, catalog: 'AWS' | 'Sandbox', calls: RetryingCalls) {
    this.#client = client;
    this.#catalog = catalog;
    this.#calls = calls;
  }

  async get(invitationId: string): Promise<AwsReferral> {
    const found = await this.#calls.call(`read AWS referral ${invitationId}`, () =>
      this.#client.send(
        new GetEngagementInvitationCommand({ Catalog: this.#catalog, Identifier: invitationId }),
      ),
    );
    if (found.Id === undefined) throw new CoSellError('Partner Central answered an invitation without an id');
    const opportunity = found.Payload?.OpportunityInvitation;
    return {
      invitationId: found.Id,
      engagementId: found.EngagementId,
      status: found.Status,
      invitedAt: found.InvitationDate?.toISOString(),
      expiresAt: found.ExpirationDate?.toISOString(),
      senderCompanyName: found.SenderCompanyName,
      customerCompanyName: opportunity?.Customer?.CompanyName,
      customerWebsiteUrl: opportunity?.Customer?.WebsiteUrl,
      customerCountryCode: opportunity?.Customer?.CountryCode,
      customerIndustry: opportunity?.Customer?.Industry,
      projectTitle: opportunity?.Project?.Title,
      businessProblem: opportunity?.Project?.BusinessProblem,
      targetCompletionDate: opportunity?.Project?.TargetCompletionDate,
      expectedSpend: toExpectedSpend(opportunity?.Project?.ExpectedCustomerSpend),
      invitationMessage: found.InvitationMessage,
      rejectionReason: found.RejectionReason,
    };
  }

  async list(
    filter: { readonly statuses?: readonly InvitationStatus[] | undefined } = {},
    page: { readonly pageToken?: string | undefined; readonly pageSize?: number | undefined } = {},
  ): Promise<{
    readonly referrals: readonly AwsReferralSummary[];
    readonly nextPageToken: string | undefined;
  }> {
    const listed = await this.#calls.call('list AWS referrals', () =>
      this.#client.send(
        new ListEngagementInvitationsCommand({
          Catalog: this.#catalog,
          ParticipantType: 'RECEIVER',
          PayloadType: ['OpportunityInvitation'],
          MaxResults: page.pageSize ?? 50,
          NextToken: page.pageToken,
          Sort: { SortBy: 'InvitationDate', SortOrder: 'DESCENDING' },
          ...(filter.statuses === undefined ? {} : { Status: [...filter.statuses] }),
        }),
      ),
    );
    return {
      referrals: (listed.EngagementInvitationSummaries ?? []).map((summary) => {
        if (summary.Id === undefined)
          throw new CoSellError('Partner Central listed an invitation without an id');
        return {
          invitationId: summary.Id,
          engagementTitle: summary.EngagementTitle,
          status: summary.Status,
          invitedAt: summary.InvitationDate?.toISOString(),
          expiresAt: summary.ExpirationDate?.toISOString(),
        };
      }),
      nextPageToken: listed.NextToken,
    };
  }

  async accept(invitationId: string): Promise<void> {
    await this.#calls.call(`accept AWS referral ${invitationId}`, () =>
      this.#client.send(
        new AcceptEngagementInvitationCommand({ Catalog: this.#catalog, Identifier: invitationId }),
      ),
    );
  }

  async reject(invitationId: string, reason: string): Promise<void> {
    await this.#calls.call(`reject AWS referral ${invitationId}`, () =>
      this.#client.send(
        new RejectEngagementInvitationCommand({
          Catalog: this.#catalog,
          Identifier: invitationId,
          RejectionReason: reason,
        }),
      ),
    );
  }
}
