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
  get(opportunityId: string): Promise<CoSellOpportunity>;
  /** One page of opportunities, newest change first. */
  list(
    filter?: CoSellOpportunityFilter,
    page?: { readonly pageToken?: string | undefined; readonly pageSize?: number | undefined },
  ): Promise<CoSellOpportunityPage>;
}
