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
  /** Submitted to AWS for review: by Dealreg when it shared, or since, in ACE. */
  readonly submittedToAws: boolean;
  /** AWS's review: `Pending Submission`, `Submitted`, `In review`, `Approved`, `Action Required`, `Rejected`. */
  readonly reviewStatus: string | undefined;
  /** The opportunity's stage in Partner Central (`Prospect` until AWS's side moves it). */
  readonly stage: string;
  /** AWS's comments when it asked for changes or rejected. */
  readonly reviewComments: string | undefined;
  /** AWS's reason code when it rejected or asked for changes (Partner Central's `ReviewStatusReason`). */
  readonly reviewStatusReason: string | undefined;
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

/**
 * An approved registration the ledger says was not shared with AWS, and why: the co-sell decision
 * its approval recorded under the policy then in force (`RegistrationApproved.coSell`).
 */
export interface NotSharedRegistration {
  readonly registrationId: string;
  readonly dealId: string;
  readonly dealName: string | undefined;
  readonly approvedAt: string | undefined;
  /**
   * Whether the policy selected it for co-sell. When it did, no sharing is recorded all the same:
   * Partner Central refused the opportunity or it is still to be shared (the workflow logs which).
   */
  readonly selected: boolean;
  /** The reason the approval recorded, in the policy's words. */
  readonly reason: string;
}

/** One approved registration: its HubSpot deal and the co-sell decision its approval recorded. */
interface ApprovedRegistration {
  readonly dealId: string;
  readonly coSell: { readonly share: boolean; readonly reason: string } | undefined;
}

/** Co-sell as the ledger knows it at `at`: every shared registration, and every approved one. */
export interface CoSellOverview extends AsOf {
  readonly shared: readonly SharedRegistration[];
  /**
   * Every approved registration whose approval recorded a co-sell decision (recorded only while
   * co-sell is on) and that was not shared, ordered by approval.
   */
  readonly notShared: readonly NotSharedRegistration[];
  /** Registration id → its HubSpot deal and decision, for every registration approved by then (shared or not). */
  readonly approved: ReadonlyMap<string, ApprovedRegistration>;
}

/**
 * Every registration shared with AWS as co-sell, from the ledger's `CoSellShared` and
 * `CoSellStatusChanged` entries as of business time `asOf`, as known at system time `knownAt`
 * (corrections applied), ordered by when they were shared. One per deal: the deal's latest sharing.
 */
export async function coSellOverview(store: LedgerStore, at: AsOf): Promise<CoSellOverview> {
  const { opportunities } = await attributionsAsOf(store, at);
  const shared: SharedRegistration[] = [];
  const notShared: NotSharedRegistration[] = [];
  const approved = new Map<string, ApprovedRegistration>();
  for (const state of opportunities) {
    const coSell = state.coSell;
    for (const registration of state.registrations) {
      approved.set(registration.registrationId, {
        dealId: state.opportunityId,
        coSell: registration.coSell,
      });
      const decided = registration.coSell;
      // A registration selected on a deal another one was shared for may have been shared before
      // it (the overview keeps a deal's latest sharing): only a deal with none says it was not.
      if (
        decided !== undefined &&
        coSell?.registrationId !== registration.registrationId &&
        (!decided.share || coSell === undefined)
      ) {
        notShared.push({
          registrationId: registration.registrationId,
          dealId: state.opportunityId,
          dealName: state.dealName,
          approvedAt: registration.approvedAt,
          selected: decided.share,
          reason: decided.reason,
        });
      }
    }
    if (coSell === undefined) continue;
    shared.push({
      registrationId: coSell.registrationId,
      dealId: state.opportunityId,
      dealName: state.dealName,
      customerDomain: state.customer?.domain,
      aceOpportunityId: coSell.aceOpportunityId,
      catalog: coSell.catalog,
      // Submitted by Dealreg, or later in ACE by the partner (AWS's review status says so).
      submittedToAws:
        coSell.submittedToAws ||
        (coSell.reviewStatus !== undefined && coSell.reviewStatus !== 'Pending Submission'),
      reviewStatus: coSell.reviewStatus,
      // Every shared opportunity is created in stage Prospect (coSellOpportunityFor).
      stage: coSell.stage ?? 'Prospect',
      reviewComments: coSell.reviewComments,
      reviewStatusReason: coSell.reviewStatusReason,
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
  notShared.sort((a, b) =>
    (a.approvedAt ?? '') === (b.approvedAt ?? '')
      ? a.registrationId.localeCompare(b.registrationId)
      : (a.approvedAt ?? '') < (b.approvedAt ?? '')
        ? -1
        : 1,
  );
  return { asOf: at.asOf, knownAt: at.knownAt, shared, notShared, approved };
}

/** Why a registration was not shared, as a sentence after "was approved but not shared with AWS as of …: ". */
export function notSharedReason(registration: Pick<NotSharedRegistration, 'selected' | 'reason'>): string {
  return registration.selected
    ? `the policy selected it (${registration.reason}), but the ledger records no sharing: Partner Central refused the opportunity or it is still to be shared (the registration workflow logs which)`
    : registration.reason;
}

/**
 * One registration's co-sell in an overview, or why the ledger shows none: never approved (as
 * of then), or approved but not shared, with the reason its approval recorded when it recorded one.
 */
export function coSellOfRegistration(
  overview: CoSellOverview,
  registrationId: string,
): { readonly shared: SharedRegistration } | { readonly shared: undefined; readonly reason: string } {
  const shared = overview.shared.find((row) => row.registrationId === registrationId);
  if (shared !== undefined) return { shared };
  const approved = overview.approved.get(registrationId);
  if (approved === undefined) {
    return {
      shared: undefined,
      reason: `the ledger has no approved registration ${registrationId} as of ${overview.asOf}, so it was never shared with AWS; check the id (dealreg ledger show names a deal's registrations)`,
    };
  }
  const notShared = overview.notShared.find((row) => row.registrationId === registrationId);
  const why =
    notShared !== undefined
      ? notSharedReason(notShared)
      : approved.coSell === undefined
        ? "its approval recorded no co-sell decision (co-sell was off, or the approval predates Dealreg recording one): the policy's coSell rules did not select it, or Partner Central refused it (the registration workflow logs which)"
        : "the policy's coSell rules did not select it, or Partner Central refused it (the registration workflow logs which)";
  return {
    shared: undefined,
    reason: `registration ${registrationId} (HubSpot deal ${approved.dealId}) was approved but not shared with AWS as of ${overview.asOf}: ${why}`,
  };
}
