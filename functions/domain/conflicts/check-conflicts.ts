import { DateTime } from 'luxon';
import type * as z from 'zod';
import { compensationFor } from '#domain/policy/compensation.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import type { Policy } from '#domain/policy/policy-schema.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import { companyNameSimilarity } from './company-name-similarity.ts';
import {
  type ConflictEvidence,
  conflictEvidenceSchema,
  type OtherRegistration,
  type RegistrationUnderCheck,
  registrationUnderCheckSchema,
} from './conflict-input.ts';
import {
  type ClosedWonEvidence,
  type ConflictEvidenceItem,
  type ConflictOutcome,
  type ConflictRuleId,
  type ConflictVerdict,
  conflictRuleIds,
  type EngagementEvidence,
  type FiredRule,
  noConflictRuleId,
  type OpenDealEvidence,
  type RegistrationEvidence,
} from './conflict-verdict.ts';

/** Floating-point slack so a similarity that equals the threshold on paper counts as a match. */
const similarityTolerance = 1e-9;
const severity: Readonly<Record<ConflictOutcome, number>> = { reject: 2, 'needs-review': 1, clear: 0 };
const pendingStatuses: ReadonlySet<string> = new Set(['submitted', 'in-review']);

type Evidence = z.output<typeof conflictEvidenceSchema>;

interface RuleResult {
  readonly fired: FiredRule;
  readonly evidence: readonly ConflictEvidenceItem[];
}

const ms = (iso: string) => Date.parse(iso);
/** Orders ids the same way on every machine, whatever its locale. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const day = (iso: string) => iso.slice(0, 10);

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function andMore(count: number): string {
  return count > 1 ? ` and ${plural(count - 1, 'other')}` : '';
}

function partnerLabel(item: { partnerName?: string | undefined; partnerDomain: string }): string {
  return item.partnerName === undefined ? item.partnerDomain : `${item.partnerName} (${item.partnerDomain})`;
}

interface CustomerMatch {
  readonly other: OtherRegistration;
  readonly matchedBy: 'domain' | 'company-name';
  readonly similarity: number;
  /** Matched by a domain the customer's HubSpot company holds besides the registered one. */
  readonly byCompanyDomain?: boolean;
}

/**
 * Other registrations for the same customer: the same domain, another domain of the customer's
 * company in HubSpot, or a company name at least as similar as the threshold.
 */
function sameCustomer(
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  threshold: number,
): CustomerMatch[] {
  const companyDomains = new Set(evidence.customerDomains);
  return evidence.otherRegistrations
    .filter((other) => other.registrationId !== registration.registrationId)
    .flatMap((other): CustomerMatch[] => {
      // A name with nothing to match by (empty once normalised) is like no other name.
      const similarity =
        registration.customerCompanyName === ''
          ? 0
          : companyNameSimilarity(registration.customerCompanyName, other.customerCompanyName);
      if (other.customerDomain === registration.customerDomain) {
        return [{ other, matchedBy: 'domain', similarity }];
      }
      if (companyDomains.has(other.customerDomain)) {
        return [{ other, matchedBy: 'domain', similarity, byCompanyDomain: true }];
      }
      if (similarity + similarityTolerance >= threshold) {
        return [{ other, matchedBy: 'company-name', similarity }];
      }
      return [];
    })
    .sort(
      (a, b) =>
        ms(a.other.receivedAt) - ms(b.other.receivedAt) ||
        byCodeUnits(a.other.registrationId, b.other.registrationId),
    );
}

/** The same partner company: the same HubSpot company, or the same registrable domain. */
function samePartner(other: OtherRegistration, registration: RegistrationUnderCheck): boolean {
  return other.partnerId === registration.partnerId || other.partnerDomain === registration.partnerDomain;
}

function holdsCustomer(other: OtherRegistration, at: string): boolean {
  if (pendingStatuses.has(other.status)) return true;
  return other.status === 'approved' && (other.expiresAt === undefined || ms(other.expiresAt) > ms(at));
}

/**
 * Whether `other` reached Dealreg before `registration` (ties broken by registration id, for
 * determinism). Receipt times only: the time a submission claims is the partner's to set. A
 * registration whose check was recorded first and cleared it without seeing this one came first.
 */
