import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import {
  type ApprovalRoute,
  isBelowAutoApproveLimit,
  type RoutingFacts,
  routeApproval,
} from './approver-routing.ts';
import type { LoadedPolicy } from './load-policy.ts';

/**
 * What happens to a checked registration next (DESIGN §3.2 step 3):
 * - `auto-reject`: the verdict rejects (e.g. a duplicate); no approver is asked.
 * - `auto-approve`: the verdict is clear and the amount is below the auto-approve limit.
 * - `approval`: everything else goes to the routed approvers.
 */
type RegistrationRoute =
  | { readonly next: 'auto-reject'; readonly reason: string; readonly policyVersion: string }
  | {
      readonly next: 'auto-approve';
      readonly relationshipType: RelationshipType;
      readonly reason: string;
      readonly policyVersion: string;
    }
  | {
      readonly next: 'approval';
      readonly route: ApprovalRoute;
      readonly reason: string;
      readonly policyVersion: string;
    };

const usd = (minor: number) =>
  `USD ${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;

/** Decides what happens after the conflict check, under the same policy the verdict was made with. */
export function routeRegistration(
  verdict: ConflictVerdict,
  facts: RoutingFacts,
  { policy, policyVersion }: LoadedPolicy,
): RegistrationRoute {
  if (verdict.outcome === 'reject' || verdict.relationshipType === null) {
    return { next: 'auto-reject', reason: verdict.reason, policyVersion };
  }
  const limit = policy.thresholds.autoApproveBelowUsd;
  const amount = facts.amountUsdMinor;
  if (verdict.outcome === 'clear' && amount !== undefined && isBelowAutoApproveLimit(policy, amount)) {
    return {
      next: 'auto-approve',
      relationshipType: verdict.relationshipType,
      reason: `${verdict.reason} The amount (${usd(amount)}) is below the auto-approve limit of ${usd(limit * 100)}.`,
      policyVersion,
    };
  }
  const route = routeApproval(policy, facts);
  const findings = verdict.intakeFindings ?? [];
  const why =
    verdict.outcome === 'clear'
      ? amount === undefined
        ? 'No USD rate is configured for the amount’s currency, so it cannot be compared with the auto-approve limit'
        : `The amount (${usd(amount)}) is not below the auto-approve limit of ${usd(limit * 100)}`
      : verdict.ruleId === 'no-conflict' && findings.length > 0
        ? findings.map((finding) => finding.reason.replace(/\.$/, '')).join('; ')
        : 'The conflict check asks for review';
  return {
    next: 'approval',
    route,
    reason: `${why}; routed to ${route.firstLevel.approver.name} by rule "${route.rule}"${route.secondLevel === undefined ? '' : `, then ${route.secondLevel.approver.name} for the second level`}.`,
    policyVersion,
  };
}

/**
 * The decision the policy makes when nobody has decided by the final deadline. A registration
 * the intake findings sent to an approver (a submitter not at the partner, a close date past the
 * horizon) is never approved by nobody deciding: its default is reject. An extension request, of
 * a registration an approver already decided, takes the policy's default. At the second level of
 * a large deal, an approval keeps the relationship type the first level approved it as
 * (`firstLevel`): nobody deciding at the second level does not overturn it.
 */
export function slaDefaultDecision(
  verdict: ConflictVerdict,
  { policy }: LoadedPolicy,
  purpose: 'registration' | 'extension' = 'registration',
  firstLevel?: { readonly relationshipType: RelationshipType },
):
  | { readonly decision: 'approve'; readonly relationshipType: RelationshipType }
  | { readonly decision: 'reject' } {
  const unverified = purpose === 'registration' && (verdict.intakeFindings ?? []).length > 0;
  if (policy.sla.defaultDecision === 'reject' || verdict.relationshipType === null || unverified)
    return { decision: 'reject' };
  return { decision: 'approve', relationshipType: firstLevel?.relationshipType ?? verdict.relationshipType };
}

/** A decision as an approver made it, for comparing with the verdict. */
type ApproverDecision =
  | { readonly decision: 'approve'; readonly relationshipType: RelationshipType }
  | { readonly decision: 'reject' };

/**
 * Whether a decision departs from the verdict's rule, which makes it an *exception* that needs a
 * written reason and is reported: approving a rejected registration, rejecting a clear one, or
 * approving under another relationship type than the verdict gives.
 */
export function departsFromVerdict(verdict: ConflictVerdict, decision: ApproverDecision): boolean {
  if (decision.decision === 'reject') return verdict.outcome === 'clear';
  return verdict.outcome === 'reject' || decision.relationshipType !== verdict.relationshipType;
}
