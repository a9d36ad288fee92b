import type { FrozenMoney } from '#domain/money.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import { applyChanges } from './correction.ts';
import type { Customer, LedgerEntry } from './entry.ts';

/** The two time axes of a bitemporal question: true in the world at `asOf`, as known at `knownAt`. */
export interface AsOf {
  /** Business time (ISO, UTC). */
  readonly asOf: string;
  /** System time (ISO, UTC): only entries recorded by then count, corrections included. */
  readonly knownAt: string;
}

/** The join record of play #2: Partner + Customer + Opportunity + RelationshipType. */
export interface Attribution {
  readonly opportunityId: string;
  readonly partnerId: string;
  readonly customer: Customer | undefined;
  readonly relationshipType: RelationshipType;
  readonly registrationId: string | undefined;
  readonly campaignId: string | undefined;
  readonly investmentId: string | undefined;
  readonly since: string;
  readonly until: string | undefined;
  readonly active: boolean;
  /** The entry that created it. */
  readonly sequence: number;
}

interface RegistrationState {
  readonly registrationId: string;
  readonly partnerId: string;
  readonly relationshipType: RelationshipType | undefined;
  readonly campaignId: string | undefined;
  readonly status: 'approved' | 'expired';
  readonly approvedAt: string | undefined;
  readonly expiredAt: string | undefined;
  /** The co-sell decision the approval recorded under the policy then in force, when it recorded one. */
  readonly coSell?: { readonly share: boolean; readonly reason: string } | undefined;
}

interface InvestmentState {
  readonly investmentId: string;
  readonly investmentType: string;
  readonly campaignId: string;
  readonly partnerId: string | undefined;
  readonly amount: FrozenMoney;
  readonly effectiveAt: string;
}

/** The opportunity's co-sell with AWS: its ACE opportunity and AWS's latest review and stage. */
export interface CoSellState {
  readonly aceOpportunityId: string;
  readonly catalog: 'Sandbox' | 'AWS';
  readonly registrationId: string;
  readonly sharedAt: string;
  readonly submittedToAws: boolean;
  readonly reviewStatus: string | undefined;
  readonly stage: string | undefined;
  readonly reviewComments: string | undefined;
  /** AWS's reason code for a rejection or a request for changes, as last recorded with the review. */
  readonly reviewStatusReason?: string | undefined;
  /** When AWS's review or the stage last changed. */
  readonly statusAt: string | undefined;
  /**
   * ACE's expected customer spend per month: what Dealreg sent, then each change Partner Central
   * reported. Undefined for opportunities shared before Dealreg recorded it, until one is reported.
   */
  readonly expectedMonthlySpend: { readonly amount: string; readonly currency: string } | undefined;
  /** The months Dealreg spread the registered amount over when it shared; undefined on older records. */
  readonly contractMonths: number | undefined;
}

export interface OpportunityState {
  readonly opportunityId: string;
  readonly customer: Customer | undefined;
  readonly dealName: string | undefined;
  readonly stage: string | undefined;
  readonly amount: FrozenMoney | undefined;
  readonly closeDate: string | undefined;
  readonly outcome: 'open' | 'won' | 'lost';
  readonly closedAt: string | undefined;
  readonly attributions: readonly Attribution[];
  readonly registrations: readonly RegistrationState[];
  readonly investments: readonly InvestmentState[];
  /** Co-sell with AWS; never changes the attributions above. */
  readonly coSell: CoSellState | undefined;
  /** Entries that counted (corrections not included) and the corrections applied to them. */
  readonly entries: number;
  readonly corrections: number;
}

/**
 * The entries of one chain as known at `knownAt`: entries recorded later are ignored, and every
 * correction recorded by then replaces the entry it supersedes (in sequence order, so the
 * latest correction wins). Corrections themselves are not returned.
 */
