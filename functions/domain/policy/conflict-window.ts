import type { Policy } from './policy-schema.ts';
import { longestWorkflow } from './workflow-lifetime.ts';

/**
 * The fewest days a registration can take from its receipt to its decision that the window allows
 * for: the approval loop's SLA ends in the policy default within a few weeks of business hours
 * per approval level, and each question to the partner adds at most ten days. A registration
 * still undecided after this long is a stuck workflow, not a claim on the customer.
 */
export const decisionAllowanceDays = 90;

/** What the window allows for the partner's answers to approvers' questions: six of ten days each. */
const questionAllowanceDays = 60;

/**
 * The days a registration can take from its receipt to its decision under the policy: both approval
 * levels at their longest (`longestWorkflow`: the SLA's business hours, weekends and holidays) and
 * the questions to the partner, and never less than `decisionAllowanceDays`. A long SLA decides
 * months after receipt, and the registration holds the customer from then.
 */
export function decisionDays(policy: Policy): number {
  return Math.max(
    decisionAllowanceDays,
    2 * longestWorkflow(policy).approvalLevelDays + questionAllowanceDays,
  );
}

/**
 * How many days before a registration's receipt another registration must have been received to
 * still hold the customer when this one is checked: the time to its decision, then the validity
 * window with every extension the policy allows. The conflict rules count only registrations
 * that are pending or approved and not yet expired, so nothing older can decide a verdict, and
 * the customer-domain query reads no further back than this. Receipt times, never claimed ones.
 */
export function conflictLookBackDays(policy: Policy): number {
  const { days, maxExtensions, extensionDays } = policy.validity;
  return decisionDays(policy) + days + maxExtensions * extensionDays;
}

/** The earliest receipt time (ISO-8601) whose registration can still hold the customer at `at`. */
export function earliestHoldingReceipt(policy: Policy, at: string): string {
  return new Date(Date.parse(at) - conflictLookBackDays(policy) * 86_400_000).toISOString();
}
