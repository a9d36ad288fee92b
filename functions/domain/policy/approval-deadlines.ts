import { addBusinessHours } from '#domain/business-hours/business-hours.ts';
import type { Policy } from './policy-schema.ts';

/** The three moments of one approval level's SLA clock. */
export interface ApprovalDeadlines {
  readonly requestedAt: Date;
  /** Remind the approver. */
  readonly reminderAt: Date;
  /** The SLA deadline: escalate to the escalation approver. */
  readonly escalationAt: Date;
  /** Apply the policy default (`sla.defaultDecision`). */
  readonly finalAt: Date;
}

/**
 * The SLA deadlines of an approval requested at `requestedAt`, in business hours of the
 * policy's calendar. Each approval level runs its own clock from when it was requested.
 */
export function approvalDeadlines(policy: Policy, requestedAt: Date): ApprovalDeadlines {
  const { sla, calendar } = policy;
  return {
    requestedAt,
    reminderAt: addBusinessHours(requestedAt, sla.reminderHours, calendar),
    escalationAt: addBusinessHours(requestedAt, sla.escalationHours, calendar),
    finalAt: addBusinessHours(requestedAt, sla.finalHours, calendar),
  };
}