export function correctedEntries(
  entries: readonly LedgerEntry[],
  knownAt: string,
): { entries: LedgerEntry[]; corrections: number } {
  const known = entries
    .filter((entry) => entry.recordedAt <= knownAt)
    .sort((a, b) => a.sequence - b.sequence);
  const bySequence = new Map<number, LedgerEntry>();
  let corrections = 0;
  for (const entry of known) {
    if (entry.type !== 'Correction') {
      bySequence.set(entry.sequence, entry);
      continue;
    }
    const target = bySequence.get(entry.supersedesSequence);
    if (target === undefined) continue;
    bySequence.set(entry.supersedesSequence, applyChanges(target, entry.changes));
    corrections += 1;
  }
  return { entries: [...bySequence.values()], corrections };
}

function byBusinessTime(a: LedgerEntry, b: LedgerEntry): number {
  if (a.effectiveAt !== b.effectiveAt) return a.effectiveAt < b.effectiveAt ? -1 : 1;
  return a.sequence - b.sequence;
}

/**
 * Folds one opportunity's chain into its state at business time `asOf` as known at `knownAt`.
 * Entries are applied in business-time order (CRM events arrive out of order), ties by sequence.
 * Pure and deterministic: the same chain prefix always gives the same state.
 */
export function projectOpportunity(
  opportunityId: string,
  chain: readonly LedgerEntry[],
  at: AsOf,
): OpportunityState {
  const { entries, corrections } = correctedEntries(chain, at.knownAt);
  const effective = entries.filter((entry) => entry.effectiveAt <= at.asOf).sort(byBusinessTime);
  let customer: Customer | undefined;
  let dealName: string | undefined;
  let stage: string | undefined;
  let amount: FrozenMoney | undefined;
  let closeDate: string | undefined;
  let outcome: OpportunityState['outcome'] = 'open';
  let closedAt: string | undefined;
  const attributions: Attribution[] = [];
  const registrations = new Map<string, RegistrationState>();
  const investments: InvestmentState[] = [];
  let coSell: CoSellState | undefined;

  const close = (partnerId: string, until: string, relationshipType?: RelationshipType) => {
    for (const [index, record] of attributions.entries()) {
      if (record.active && record.partnerId === partnerId) {
        if (relationshipType !== undefined && record.relationshipType !== relationshipType) continue;
        attributions[index] = { ...record, active: false, until };
      }
    }
  };

  for (const entry of effective) {
    switch (entry.type) {
      case 'RegistrationApproved':
        customer ??= entry.customer;
        registrations.set(entry.registrationId, {
          registrationId: entry.registrationId,
          partnerId: entry.partnerId,
          relationshipType: entry.relationshipType,
          campaignId: entry.campaignId,
          status: 'approved',
          approvedAt: entry.effectiveAt,
          expiredAt: undefined,
          coSell: entry.coSell,
        });
        break;
      case 'PartnerAttached':
        customer ??= entry.customer;
        close(entry.partnerId, entry.effectiveAt);
        attributions.push({
          opportunityId,
          partnerId: entry.partnerId,
          customer: entry.customer,
          relationshipType: entry.relationshipType,
          registrationId: entry.registrationId,
          campaignId: entry.campaignId,
          investmentId: entry.investmentId,
          since: entry.effectiveAt,
          until: undefined,
          active: true,
          sequence: entry.sequence,
        });
        break;
      case 'PartnerDetached':
        close(entry.partnerId, entry.effectiveAt, entry.relationshipType);
        break;
      case 'OpportunityCreated':
        customer = entry.customer;
        dealName = entry.dealName ?? dealName;
        stage = entry.stage ?? stage;
        amount = entry.amount ?? amount;
        closeDate = entry.closeDate ?? closeDate;
        break;
      case 'StageChanged':
        stage = entry.stage;
        break;
      case 'AmountChanged':
        amount = entry.amount;
        break;
      case 'CloseDateChanged':
        closeDate = entry.closeDate;
        break;
      case 'ClosedWon':
        outcome = 'won';
        amount = entry.amount;
        closedAt = entry.effectiveAt;
        break;
      case 'ClosedLost':
        outcome = 'lost';
        closedAt = entry.effectiveAt;
        break;
      case 'RegistrationExpired': {
        const registration = registrations.get(entry.registrationId);
        registrations.set(entry.registrationId, {
          registrationId: entry.registrationId,
          partnerId: entry.partnerId,
          relationshipType: registration?.relationshipType,
          campaignId: registration?.campaignId,
          status: 'expired',
          approvedAt: registration?.approvedAt,
          expiredAt: entry.effectiveAt,
          coSell: registration?.coSell,
        });
        break;
      }
      case 'InvestmentRecorded':
        investments.push({
          investmentId: entry.investmentId,
          investmentType: entry.investmentType,
          campaignId: entry.campaignId,
          partnerId: entry.partnerId,
          amount: entry.amount,
          effectiveAt: entry.effectiveAt,
        });
        break;
      case 'CoSellShared':
        coSell = {
          aceOpportunityId: entry.aceOpportunityId,
          catalog: entry.catalog,
          registrationId: entry.registrationId,
          sharedAt: entry.effectiveAt,
          submittedToAws: entry.submittedToAws || (coSell?.submittedToAws ?? false),
          reviewStatus: coSell?.reviewStatus ?? (entry.submittedToAws ? 'Submitted' : 'Pending Submission'),
          stage: coSell?.stage,
          reviewComments: coSell?.reviewComments,
          reviewStatusReason: coSell?.reviewStatusReason,
          statusAt: coSell?.statusAt,
          expectedMonthlySpend: entry.expectedMonthlySpend ?? coSell?.expectedMonthlySpend,
          contractMonths: entry.contractMonths ?? coSell?.contractMonths,
        };
        break;
      case 'CoSellStatusChanged':
        if (coSell !== undefined && coSell.aceOpportunityId === entry.aceOpportunityId) {
          coSell = {
            ...coSell,
            reviewStatus: entry.reviewStatus ?? coSell.reviewStatus,
            stage: entry.stage ?? coSell.stage,
            reviewComments: entry.reviewComments,
            reviewStatusReason: entry.reviewStatusReason,
            statusAt: entry.effectiveAt,
            expectedMonthlySpend: entry.expectedMonthlySpend ?? coSell.expectedMonthlySpend,
          };
        }
        break;
      case 'Correction':
        break;
    }
  }
  const registered = [...registrations.values()];
  return {
    opportunityId,
    customer,
    dealName,
    stage,
    amount,
    closeDate,
    outcome,
    closedAt,
    attributions: attributions.map((attribution) => tracedToRegistration(attribution, registered)),
    registrations: [...registrations.values()].sort((a, b) => (a.registrationId < b.registrationId ? -1 : 1)),
    investments,
    coSell,
    entries: effective.length,
    corrections,
  };
}

