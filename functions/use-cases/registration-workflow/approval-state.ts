import * as z from 'zod';
import { type ApprovalStep, recordedDecisionSchema } from '#domain/approvals/approval-task.ts';
import type { ApprovalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { secondsUntil } from './dependencies.ts';

/** Which SLA timer the current wait ends at. */
const slaTimers = ['reminder', 'escalation', 'final'] as const;
type SlaTimer = (typeof slaTimers)[number];

const isoInstant = z.iso.datetime({ offset: true });
const routedApproverSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  timeZone: z.string(),
});

/** The approval loop's state, carried by the workflow between steps (`$.approval`). */
export const approvalStateSchema = z.object({
  approvalId: z.string().min(1),
  purpose: z.enum(['registration', 'extension']),
  level: z.union([z.literal(1), z.literal(2)]),
  /** 1, then one more each time the approval resumes after the partner answered a question. */
  round: z.number().int().positive(),
  step: z.enum(['first-level', 'escalated', 'second-level']),
  approver: routedApproverSchema,
  escalateTo: routedApproverSchema,
  deadlines: z.object({
    requestedAt: isoInstant,
    reminderAt: isoInstant,
    escalationAt: isoInstant,
    finalAt: isoInstant,
  }),
  remindersSent: z.number().int().nonnegative(),
  nextTimer: z.enum(slaTimers),
  secondsToNextTimer: z.number().int().positive(),
});
export type ApprovalState = z.infer<typeof approvalStateSchema>;

/** What the "Wait for approver decision" task receives when the approver (or the SLA default) decided. */
export const decisionOutputSchema = z.object({ approvalId: z.string(), decision: recordedDecisionSchema });
export type DecisionOutput = z.infer<typeof decisionOutputSchema>;

export function toDates(deadlines: ApprovalState['deadlines']): ApprovalDeadlines {
  return {
    requestedAt: new Date(deadlines.requestedAt),
    reminderAt: new Date(deadlines.reminderAt),
    escalationAt: new Date(deadlines.escalationAt),
    finalAt: new Date(deadlines.finalAt),
  };
}

export function fromDates(deadlines: ApprovalDeadlines): ApprovalState['deadlines'] {
  return {
    requestedAt: deadlines.requestedAt.toISOString(),
    reminderAt: deadlines.reminderAt.toISOString(),
    escalationAt: deadlines.escalationAt.toISOString(),
    finalAt: deadlines.finalAt.toISOString(),
  };
}

/**
 * The next SLA timer of a task: the reminder (once, before the SLA deadline), then escalation at
 * the SLA deadline, then the policy default at the final deadline. An escalated task only has
 * the final deadline left.
 */
export function nextSlaTimer(
  step: ApprovalStep,
  deadlines: ApprovalDeadlines,
  remindersSent: number,
  now: Date,
): { nextTimer: SlaTimer; secondsToNextTimer: number } {
  const timer: SlaTimer =
    step === 'escalated'
      ? 'final'
      : remindersSent === 0 && deadlines.reminderAt.getTime() < deadlines.escalationAt.getTime()
        ? 'reminder'
        : 'escalation';
  const at = { reminder: deadlines.reminderAt, escalation: deadlines.escalationAt, final: deadlines.finalAt }[
    timer
  ];
  return { nextTimer: timer, secondsToNextTimer: secondsUntil(at, now) };
}

/** The id of an approval task: the registration, the level (or extension), the round and the step. */
export function approvalId(
  registrationId: string,
  state: Pick<ApprovalState, 'purpose' | 'level' | 'round' | 'step'>,
) {
  const purpose = state.purpose === 'extension' ? 'extension' : `level-${state.level}`;
  return `${registrationId}.${purpose}.${state.round}.${state.step}`;
}
