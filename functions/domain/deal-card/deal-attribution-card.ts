import type { Attribution, OpportunityState } from '#domain/ledger/projection.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';

/**
 * What the deal record's app card shows (the JSON `GET /hubspot/deal-card` answers): the deal's
 * partner attributions as the ledger holds them, the registrations behind them with their status
 * and SLA, and whether the deal's ledger chain verifies. The card in `hubspot/src/app/cards/`
 * declares the same shape.
 */
export interface DealAttributionCard {
  readonly dealId: string;
  /** The deal name the ledger recorded, when it recorded one. */
  readonly dealName: string | null;
  /** `empty`: the ledger names no partner and no registration for this deal. */
  readonly state: 'attributed' | 'empty';
  /** Every partner attribution of the deal, current ones first, then ended ones, newest first. */
  readonly attributions: readonly PartnerAttributionRow[];
  /** Every registration the ledger names for this deal. */
  readonly registrations: readonly RegistrationRow[];
  readonly ledger: LedgerBadge;
}

export interface PartnerAttributionRow {
  readonly partnerId: string;
  /** The partner company's name from its registration; null when no registration names it. */
  readonly partnerName: string | null;
  readonly relationshipType: RelationshipType;
  /** Business time the partner was attached (ISO-8601). */
  readonly since: string;
  /** When it ended (detached or replaced); null while current. */
  readonly until: string | null;
  readonly current: boolean;
  readonly registrationId: string | null;
  /** The policy rule whose verdict the registration was decided under (`no-conflict` when none fired). */
  readonly ruleId: string | null;
}

export interface RegistrationRow {
  readonly registrationId: string;
  readonly partnerId: string;
  readonly partnerName: string | null;
  /**
   * Where the registration stands in the workflow (`approved`, `expired`, …); the ledger's own
   * status when the registrations table has no record of it.
   */
  readonly status: string;
  readonly ruleId: string | null;
  /** One sentence: which rule decided and why. */
  readonly ruleReason: string | null;
  /** The first approval level's SLA deadline; null for an automatic decision. */
  readonly slaDeadline: string | null;
  /** Whether the decision came by the SLA deadline; null while undecided or without an SLA. */
  readonly decidedWithinSla: boolean | null;
  readonly decidedAt: string | null;
  /** `auto`, `page` (an approver) or `sla-default`. */
  readonly decidedThrough: string | null;
  readonly expiresAt: string | null;
}

/**
 * The verified badge:
 * - `verified`: every entry's hash, link and MAC check out, and the chain matches the digests;
 * - `verified-without-digests`: the entries check out, but no digest exists yet to catch a
 *   truncated or deleted chain;
 * - `not-verified`: verification found a problem (`problem` names the first);
 * - `no-entries`: the ledger holds nothing for this deal (and no digest says it should).
 */
export interface LedgerBadge {
  readonly status: 'verified' | 'verified-without-digests' | 'not-verified' | 'no-entries';
  readonly entries: number;
  readonly problem: string | null;
}

/** What the verification of one chain concluded, as the card needs it. */
export interface ChainVerification {
  readonly result: 'intact' | 'intact-without-digests' | 'broken';
  readonly entries: number;
  /** The first problem found, in words; undefined when none. */
  readonly firstProblem: string | undefined;
}

/** Chooses the badge from the chain's verification. */
export function ledgerBadge(verification: ChainVerification): LedgerBadge {
  if (verification.result === 'broken') {
    return {
      status: 'not-verified',
      entries: verification.entries,
      problem: verification.firstProblem ?? 'the chain does not verify',
    };
  }
  if (verification.entries === 0) return { status: 'no-entries', entries: 0, problem: null };
  return {
    status: verification.result === 'intact' ? 'verified' : 'verified-without-digests',
    entries: verification.entries,
    problem: null,
  };
}