function isEarlier(other: OtherRegistration, registration: RegistrationUnderCheck): boolean {
  if (other.checkedFirst === true) return true;
  const difference = ms(other.receivedAt) - ms(registration.receivedAt);
  return difference < 0 || (difference === 0 && other.registrationId < registration.registrationId);
}

function registrationEvidence(
  ruleId: ConflictRuleId,
  match: CustomerMatch,
  detail: string,
): RegistrationEvidence {
  const { other } = match;
  return {
    kind: 'registration',
    ruleId,
    registrationId: other.registrationId,
    partnerId: other.partnerId,
    partnerDomain: other.partnerDomain,
    partnerName: other.partnerName,
    status: other.status,
    receivedAt: other.receivedAt,
    approvedAt: other.approvedAt,
    expiresAt: other.expiresAt,
    matchedBy: match.matchedBy,
    similarity: Math.round(match.similarity * 1000) / 1000,
    detail,
  };
}

function matchText(match: CustomerMatch): string {
  if (match.byCompanyDomain === true)
    return `${match.other.customerDomain}, another domain of the customer's company in HubSpot`;
  return match.matchedBy === 'domain'
    ? `same customer domain ${match.other.customerDomain}`
    : `company name "${match.other.customerCompanyName}" ${Math.round(match.similarity * 100)}% similar`;
}

function standingText(other: OtherRegistration): string {
  if (other.status === 'approved') return `approved on ${day(other.approvedAt ?? other.receivedAt)}`;
  return `received on ${day(other.receivedAt)}, awaiting decision`;
}

function duplicateRule(
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  policy: Policy,
): RuleResult | undefined {
  const matches = sameCustomer(
    registration,
    evidence,
    policy.conflicts.competingPartner.companyNameSimilarityThreshold,
  ).filter(
    // A pending registration is the one kept only when it came first: of two the partner sent at
    // once (a double submission), each check sees the other waiting, and only the later one is
    // the duplicate.
    ({ other }) =>
      samePartner(other, registration) &&
      holdsCustomer(other, registration.receivedAt) &&
      (other.status === 'approved' || isEarlier(other, registration)),
  );
  const first = matches[0];
  if (first === undefined) return undefined;
  const items = matches.map((match) =>
    registrationEvidence(
      'duplicate',
      match,
      `Registration ${match.other.registrationId} by the same partner, ${standingText(match.other)} (${matchText(match)}).`,
    ),
  );
  return {
    fired: {
      ruleId: 'duplicate',
      outcome: 'reject',
      relationshipType: null,
      reason: `This partner already holds registration ${first.other.registrationId} for ${registration.customerDomain} (${standingText(first.other)})${andMore(matches.length)}, so this one is a duplicate.`,
    },
    evidence: items,
  };
}

function competingPartnerRule(
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  policy: Policy,
): RuleResult | undefined {
  const settings = policy.conflicts.competingPartner;
  const matches = sameCustomer(registration, evidence, settings.companyNameSimilarityThreshold).filter(
    ({ other }) =>
      !samePartner(other, registration) &&
      holdsCustomer(other, registration.receivedAt) &&
      (other.status === 'approved' || isEarlier(other, registration)),
  );
  const first = matches[0];
  if (first === undefined) return undefined;
  const items = matches.map((match) =>
    registrationEvidence(
      'competing-partner',
      match,
      `Partner ${partnerLabel(match.other)} holds registration ${match.other.registrationId}, ${standingText(match.other)} (${matchText(match)}).`,
    ),
  );
  const rejects = settings.resolution === 'reject-later-registration';
  const relationship = settings.laterRegistrationRelationship;
  const holder = `Partner ${partnerLabel(first.other)} registered ${registration.customerDomain} first (${first.other.registrationId}, ${standingText(first.other)})${andMore(matches.length)}`;
  return {
    fired: {
      ruleId: 'competing-partner',
      outcome: rejects ? 'reject' : 'needs-review',
      relationshipType: rejects ? null : relationship,
      reason: rejects
        ? `${holder}; the first registration wins and later registrations for the same customer are rejected.`
        : `${holder}; the first registration wins, so this registration may be approved only as ${relationship}.`,
    },
    evidence: items,
  };
}

