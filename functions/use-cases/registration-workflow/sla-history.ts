import type { SlaHistory } from '#domain/registration-progress.ts';
import { loadRegistrationInProgress, type RegistrationWorkflowDependencies } from './dependencies.ts';

/** Counts a reminder, an escalation or the SLA default in the registration's SLA history, when it has one. */
export async function countInSla(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  change: (sla: SlaHistory) => SlaHistory,
): Promise<void> {
  const { progress } = await loadRegistrationInProgress(deps, registrationId);
  if (progress.sla === undefined) return;
  await deps.book.saveProgress(registrationId, {
    ...progress,
    sla: change(progress.sla),
    updatedAt: deps.now().toISOString(),
  });
}
