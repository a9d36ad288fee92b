import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import type { RoutedApprover } from '#domain/policy/approver-routing.ts';
/**
 * Co-sell with AWS, in the words of a RevOps lead: an approved registration becomes an opportunity
 * in AWS Partner Central (ACE), is submitted to AWS for review, and AWS's review and the deal's
 * stage are read back. `functions/adapters/partner-central/` implements it over the Partner
 * Central Selling API; failures are the named errors of `partner-central-errors.ts`.
 */

import type {
  OpportunityStage,
  OpportunityVisibility,
  ReviewStatus,
  SalesInvolvementType,
} from '#domain/co-sell/ace-vocabulary.ts';
import type { CoSellOpportunityDraft } from '#domain/co-sell/co-sell-opportunity.ts';

export type { CoSellOpportunityDraft };

/** A created opportunity: Partner Central's id (`O` and digits) and when it last changed. */
export interface CreatedCoSellOpportunity {
  readonly opportunityId: string;
  /** ISO-8601, when Partner Central says. */
  readonly lastModifiedAt: string | undefined;
}

/** One expected-spend figure of an opportunity (Partner Central's `ExpectedCustomerSpend`). */
export interface ExpectedSpend {
  /** Decimal string, e.g. `10000.50`. */
  readonly amount: string | undefined;
  readonly currencyCode: string;
  /** `Monthly`, the only frequency the API has. */
  readonly frequency: string;
  /** Whose spend it is (Dealreg sends `AWS`). */
  readonly targetCompany: string | undefined;
}

/** What Dealreg reads back about an opportunity. */
export interface CoSellOpportunity {
  readonly opportunityId: string;
  /** The registration id it was created for (PartnerOpportunityIdentifier). */
  readonly registrationId: string | undefined;
  readonly customerCompanyName: string | undefined;
  readonly stage: OpportunityStage | undefined;
  readonly reviewStatus: ReviewStatus | undefined;
  /** AWS's comments when it asks for changes or rejects. */
  readonly reviewComments: string | undefined;
  readonly reviewStatusReason: string | undefined;
  /** YYYY-MM-DD. */
  readonly targetCloseDate: string | undefined;
  /**
   * What the customer is expected to spend on AWS (`Project.ExpectedCustomerSpend`): Dealreg
   * sends one monthly figure; AWS's reviewers and the partner may change it. Empty when none.
   */
  readonly expectedSpend: readonly ExpectedSpend[];
  /** ISO-8601. */
  readonly createdAt: string | undefined;
  /** ISO-8601. */
  readonly lastModifiedAt: string | undefined;
}

export interface CoSellSubmission {
  /** `Co-Sell` asks AWS to work the deal; `For Visibility Only` only shares it. */
  readonly involvement: SalesInvolvementType;
  /** @default 'Full' */
  readonly visibility?: OpportunityVisibility | undefined;
  /** Makes a repeated submission the same one (see `coSellClientToken`). */
  readonly clientToken: string;
}

/** The task Partner Central started to submit the opportunity to AWS. */
export interface CoSellSubmissionTask {
  readonly taskId: string;
  readonly status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';
  readonly message: string | undefined;
  readonly reasonCode: string | undefined;
  readonly engagementId: string | undefined;
}

export interface CoSellOpportunityFilter {
  readonly reviewStatuses?: readonly ReviewStatus[] | undefined;
  readonly stages?: readonly OpportunityStage[] | undefined;
  readonly customerCompanyNames?: readonly string[] | undefined;
  /** ISO-8601: only opportunities changed after this instant. */
  readonly modifiedAfter?: string | undefined;
}

export interface CoSellOpportunityPage {
  readonly opportunities: readonly CoSellOpportunity[];
  /** Pass back to read the next page; absent on the last page. */
  readonly nextPageToken: string | undefined;
}

/** Partner Central in one catalog (`Sandbox` or `AWS`, as the policy says). */
export type CoSellCatalogs = (catalog: 'Sandbox' | 'AWS') => CoSellOpportunities;