function registrationRow(
  fromLedger: OpportunityState['registrations'][number],
  stored: StoredRegistration | undefined,
): RegistrationRow {
  const progress = stored?.progress;
  const decision = progress?.decision;
  const deadline = progress?.sla?.deadline ?? null;
  return {
    registrationId: fromLedger.registrationId,
    partnerId: fromLedger.partnerId,
    partnerName: progress?.partnerName ?? null,
    status: progress?.status ?? fromLedger.status,
    ruleId: progress?.verdict?.ruleId ?? null,
    ruleReason: progress?.verdict?.reason ?? null,
    slaDeadline: deadline,
    decidedWithinSla:
      deadline === null || decision === undefined
        ? null
        : Date.parse(decision.decidedAt) <= Date.parse(deadline),
    decidedAt: decision?.decidedAt ?? null,
    decidedThrough: decision?.channel ?? null,
    expiresAt: progress?.expiresAt ?? fromLedger.expiredAt ?? null,
  };
}

/**
 * Joins a partner's attribution to the one it continues: the same partner and relationship,
 * attached at the moment the earlier one ended (HubSpot's association event for a deal the
 * workflow has just attached re-attaches the partner). The joined attribution runs from the first
 * one's start and keeps the registration that created it.
 */
export function continuous(records: readonly Attribution[]): Attribution[] {
  const joined: Attribution[] = [];
  // In business-time order, as the ledger applies them (CRM events may be recorded before the
  // workflow's own entry of the same moment).
  const byTime = [...records].sort((a, b) =>
    a.since < b.since ? -1 : a.since > b.since ? 1 : a.sequence - b.sequence,
  );
  for (const record of byTime) {
    const index = joined.findIndex(
      (earlier) =>
        !earlier.active &&
        earlier.partnerId === record.partnerId &&
        earlier.relationshipType === record.relationshipType &&
        earlier.until === record.since,
    );
    const earlier = joined[index];
    if (earlier === undefined) {
      joined.push(record);
      continue;
    }
    joined[index] = {
      ...record,
      since: earlier.since,
      sequence: earlier.sequence,
      registrationId: earlier.registrationId ?? record.registrationId,
      campaignId: earlier.campaignId ?? record.campaignId,
      investmentId: earlier.investmentId ?? record.investmentId,
    };
  }
  return joined;
}

/**
 * Builds the card from the deal's ledger state, the stored registrations it names (by id; a
 * registration the table does not hold is shown from the ledger alone) and the chain's
 * verification. Pure: the same inputs always give the same card.
 */
export function dealAttributionCard(input: {
  readonly dealId: string;
  /** The deal's ledger state; undefined when its chain could not be read. */
  readonly state: OpportunityState | undefined;
  readonly registrations: ReadonlyMap<string, StoredRegistration>;
  readonly verification: ChainVerification;
}): DealAttributionCard {
  const { state } = input;
  const registrations = (state?.registrations ?? []).map((registration) =>
    registrationRow(registration, input.registrations.get(registration.registrationId)),
  );
  const partnerNames = new Map(
    registrations.flatMap((row) => (row.partnerName === null ? [] : [[row.partnerId, row.partnerName]])),
  );
  const attributions = continuous(state?.attributions ?? [])
    .map((record): PartnerAttributionRow => {
      const progress =
        record.registrationId === undefined
          ? undefined
          : input.registrations.get(record.registrationId)?.progress;
      return {
        partnerId: record.partnerId,
        partnerName: progress?.partnerName ?? partnerNames.get(record.partnerId) ?? null,
        relationshipType: record.relationshipType,
        since: record.since,
        until: record.until ?? null,
        current: record.active,
        registrationId: record.registrationId ?? null,
        ruleId: progress?.verdict?.ruleId ?? null,
      };
    })
    .sort(
      (a, b) => Number(b.current) - Number(a.current) || (a.since < b.since ? 1 : a.since > b.since ? -1 : 0),
    );
  return {
    dealId: input.dealId,
    dealName: state?.dealName ?? null,
    state: attributions.length === 0 && registrations.length === 0 ? 'empty' : 'attributed',
    attributions,
    registrations,
    ledger: ledgerBadge(input.verification),
  };
}
