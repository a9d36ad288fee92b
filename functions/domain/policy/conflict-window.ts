import type { Policy } from './policy-schema.ts';
import { longestWorkflow } from './workflow-lifetime.ts';

/**
 * The fewest days a registration can take from its receipt to its decision that the window allows
 * for: the approval loop's SLA ends in the policy default within a few weeks of business hours
 * per approval level, questions to the partner included. A registration still undecided after
 * this long is a stuck workflow, not a claim on the customer.
 */
export const decisionAllowanceDays = 90;

/**
 * The days a registration can take from its receipt to its decision under the policy: both approval
 * levels at their longest (`longestWorkflow`: the SLA's business hours, weekends and holidays, and
 * the `sla.maxQuestions` questions to the partner a level), and never less than
 * `decisionAllowanceDays`. A long SLA decides months after receipt, and the registration holds the
 * customer from then.
 */
export function decisionDays(policy: Policy): number {
  return Math.max(decisionAllowanceDays, 2 * longestWorkflow(policy).approvalLevelDays);
}

/**
 * How long a registration can hold its customer whatever the policy: one workflow follows it from
 * its receipt to its expiry, and AWS ends a Standard execution one year after it started ("Step
 * Functions service quotas": maximum execution time, 1 year), a leap year counted.
 */
export const registrationLifetimeDays = 366;

/**
 * How many days before a registration's receipt another registration must have been received to
 * still hold the customer when this one is checked. The conflict rules count only registrations
 * that are pending or approved and not yet expired, so nothing older can decide a verdict, and
 * the customer-domain query reads no further back than this. Receipt times, never claimed ones.
 *
 * At least a registration's lifetime (`registrationLifetimeDays`), not only what the current
 * policy allows: a registration approved under an earlier policy keeps the validity it was given
 * then, which may be longer than today's, and one still waiting for a decision may have been
 * asked questions for months. Further back when the policy's own time to a decision, validity and
 * every extension add up to more.
 */
export function conflictLookBackDays(policy: Policy): number {
  const { days, maxExtensions, extensionDays } = policy.validity;
  return Math.max(registrationLifetimeDays, decisionDays(policy) + days + maxExtensions * extensionDays);
}

/** The earliest receipt time (ISO-8601) whose registration can still hold the customer at `at`. */
export function earliestHoldingReceipt(policy: Policy, at: string): string {
  return new Date(Date.parse(at) - conflictLookBackDays(policy) * 86_400_000).toISOString();
}