function directActivityRule(
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  policy: Policy,
): RuleResult | undefined {
  const settings = policy.conflicts.directActivity;
  const received = DateTime.fromISO(registration.receivedAt, { setZone: true }).toUTC();
  const windowStart = received.minus({ days: settings.lookBackDays }).toMillis();
  const deals = evidence.openDeals
    .filter((deal) => deal.ownerIsDirectRep)
    .sort((a, b) => byCodeUnits(a.dealId, b.dealId));
  const engagements = evidence.directEngagements
    .filter(
      (engagement) =>
        ms(engagement.occurredAt) >= windowStart && ms(engagement.occurredAt) <= received.toMillis(),
    )
    .sort((a, b) => ms(b.occurredAt) - ms(a.occurredAt) || byCodeUnits(a.engagementId, b.engagementId));
  if (deals.length === 0 && engagements.length === 0) return undefined;

  const dealEvidence = deals.map(
    (deal): OpenDealEvidence => ({
      kind: 'open-deal',
      ruleId: 'direct-activity',
      dealId: deal.dealId,
      dealName: deal.dealName,
      ownerId: deal.ownerId,
      ownerName: deal.ownerName,
      stage: deal.stage,
      createdAt: deal.createdAt,
      amountUsdMinor: deal.amountUsdMinor,
      detail: `Open deal "${deal.dealName}" (${deal.dealId}) is owned by direct rep ${deal.ownerName ?? deal.ownerId ?? 'unknown'}${deal.stage === undefined ? '' : `, stage ${deal.stage}`}.`,
    }),
  );
  const engagementEvidence = engagements.map((engagement): EngagementEvidence => {
    const daysBefore = Math.floor((received.toMillis() - ms(engagement.occurredAt)) / 86_400_000);
    return {
      kind: 'engagement',
      ruleId: 'direct-activity',
      engagementId: engagement.engagementId,
      type: engagement.type,
      ownerId: engagement.ownerId,
      ownerName: engagement.ownerName,
      occurredAt: engagement.occurredAt,
      daysBeforeSubmission: daysBefore,
      detail: `Direct rep ${engagement.ownerName ?? engagement.ownerId ?? 'unknown'} logged a ${engagement.type} on ${day(engagement.occurredAt)}, ${plural(daysBefore, 'day')} before this registration.`,
    };
  });
  const found = [
    ...(deals.length > 0 ? [`${plural(deals.length, 'open deal')} owned by a direct rep`] : []),
    ...(engagements.length > 0
      ? [`${plural(engagements.length, 'direct-rep engagement')} in the last ${settings.lookBackDays} days`]
      : []),
  ].join(' and ');
  const relationship = settings.relationshipIfApproved;
  return {
    fired: {
      ruleId: 'direct-activity',
      outcome: 'needs-review',
      relationshipType: relationship,
      reason: `Direct sales is already active at ${registration.customerDomain} (${found}); an approver must review it and, if approved, the relationship is ${relationship}.`,
    },
    evidence: [...dealEvidence, ...engagementEvidence],
  };
}

function existingCustomerRule(
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  policy: Policy,
): RuleResult | undefined {
  const settings = policy.conflicts.existingCustomer;
  const received = DateTime.fromISO(registration.receivedAt, { setZone: true }).toUTC();
  const windowStart = received.minus({ months: settings.closedWonWithinMonths }).toMillis();
  const deals = evidence.closedWonDeals
    .filter((deal) => ms(deal.closedAt) >= windowStart && ms(deal.closedAt) <= received.toMillis())
    .sort((a, b) => ms(b.closedAt) - ms(a.closedAt) || byCodeUnits(a.dealId, b.dealId));
  const latest = deals[0];
  if (latest === undefined) return undefined;
  const items = deals.map(
    (deal): ClosedWonEvidence => ({
      kind: 'closed-won-deal',
      ruleId: 'existing-customer',
      dealId: deal.dealId,
      dealName: deal.dealName,
      closedAt: deal.closedAt,
      amountUsdMinor: deal.amountUsdMinor,
      detail: `Deal "${deal.dealName}" (${deal.dealId}) closed won on ${day(deal.closedAt)}.`,
    }),
  );
  const relationship = settings.relationshipIfApproved;
  const consequence =
    settings.outcome === 'needs-review'
      ? `an approver must review it and, if approved, the relationship is ${relationship}`
      : `it needs no review and is approved as ${relationship}`;
  return {
    fired: {
      ruleId: 'existing-customer',
      outcome: settings.outcome,
      relationshipType: relationship,
      reason: `${registration.customerDomain} is an existing customer (deal "${latest.dealName}" closed won on ${day(latest.closedAt)}, within ${plural(settings.closedWonWithinMonths, 'month')})${andMore(deals.length)}; under the expansion rule ${consequence}.`,
    },
    evidence: items,
  };
}