export interface CoSellOpportunities {
  /**
   * Creates the opportunity. The same client token with the same draft returns the opportunity
   * already created; the same token with a different draft fails with `CoSellConflictError`.
   */
  create(draft: CoSellOpportunityDraft, clientToken: string): Promise<CreatedCoSellOpportunity>;
  /** Submits the opportunity to AWS for review (Partner Central's engagement-from-opportunity task). */
  submitToAws(opportunityId: string, submission: CoSellSubmission): Promise<CoSellSubmissionTask>;
  /**
   * Associates one of the partner's solutions (a Partner Solution id `S-…`, or an AWS Marketplace
   * solution ARN) with the opportunity, as AWS requires before a submission.
   */
  associateSolution(opportunityId: string, solution: string): Promise<void>;
  get(opportunityId: string): Promise<CoSellOpportunity>;
  /** One page of opportunities, newest change first. */
  list(
    filter?: CoSellOpportunityFilter,
    page?: { readonly pageToken?: string | undefined; readonly pageSize?: number | undefined },
  ): Promise<CoSellOpportunityPage>;
}

/**
 * An AWS referral: an opportunity AWS offers the partner as an engagement invitation
 * ("GetEngagementInvitation", "OpportunityInvitationPayload" in the Partner Central API reference).
 */
export interface AwsReferral {
  /** `engi-` and 13 characters. */
  readonly invitationId: string;
  readonly engagementId: string | undefined;
  readonly status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED' | undefined;
  /** ISO-8601. */
  readonly invitedAt: string | undefined;
  /** ISO-8601: AWS withdraws the offer if it is not answered by then. */
  readonly expiresAt: string | undefined;
  readonly senderCompanyName: string | undefined;
  readonly customerCompanyName: string | undefined;
  readonly customerWebsiteUrl: string | undefined;
  /** ISO 3166-1 alpha-2. */
  readonly customerCountryCode: string | undefined;
  readonly customerIndustry: string | undefined;
  readonly projectTitle: string | undefined;
  readonly businessProblem: string | undefined;
  /** YYYY-MM-DD. */
  readonly targetCompletionDate: string | undefined;
  readonly expectedSpend: readonly Omit<ExpectedSpend, 'targetCompany'>[];
  readonly invitationMessage: string | undefined;
  readonly rejectionReason: string | undefined;
}

export interface AwsReferralSummary {
  readonly invitationId: string;
  readonly engagementTitle: string | undefined;
  readonly status: AwsReferral['status'];
  readonly invitedAt: string | undefined;
  readonly expiresAt: string | undefined;
}

/** The AWS referrals of one catalog. Failures are the named errors of `partner-central-errors.ts`. */
export interface AwsReferrals {
  get(invitationId: string): Promise<AwsReferral>;
  /** One page of the referrals AWS sent the partner, newest first. */
  list(
    filter?: { readonly statuses?: readonly NonNullable<AwsReferral['status']>[] | undefined },
    page?: { readonly pageToken?: string | undefined; readonly pageSize?: number | undefined },
  ): Promise<{
    readonly referrals: readonly AwsReferralSummary[];
    readonly nextPageToken: string | undefined;
  }>;
  /** Accepts a pending referral; one no longer pending fails with `CoSellConflictError`. */
  accept(invitationId: string): Promise<void>;
  /** Rejects a pending referral with the reason AWS is shown. */
  reject(invitationId: string, reason: string): Promise<void>;
}

/** An AWS referral put through the channel-conflict check, with the channel manager who reviews it. */
export interface AwsReferralReview {
  readonly catalog: 'AWS' | 'Sandbox';
  readonly referral: AwsReferral;
  /** The customer's registrable domain from its website; undefined when there is no usable one. */
  readonly customerDomain: string | undefined;
  /** Expected spend over a year in US cents (USD monthly/annual spend only). */
  readonly annualSpendUsdMinor: number;
  /** Undefined when the referral names no usable customer domain (nothing to match on). */
  readonly verdict: ConflictVerdict | undefined;
  readonly reviewer: RoutedApprover;
}
