import { type ApprovalState, nextSlaTimer, toDates } from './approval-state.ts';
import { getTask } from './approval-tasks.ts';
import { emailApprovalReminder } from './approver-emails.ts';
import { loadRegistrationInProgress, type RegistrationWorkflowDependencies } from './dependencies.ts';
import { countInSla } from './sla-history.ts';

/** "Remind approver": the reminder email to the same approver, with the same link; the wait goes on. */
export async function remindApprover(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  state: ApprovalState,
): Promise<ApprovalState> {
  const now = deps.now();
  const task = await getTask(deps, state.approvalId);
  if (task.status === 'pending') {
    const registration = await loadRegistrationInProgress(deps, registrationId);
    await emailApprovalReminder(deps, { registration, task, state });
    if (state.purpose === 'registration')
      await countInSla(deps, registrationId, (sla) => ({ ...sla, reminders: sla.reminders + 1 }));
  }
  const remindersSent = state.remindersSent + 1;
  return {
    ...state,
    remindersSent,
    ...nextSlaTimer(state.step, toDates(state.deadlines), remindersSent, now),
  };
}