type Rule = (
  registration: RegistrationUnderCheck,
  evidence: Evidence,
  policy: Policy,
) => RuleResult | undefined;

const rules: Readonly<Record<ConflictRuleId, Rule>> = {
  duplicate: duplicateRule,
  'competing-partner': competingPartnerRule,
  'direct-activity': directActivityRule,
  'existing-customer': existingCustomerRule,
};

/**
 * The conflict check (DESIGN §3.2): runs every rule against the evidence and returns one
 * explainable verdict. Pure: the same registration, evidence and policy always give the same
 * verdict.
 *
 * Time is the registration's receipt (`receivedAt`): "earlier", "holds the customer" and the
 * look-back windows are judged at the moment Dealreg received it, whatever time it claims.
 *
 * Rules: `duplicate` (same partner, same customer, a registration approved, or still pending
 * and received earlier → reject); `competing-partner` (another partner approved for the customer, or registered it
 * earlier and is still pending, matched by domain or by company-name similarity at or above
 * the threshold → by default needs review and may be approved only as influenced);
 * `direct-activity` (an open deal owned by a direct rep, or direct-rep engagements within the
 * look-back window → needs review, influenced if approved); `existing-customer` (a deal closed
 * won within N months → the expansion rule).
 *
 * Precedence: the most severe outcome decides (reject, then needs review, then clear); among
 * rules with that outcome the earlier in `conflictRuleIds` names the verdict. The evidence of
 * every rule that fired is kept.
 *
 * @throws ZodError when the registration or evidence is malformed (a bug upstream, not a conflict).
 */
export function checkConflicts(
  registration: RegistrationUnderCheck,
  evidence: ConflictEvidence,
  { policy, policyVersion }: LoadedPolicy,
): ConflictVerdict {
  const checked = registrationUnderCheckSchema.parse(registration);
  const found = conflictEvidenceSchema.parse(evidence);
  const results = conflictRuleIds.flatMap((ruleId) => {
    const result = rules[ruleId](checked, found, policy);
    return result === undefined ? [] : [result];
  });
  const ordered = results
    .map((result, position) => ({ result, position }))
    .sort(
      (a, b) =>
        severity[b.result.fired.outcome] - severity[a.result.fired.outcome] || a.position - b.position,
    )
    .map(({ result }) => result);
  const deciding = ordered[0]?.fired;
  const relationshipType: RelationshipType | null =
    deciding === undefined ? policy.conflicts.defaultRelationship : deciding.relationshipType;
  const outcome: ConflictOutcome = deciding?.outcome ?? 'clear';
  const lookBack = policy.conflicts.directActivity.lookBackDays;
  const months = policy.conflicts.existingCustomer.closedWonWithinMonths;
  return {
    outcome,
    ruleId: deciding?.ruleId ?? noConflictRuleId,
    reason:
      deciding?.reason ??
      `No other registration, no direct-rep activity in the last ${lookBack} days and no deal closed won in the last ${plural(months, 'month')} was found for ${checked.customerDomain}; the registration counts as ${policy.conflicts.defaultRelationship}.`,
    evidence: results.flatMap((result) => result.evidence),
    firedRules: ordered.map((result) => result.fired),
    relationshipType,
    compensation:
      relationshipType === null ? null : compensationFor(policy, relationshipType, checked.amountUsdMinor),
    policyVersion,
  };
}
