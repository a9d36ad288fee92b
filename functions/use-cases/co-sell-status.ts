import { monthlySpendOf, sameSpend } from '#domain/co-sell/expected-spend.ts';
import { projectOpportunity } from '#domain/ledger/projection.ts';
import type { CoSellCatalogs, CoSellOpportunity } from '#ports/partner-central.ts';
import { appendEntryOnce, readChain } from '#use-cases/ledger-append.ts';
import type { RegistrationWorkflowDependencies } from '#use-cases/registration-workflow/dependencies.ts';

export type CoSellStatusDependencies = Pick<
  RegistrationWorkflowDependencies,
  'book' | 'ledger' | 'ledgerKey' | 'now' | 'logger'
> & { readonly coSell: CoSellCatalogs };

export type CoSellStatusOutcome =
  | { readonly outcome: 'recorded'; readonly dealId: string; readonly reviewStatus: string | undefined }
  | { readonly outcome: 'unchanged' | 'not-ours'; readonly reason: string };

/**
 * AWS's review, the stage or the expected spend of a shared opportunity, as Partner Central says
 * it now: read it (`GetOpportunity`), find the registration it was created for and its HubSpot
 * deal, and record `CoSellStatusChanged` on the deal's chain when the review status, stage,
 * AWS's review comments or reason, or the expected monthly spend differs from what the chain last
 * recorded. Keyed by the opportunity's last-modified time, so the same change learnt
 * from an event and from the reconciliation, or from a redelivered event, is recorded once.
 * Attribution is never touched.
 */
export async function recordCoSellStatus(
  deps: CoSellStatusDependencies,
  catalog: 'Sandbox' | 'AWS',
  aceOpportunityId: string,
): Promise<CoSellStatusOutcome> {
  const opportunity = await deps.coSell(catalog).get(aceOpportunityId);
  return recordStatusOf(deps, opportunity);
}

async function recordStatusOf(
  deps: CoSellStatusDependencies,
  opportunity: CoSellOpportunity,
): Promise<CoSellStatusOutcome> {
  const { opportunityId: aceOpportunityId, registrationId } = opportunity;
  if (registrationId === undefined) {
    return { outcome: 'not-ours', reason: `opportunity ${aceOpportunityId} names no registration` };
  }
  const dealId = (await deps.book.get(registrationId))?.progress?.dealId;
  if (dealId === undefined) {
    return {
      outcome: 'not-ours',
      reason: `opportunity ${aceOpportunityId} names ${registrationId}, which has no HubSpot deal here`,
    };
  }
  const chain = await readChain(deps.ledger, dealId);
  const now = deps.now().toISOString();
  const state = projectOpportunity(dealId, chain, { asOf: '9999-12-31T23:59:59.999Z', knownAt: now }).coSell;
  if (state === undefined || state.aceOpportunityId !== aceOpportunityId) {
    return {
      outcome: 'not-ours',
      reason: `deal ${dealId} has no co-sell record of opportunity ${aceOpportunityId}`,
    };
  }
  // An answer older than what the chain records says nothing new: an event handled late, whose
  // read was made before the share step recorded the submission ("Opportunity review statuses":
  // Pending Submission comes before any submission, never after one), or before the last change
  // recorded (Partner Central's own LastModifiedDate, which each recorded change carries).
  const modifiedAt = opportunity.lastModifiedAt;
  if (
    (state.submittedToAws && opportunity.reviewStatus === 'Pending Submission') ||
    (modifiedAt !== undefined &&
      state.statusAt !== undefined &&
      Date.parse(modifiedAt) < Date.parse(state.statusAt))
  ) {
    return {
      outcome: 'unchanged',
      reason: `${aceOpportunityId} as read (${opportunity.reviewStatus ?? '?'}, modified ${modifiedAt ?? '?'}) predates what deal ${dealId} records (${state.reviewStatus ?? '?'})`,
    };
  }
  // Every shared opportunity is created in stage Prospect (coSellOpportunityFor).
  const recordedStage = state.stage ?? 'Prospect';
  const spend = monthlySpendOf(opportunity.expectedSpend);
  // A spend the chain does not know yet (shared before Dealreg recorded it) counts as a change.
  const spendChanged = spend !== undefined && !sameSpend(spend, state.expectedMonthlySpend);
  // AWS's comments and reason code change without the review status when it sends the
  // opportunity back again after a resubmission whose own events were lost.
  const reviewComments = opportunity.reviewComments || undefined;
  const reviewStatusReason = opportunity.reviewStatusReason || undefined;
  if (
    state.reviewStatus === opportunity.reviewStatus &&
    recordedStage === (opportunity.stage ?? recordedStage) &&
    !spendChanged &&
    state.reviewComments === reviewComments &&
    state.reviewStatusReason === reviewStatusReason
  ) {
    return { outcome: 'unchanged', reason: `${aceOpportunityId} is still ${state.reviewStatus ?? '?'}` };
  }
  const changedAt = opportunity.lastModifiedAt ?? now;
  const { appended } = await appendEntryOnce(
    { store: deps.ledger, ledgerKey: deps.ledgerKey, now: deps.now },
    {
      type: 'CoSellStatusChanged',
      opportunityId: dealId,
      effectiveAt: changedAt,
      recordedBy: 'co-sell',
      sourceEventId: `co-sell:${aceOpportunityId}:${changedAt}`,
      aceOpportunityId,
      reviewStatus: opportunity.reviewStatus,
      stage: opportunity.stage,
      reviewComments,
      reviewStatusReason,
      ...(spendChanged ? { expectedMonthlySpend: spend } : {}),
    },
  );
  if (appended) {
    deps.logger.info('co-sell status recorded', {
      aceOpportunityId,
      dealId,
      reviewStatus: opportunity.reviewStatus,
      stage: opportunity.stage,
      ...(spendChanged ? { expectedMonthlySpend: `${spend.amount} ${spend.currency}` } : {}),
    });
  }
  return { outcome: 'recorded', dealId, reviewStatus: opportunity.reviewStatus };
}

/**
 * What events missed: every opportunity Partner Central changed after `since` (all when left
 * out), listed page by page and each recorded as `recordCoSellStatus` records it, from the
 * listing itself: its summary carries the review status, stage, comments, expected spend and
 * last-modified time ("OpportunitySummary", "LifeCycleSummary", "ProjectSummary" in the API
 * reference), so no opportunity is read twice.
 */
export async function reconcileCoSell(
  deps: CoSellStatusDependencies,
  catalog: 'Sandbox' | 'AWS',
  since?: string,
): Promise<{ readonly checked: number; readonly recorded: number }> {
  const partnerCentral = deps.coSell(catalog);
  let pageToken: string | undefined;
  let checked = 0;
  let recorded = 0;
  do {
    const page = await partnerCentral.list(since === undefined ? {} : { modifiedAfter: since }, {
      pageToken,
    });
    for (const summary of page.opportunities) {
      checked += 1;
      const outcome = await recordStatusOf(deps, summary);
      if (outcome.outcome === 'recorded') recorded += 1;
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return { checked, recorded };
}
