import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { automaticDecider } from './deciders.ts';
import {
  loadRegistration,
  loadRegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';

/** "Approve automatically": a clear verdict under the auto-approve limit. */
export async function approveAutomatically(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  reason: string,
): Promise<void> {
  const { progress } = await loadRegistrationInProgress(deps, registrationId);
  // Approved already: the segment is running again after a later step failed. The decision
  // stands as made, with its time.
  if (progress.status === 'approved' && progress.decision?.outcome === 'approve') return;
  const verdict = progress.verdict;
  if (verdict?.relationshipType == null)
    throw new Error(`registration ${registrationId} has no verdict to approve by`);
  const now = deps.now().toISOString();
  await deps.book.saveProgress(registrationId, {
    ...progress,
    status: 'approved',
    decision: {
      outcome: 'approve',
      relationshipType: verdict.relationshipType,
      reason,
      decidedBy: automaticDecider,
      decidedAt: now,
      channel: 'auto',
      policyVersion: verdict.policyVersion,
      exception: false,
    },
    approvedAt: now,
    updatedAt: now,
  });
}

/** "Reject automatically": the verdict rejects (a duplicate), or the partner is unknown. */
export async function rejectAutomatically(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  reason: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  // Declined already: the segment is running again after a later step failed.
  if (registration.progress?.status === 'declined' && registration.progress.decision?.outcome === 'reject')
    return;
  const now = deps.now().toISOString();
  const progress: RegistrationProgress = registration.progress ?? { status: 'declined', updatedAt: now };
  await deps.book.saveProgress(registrationId, {
    ...progress,
    status: 'declined',
    decision: {
      outcome: 'reject',
      reason,
      decidedBy: automaticDecider,
      decidedAt: now,
      channel: 'auto',
      policyVersion: progress.verdict?.policyVersion ?? deps.policy.policyVersion,
      exception: false,
    },
    updatedAt: now,
  });
}
