import type { LedgerEntry } from '#domain/ledger/entry.ts';
import {
  type AsOf,
  type Attribution,
  type CoSellState,
  correctedEntries,
  projectOpportunity,
} from '#domain/ledger/projection.ts';
import { type FrozenMoney, freezeMoney } from '#domain/money.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';

/** A partner's relationship to an opportunity, as the report needs it. */
export interface PartnerLink {
  readonly partnerId: string;
  readonly relationshipType: RelationshipType;
  readonly registrationId: string | undefined;
  readonly campaignId: string | undefined;
}

/** A registration approved on an opportunity's chain, as of the moment. */
export interface LedgerRegistration {
  readonly registrationId: string;
  readonly partnerId: string;
  /** The relationship the approval decided. */
  readonly relationshipType: RelationshipType | undefined;
  readonly campaignId: string | undefined;
  readonly cloudMarketplace: string | undefined;
  readonly approvedAt: string | undefined;
  readonly expiredAt: string | undefined;
  readonly status: 'approved' | 'expired';
  /** USD cents of the estimated amount the approval recorded (what a co-sell share sends AWS). */
  readonly estimatedUsdMinor?: number | undefined;
  /**
   * Whether the policy in force at the approval shared it with AWS (and why not); undefined for
   * approvals recorded before Dealreg kept the decision, or while co-sell was off.
   */
  readonly coSellDecision?: { readonly share: boolean; readonly reason: string } | undefined;
}

interface LedgerInvestment {
  readonly investmentId: string;
  readonly investmentType: string;
  readonly campaignId: string;
  readonly usdMinor: number;
  readonly effectiveAt: string;
}

/**
 * What the report needs of one opportunity's chain at a moment (both time axes): its state, the
 * partners attached now and at close, its registrations and the investments recorded on it.
 * Small enough to keep one per opportunity for a whole portfolio.
 */
export interface OpportunityFacts {
  readonly opportunityId: string;
  /** `campaign:<id>` chains hold investments, not opportunities. */
  readonly campaignChain: boolean;
  readonly dealName: string | undefined;
  readonly stage: string | undefined;
  readonly amount: FrozenMoney | undefined;
  readonly outcome: 'open' | 'won' | 'lost';
  readonly closedAt: string | undefined;
  /**
   * HubSpot's close date (`YYYY-MM-DD`) as the ledger last recorded it (`OpportunityCreated`,
   * `CloseDateChanged`), and the business time it was set; the revenue counts by `closedAt`, the
   * moment of the stage change, never by this date, which can be edited after the close.
   */
  readonly closeDate?: string | undefined;
  readonly closeDateSetAt?: string | undefined;
  /** An `OpportunityCreated` entry is in effect. */
  readonly created: boolean;
  /** Partners attached at the moment. */
  readonly activePartners: readonly PartnerLink[];
  /** Partners attached when the opportunity closed (empty while open). */
  readonly partnersAtClose: readonly PartnerLink[];
  readonly registrations: readonly LedgerRegistration[];
  readonly investments: readonly LedgerInvestment[];
  /** Entries in effect (corrections applied); 0 for a chain that had not started at the moment. */
  readonly entries: number;
  /** The opportunity's co-sell with AWS Partner Central as the ledger recorded it; never moves attribution. */
  readonly coSell?: CoSellState | undefined;
}

function link(record: Attribution): PartnerLink {
  return {
    partnerId: record.partnerId,
    relationshipType: record.relationshipType,
    registrationId: record.registrationId,
    campaignId: record.campaignId,
  };
}

/**
 * How the chain's last close stands at the moment: whether the deal has left the stage it closed
 * in since (reopened: a closed-won or closed-lost deal moved back to an open stage is open again,
 * HubSpot "Set up and customize pipelines and deal stages"), when it closed, and the money the
 * last ClosedWon recorded, whose frozen rate every later amount of the closed deal is converted at.
 * A deal standing closed that moves straight into another closing stage of the same outcome
 * (another pipeline's won stage: the stage change and its outcome of one CRM event, at the same
 * instant) stays closed from its first close, at that close's rate: the move is not a new sale.
 */
function lastClose(
  entries: readonly LedgerEntry[],
  asOf: string,
): {
  reopened: boolean;
  /** The first close's time when the deal has since moved straight into another closing stage. */
  keptClosedAt: string | undefined;
  wonMoney: FrozenMoney | undefined;
} {
  const effective = entries
    .filter((entry) => entry.effectiveAt <= asOf)
    .sort((a, b) =>
      a.effectiveAt !== b.effectiveAt ? (a.effectiveAt < b.effectiveAt ? -1 : 1) : a.sequence - b.sequence,
    );
  let stage: string | undefined;
  let closedStage: string | undefined;
  let closed = false;
  let reopened = false;
  let closedAt: string | undefined;
  let keptClosedAt: string | undefined;
  let closedAs: 'ClosedWon' | 'ClosedLost' | undefined;
  let standingBeforeMove: 'ClosedWon' | 'ClosedLost' | undefined;
  let previous: LedgerEntry | undefined;
  let wonMoney: FrozenMoney | undefined;
  for (const entry of effective) {
    if (entry.type === 'OpportunityCreated') stage = entry.stage ?? stage;
    else if (entry.type === 'StageChanged') {
      standingBeforeMove = closed && !reopened ? closedAs : undefined;
      stage = entry.stage;
      if (closed) reopened = stage !== closedStage;
    } else if (entry.type === 'ClosedWon' || entry.type === 'ClosedLost') {
      const movedWhileClosed =
        previous?.type === 'StageChanged' &&
        previous.effectiveAt === entry.effectiveAt &&
        standingBeforeMove === entry.type;
      if (movedWhileClosed) keptClosedAt = closedAt;
      else {
        closedAt = entry.effectiveAt;
        keptClosedAt = undefined;
        wonMoney = entry.type === 'ClosedWon' ? entry.amount : undefined;
      }
      closed = true;
      closedAs = entry.type;
      closedStage = stage;
      reopened = false;
    }
    previous = entry;
  }
  return { reopened, keptClosedAt, wonMoney };
}

