import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { formatMoney } from '#domain/money.ts';
import { relationshipTypes } from '#domain/relationship-type.ts';
import { isBelowAutoApproveLimit, needsSecondLevelApproval } from './approver-routing.ts';
import { compensationFor } from './compensation.ts';
import type { Policy } from './policy-schema.ts';

/** A relationship type an approver may approve under, with what it means at the registered amount. */
export interface RelationshipOption {
  readonly relationshipType: (typeof relationshipTypes)[number];
  readonly label: string;
  readonly summary: string;
}

/** Every relationship type the policy prices (`relationshipTypes`), priced at `amountUsdMinor`. */
export function relationshipOptions(policy: Policy, amountUsdMinor: number): RelationshipOption[] {
  return relationshipTypes.map((relationshipType) => {
    const { label, summary } = compensationFor(policy, relationshipType, amountUsdMinor);
    return { relationshipType, label, summary };
  });
}

const usd = (minorUnits: number) => formatMoney({ minorUnits, currency: 'USD' });
const usdWhole = (usdAmount: number) => usd(Math.round(usdAmount * 100));

/**
 * Why an approver is asked at all, naming the policy rule that sends it to them: a second level of
 * a large deal (`thresholds.secondLevelApprovalFromUsd`), an extension (`validity.maxExtensions`),
 * a verdict that asks for review, or — when the conflict check is clear — an amount not below
 * the auto-approve limit (`thresholds.autoApproveBelowUsd`).
 */
export function whyApprovalIsNeeded(
  policy: Policy,
  task: {
    readonly verdict: ConflictVerdict;
    /** Undefined when no USD rate is configured for the amount's currency. */
    readonly amountUsdMinor: number | undefined;
    readonly level: 1 | 2;
    readonly purpose: 'registration' | 'extension';
  },
): string {
  const amount =
    task.amountUsdMinor === undefined ? 'in a currency without a USD rate' : usd(task.amountUsdMinor);
  if (task.purpose === 'extension') {
    return `The partner asks to extend the registration; every extension needs an approver (policy rule validity.maxExtensions allows ${policy.validity.maxExtensions}).`;
  }
  if (task.level === 2 && needsSecondLevelApproval(policy, task.amountUsdMinor)) {
    return task.amountUsdMinor === undefined
      ? `No USD rate is configured for the amount's currency, so it cannot be shown to be below ${usdWhole(policy.thresholds.secondLevelApprovalFromUsd)}, and a second approval level is needed (policy rule thresholds.secondLevelApprovalFromUsd).`
      : `The amount (${amount}) is at or above ${usdWhole(policy.thresholds.secondLevelApprovalFromUsd)}, so a second approval level is needed (policy rule thresholds.secondLevelApprovalFromUsd).`;
  }
  if (task.verdict.outcome === 'clear') {
    return isBelowAutoApproveLimit(policy, task.amountUsdMinor)
      ? 'The conflict check is clear and the amount is below the auto-approve limit; an approver was asked because the registration came back with answers to a question.'
      : `The conflict check is clear, but the amount (${amount}) is not below the auto-approve limit of ${usdWhole(policy.thresholds.autoApproveBelowUsd)} (policy rule thresholds.autoApproveBelowUsd).`;
  }
  return `The conflict check asks for review under rule ${task.verdict.ruleId}: ${task.verdict.reason}`;
}