/**
 * An attribution seen without its registration (a partner association HubSpot reported through
 * CRM events) is traced to the approved registration on the same opportunity that granted that
 * partner that relationship: the latest approved at or before the attribution began, else the
 * earliest approved after it (the CRM may report the association before the approval is recorded).
 */
function tracedToRegistration(
  attribution: Attribution,
  registrations: readonly RegistrationState[],
): Attribution {
  if (attribution.registrationId !== undefined) return attribution;
  const granting = registrations
    .filter(
      (registration) =>
        registration.partnerId === attribution.partnerId &&
        registration.relationshipType === attribution.relationshipType &&
        registration.approvedAt !== undefined,
    )
    .sort((a, b) => ((a.approvedAt ?? '') < (b.approvedAt ?? '') ? -1 : 1));
  const before = granting.filter((registration) => (registration.approvedAt ?? '') <= attribution.since);
  const registration = before.at(-1) ?? granting[0];
  if (registration === undefined) return attribution;
  return {
    ...attribution,
    registrationId: registration.registrationId,
    campaignId: attribution.campaignId ?? registration.campaignId,
  };
}

/** Groups entries by chain and projects each; chains with nothing in effect yet are left out. */
export function projectLedger(entries: Iterable<LedgerEntry>, at: AsOf): OpportunityState[] {
  const chains = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const chain = chains.get(entry.opportunityId);
    if (chain === undefined) chains.set(entry.opportunityId, [entry]);
    else chain.push(entry);
  }
  return [...chains.keys()]
    .sort()
    .map((opportunityId) => projectOpportunity(opportunityId, chains.get(opportunityId) ?? [], at))
    .filter((state) => state.entries > 0);
}
