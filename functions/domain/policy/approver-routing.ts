import type { Approver, Policy } from './policy-schema.ts';

/** What routing looks at: where the customer is, which marketplace, how large the deal is. */
export interface RoutingFacts {
  /** ISO 3166 alpha-2 country of the customer, when the partner gave one. */
  readonly customerCountry?: string | undefined;
  readonly cloudMarketplace: string;
  /**
   * The deal amount in US cents (USD minor units); undefined when no USD rate is configured for
   * its currency. An amount that cannot be compared is never below a limit: it is treated as at
   * least every bound (a second approval level, the rules with only a minimum amount).
   */
  readonly amountUsdMinor: number | undefined;
}

/** An approver as the workflow needs them: the policy's id plus name, email and time zone. */
export interface RoutedApprover extends Approver {
  readonly id: string;
}

/** One level of approval: who decides, and who it escalates to when the SLA deadline passes. */
interface ApprovalLevel {
  readonly approver: RoutedApprover;
  readonly escalateTo: RoutedApprover;
}

/** The approvers for a registration, and the routing rule that chose them. */
export interface ApprovalRoute {
  /** The name of the routing rule that matched, or `fallback`. */
  readonly rule: string;
  readonly region: string | undefined;
  readonly firstLevel: ApprovalLevel;
  /** Present when the amount reaches `thresholds.secondLevelApprovalFromUsd`. */
  readonly secondLevel?: ApprovalLevel | undefined;
}

const usdMinor = (usd: number) => Math.round(usd * 100);

/** The policy region of a customer country, or undefined when no region lists it. */
export function regionOf(policy: Policy, country: string | undefined): string | undefined {
  if (country === undefined) return undefined;
  const code = country.toUpperCase();
  return Object.entries(policy.regions).find(([, countries]) => countries.includes(code))?.[0];
}

/** Whether the amount is small enough for an automatic approval (the verdict must also be clear). */
export function isBelowAutoApproveLimit(policy: Policy, amountUsdMinor: number | undefined): boolean {
  return amountUsdMinor !== undefined && amountUsdMinor < usdMinor(policy.thresholds.autoApproveBelowUsd);
}

/**
 * Whether the amount needs a second approval level: an amount without a USD rate does, as it
 * cannot be shown to be below the threshold.
 */
export function needsSecondLevelApproval(policy: Policy, amountUsdMinor: number | undefined): boolean {
  return (
    amountUsdMinor === undefined || amountUsdMinor >= usdMinor(policy.thresholds.secondLevelApprovalFromUsd)
  );
}

function approver(policy: Policy, id: string): RoutedApprover {
  const found = policy.approvers[id];
  // The policy schema already refuses chains naming unknown approvers; this guards hand-built policies.
  if (found === undefined) throw new RangeError(`the policy names approver "${id}" but does not list them`);
  return { id, ...found };
}

/**
 * Chooses the approvers of a registration: the first routing rule whose conditions all hold
 * (region, cloud marketplace, amount range), otherwise the fallback chain. A second level is
 * added when the amount reaches the second-level threshold.
 */
export function routeApproval(policy: Policy, facts: RoutingFacts): ApprovalRoute {
  const region = regionOf(policy, facts.customerCountry);
  const rule = policy.routing.rules.find(
    (candidate) =>
      (candidate.regions === undefined || (region !== undefined && candidate.regions.includes(region))) &&
      (candidate.cloudMarketplaces === undefined ||
        (candidate.cloudMarketplaces as readonly string[]).includes(facts.cloudMarketplace)) &&
      (candidate.minAmountUsd === undefined ||
        facts.amountUsdMinor === undefined ||
        facts.amountUsdMinor >= usdMinor(candidate.minAmountUsd)) &&
      (candidate.maxAmountUsd === undefined ||
        (facts.amountUsdMinor !== undefined && facts.amountUsdMinor < usdMinor(candidate.maxAmountUsd))),
  );
  const chain = rule ?? policy.routing.fallback;
  const escalation = approver(policy, chain.escalationApprover);
  return {
    rule: rule?.name ?? 'fallback',
    region,
    firstLevel: { approver: approver(policy, chain.firstApprover), escalateTo: escalation },
    secondLevel: needsSecondLevelApproval(policy, facts.amountUsdMinor)
      ? {
          approver: approver(policy, chain.secondLevelApprover),
          escalateTo: approver(policy, chain.secondLevelEscalationApprover ?? chain.escalationApprover),
        }
      : undefined,
  };
}