/**
 * The closed-won amount in USD at the rate frozen at close. An amount edited after the close is
 * recorded at the rate configured at the edit; a closed deal keeps the exchange rate of its close
 * date (HubSpot "Add and edit your account currencies"), so it is converted again at that rate.
 */
function amountAtCloseRate(amount: FrozenMoney | undefined, atClose: FrozenMoney | undefined) {
  if (amount === undefined || atClose === undefined) return amount;
  if (amount.currency !== atClose.currency || amount.usdRate === atClose.usdRate) return amount;
  return freezeMoney(amount.amountMinor, amount.currency, atClose.usdRate);
}

const byPartner = (a: PartnerLink, b: PartnerLink) =>
  a.partnerId < b.partnerId
    ? -1
    : a.partnerId > b.partnerId
      ? 1
      : a.relationshipType < b.relationshipType
        ? -1
        : 1;

/**
 * Projects one chain at `at` into the facts the report reads. Pure: the same chain and moment
 * always give the same facts; entries recorded or effective later change nothing.
 */
export function opportunityFacts(
  opportunityId: string,
  chain: readonly LedgerEntry[],
  at: AsOf,
): OpportunityFacts {
  const state = projectOpportunity(opportunityId, chain, at);
  const { entries } = correctedEntries(chain, at.knownAt);
  let created = false;
  let closeDateSetAt: string | undefined;
  const marketplaces = new Map<string, string | undefined>();
  const estimates = new Map<string, number | undefined>();
  for (const entry of entries) {
    if (entry.effectiveAt > at.asOf) continue;
    const setsCloseDate =
      (entry.type === 'OpportunityCreated' || entry.type === 'CloseDateChanged') &&
      entry.closeDate !== undefined &&
      entry.closeDate === state.closeDate;
    if (setsCloseDate && (closeDateSetAt === undefined || entry.effectiveAt > closeDateSetAt))
      closeDateSetAt = entry.effectiveAt;
    if (entry.type === 'OpportunityCreated') created = true;
    else if (entry.type === 'RegistrationApproved') {
      marketplaces.set(entry.registrationId, entry.cloudMarketplace);
      estimates.set(entry.registrationId, entry.estimatedAmount?.usdMinor);
    }
  }
  const close = lastClose(entries, at.asOf);
  const outcome = close.reopened ? 'open' : state.outcome;
  const closedAt = close.reopened ? undefined : (close.keptClosedAt ?? state.closedAt);
  const atClose =
    closedAt === undefined
      ? []
      : state.attributions.filter(
          (record) => record.since <= closedAt && (record.until === undefined || record.until > closedAt),
        );
  return {
    opportunityId,
    campaignChain: opportunityId.startsWith('campaign:'),
    dealName: state.dealName,
    stage: state.stage,
    amount: outcome === 'won' ? amountAtCloseRate(state.amount, close.wonMoney) : state.amount,
    outcome,
    closedAt,
    closeDate: state.closeDate,
    closeDateSetAt,
    created,
    activePartners: state.attributions
      .filter((record) => record.active)
      .map(link)
      .sort(byPartner),
    partnersAtClose: atClose.map(link).sort(byPartner),
    registrations: state.registrations.map((registration) => ({
      registrationId: registration.registrationId,
      partnerId: registration.partnerId,
      relationshipType: registration.relationshipType,
      campaignId: registration.campaignId,
      cloudMarketplace: marketplaces.get(registration.registrationId),
      approvedAt: registration.approvedAt,
      expiredAt: registration.expiredAt,
      status: registration.status,
      estimatedUsdMinor: estimates.get(registration.registrationId),
      ...(registration.coSell === undefined ? {} : { coSellDecision: registration.coSell }),
    })),
    investments: state.investments.map((investment) => ({
      investmentId: investment.investmentId,
      investmentType: investment.investmentType,
      campaignId: investment.campaignId,
      usdMinor: investment.amount.usdMinor,
      effectiveAt: investment.effectiveAt,
    })),
    entries: state.entries,
    coSell: state.coSell,
  };
}

/** USD cents of the closed-won amount, 0 unless won. */
export function wonUsdMinor(facts: OpportunityFacts): number {
  return facts.outcome === 'won' ? (facts.amount?.usdMinor ?? 0) : 0;
}
