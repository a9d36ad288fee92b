import { addBusinessHours, businessHoursBetween } from '#domain/business-hours/business-hours.ts';
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

/**
 * The deadlines after the clock was paused (the partner was asked for more information) from
 * `pausedAt` until `resumedAt`: every deadline still ahead at the pause keeps the business hours
 * it had left, counted again from the resumption. Deadlines already passed stay as they were.
 */
export function resumeDeadlines(
  policy: Policy,
  deadlines: ApprovalDeadlines,
  pausedAt: Date,
  resumedAt: Date,
): ApprovalDeadlines {
  if (resumedAt.getTime() < pausedAt.getTime()) {
    throw new RangeError('the clock cannot resume before it was paused');
  }
  const { calendar } = policy;
  const shift = (deadline: Date) =>
    deadline.getTime() <= pausedAt.getTime()
      ? deadline
      : addBusinessHours(resumedAt, businessHoursBetween(pausedAt, deadline, calendar), calendar);
  return {
    requestedAt: deadlines.requestedAt,
    reminderAt: shift(deadlines.reminderAt),
    escalationAt: shift(deadlines.escalationAt),
    finalAt: shift(deadlines.finalAt),
  };
}
