import type { AsOf } from '#domain/ledger/projection.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import { attributionsAsOf } from './ledger-queries.ts';

/** A registration shared with AWS as co-sell, as the ledger knows it at a moment. */
export interface SharedRegistration {
  readonly registrationId: string;
  /** The HubSpot deal whose ledger chain records it. */
  readonly dealId: string;
  readonly dealName: string | undefined;
  readonly customerDomain: string | undefined;
  /** Partner Central's id of the opportunity (`O` and digits). */
  readonly aceOpportunityId: string;
  readonly catalog: 'Sandbox' | 'AWS';
  readonly submittedToAws: boolean;
  /** AWS's review: `Pending Submission`, `Submitted`, `In review`, `Approved`, `Action Required`, `Rejected`. */
  readonly reviewStatus: string | undefined;
  /** The opportunity's stage in Partner Central (`Prospect` until AWS's side moves it). */
  readonly stage: string;
  /** AWS's comments when it asked for changes or rejected. */
  readonly reviewComments: string | undefined;
  /**
   * ACE's expected customer spend per month as last recorded (when shared, then each change
   * Partner Central reported), and the contract months Dealreg spread the amount over; absent on
   * opportunities shared before the ledger recorded spend.
   */
  readonly expectedMonthlySpend: { readonly amount: string; readonly currency: string } | undefined;
  readonly contractMonths: number | undefined;
  readonly sharedAt: string;
  /** Since when the review status and stage are as shown: the last change, else the sharing. */
  readonly since: string;
}

/** Co-sell as the ledger knows it at `at`: every shared registration, and every approved one. */
export interface CoSellOverview extends AsOf {
  readonly shared: readonly SharedRegistration[];
  /** Registration id → HubSpot deal, for every registration approved by then (shared or not). */
  readonly approved: ReadonlyMap<string, string>;
}

/**
 * Every registration shared with AWS as co-sell, from the ledger's `CoSellShared` and
 * `CoSellStatusChanged` entries as of business time `asOf`, as known at system time `knownAt`
 * (corrections applied), ordered by when they were shared. One per deal: the deal's latest sharing.
 */
export async function coSellOverview(store: LedgerStore, at: AsOf): Promise<CoSellOverview> {
  const { opportunities } = await attributionsAsOf(store, at);
  const shared: SharedRegistration[] = [];
  const approved = new Map<string, string>();
  for (const state of opportunities) {
    for (const registration of state.registrations)
      approved.set(registration.registrationId, state.opportunityId);
    const coSell = state.coSell;
    if (coSell === undefined) continue;
    shared.push({
      registrationId: coSell.registrationId,
      dealId: state.opportunityId,
      dealName: state.dealName,
      customerDomain: state.customer?.domain,
      aceOpportunityId: coSell.aceOpportunityId,
      catalog: coSell.catalog,
      submittedToAws: coSell.submittedToAws,
      reviewStatus: coSell.reviewStatus,
      // Every shared opportunity is created in stage Prospect (coSellOpportunityFor).
      stage: coSell.stage ?? 'Prospect',
      reviewComments: coSell.reviewComments,
      expectedMonthlySpend: coSell.expectedMonthlySpend,
      contractMonths: coSell.contractMonths,
      sharedAt: coSell.sharedAt,
      since: coSell.statusAt ?? coSell.sharedAt,
    });
  }
  shared.sort((a, b) =>
    a.sharedAt === b.sharedAt
      ? a.registrationId.localeCompare(b.registrationId)
      : a.sharedAt < b.sharedAt
        ? -1
        : 1,
  );
  return { asOf: at.asOf, knownAt: at.knownAt, shared, approved };
}

/**
 * One registration's co-sell in an overview, or why the ledger shows none: never approved (as
 * of then), or approved but not shared.
 */
export function coSellOfRegistration(
  overview: CoSellOverview,
  registrationId: string,
): { readonly shared: SharedRegistration } | { readonly shared: undefined; readonly reason: string } {
  const shared = overview.shared.find((row) => row.registrationId === registrationId);
  if (shared !== undefined) return { shared };
  const dealId = overview.approved.get(registrationId);
  return {
    shared: undefined,
    reason:
      dealId === undefined
        ? `the ledger has no approved registration ${registrationId} as of ${overview.asOf}, so it was never shared with AWS; check the id (dealreg ledger show names a deal's registrations)`
        : `registration ${registrationId} (HubSpot deal ${dealId}) was approved but not shared with AWS as of ${overview.asOf}: the policy's coSell rules did not select it, or Partner Central refused it (the registration workflow logs which)`,
  };
}
