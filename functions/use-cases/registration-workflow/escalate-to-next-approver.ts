import { type ApprovalState, approvalId, nextSlaTimer, toDates } from './approval-state.ts';
import { approverInput, getTask } from './approval-tasks.ts';
import { emailEscalation } from './approver-emails.ts';
import {
  loadRegistrationInProgress,
  type RegistrationWorkflowDependencies,
  secondsUntil,
} from './dependencies.ts';
import { countInSla } from './sla-history.ts';

/**
 * "Escalate to next approver": at the SLA deadline the task is superseded (a conditional write:
 * if the approver decided in the meantime the decision stands and the next wait hands it over
 * at once) and a new task goes to the escalation approver, due at the final deadline.
 */
export async function escalateApproval(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  state: ApprovalState,
): Promise<ApprovalState> {
  const deadlines = toDates(state.deadlines);
  const now = deps.now();
  const task = await getTask(deps, state.approvalId);
  const identity = {
    purpose: state.purpose,
    level: state.level,
    round: state.round,
    step: 'escalated',
  } as const;
  const escalatedId = approvalId(registrationId, identity);
  const superseded = await deps.approvals.supersede(state.approvalId, {
    approvalId: escalatedId,
    approver: approverInput(state.escalateTo),
    at: now.toISOString(),
    reason: `No decision by the SLA deadline (${deadlines.escalationAt.toISOString()})`,
  });
  if (!superseded.applied) {
    deps.logger.info('escalation found the approval already decided', { approvalId: state.approvalId });
    return { ...state, nextTimer: 'final', secondsToNextTimer: secondsUntil(deadlines.finalAt, now) };
  }
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const escalated = await deps.approvals.create({
    approvalId: escalatedId,
    registrationId,
    step: 'escalated',
    approver: approverInput(state.escalateTo),
    deadline: deadlines.finalAt.toISOString(),
    createdAt: now.toISOString(),
    subject: task.subject,
  });
  await emailEscalation(deps, { registration, task: escalated, state });
  if (state.purpose === 'registration')
    await countInSla(deps, registrationId, (sla) => ({
      ...sla,
      escalations: sla.escalations + 1,
      decideBy: deadlines.finalAt.toISOString(),
      defaultAt: deadlines.finalAt.toISOString(),
    }));
  deps.logger.info('approval escalated', { registrationId, from: state.approvalId, to: escalatedId });
  return {
    ...state,
    ...identity,
    approvalId: escalatedId,
    approver: state.escalateTo,
    ...nextSlaTimer('escalated', deadlines, state.remindersSent, now),
  };
}
