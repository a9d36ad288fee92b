import { needsSecondLevelApproval } from '#domain/policy/approver-routing.ts';
import { informationResponseDays } from '#domain/policy/workflow-lifetime.ts';
import type { ApprovalState, DecisionOutput } from './approval-state.ts';
import { routeOf } from './approval-tasks.ts';
import { loadRegistrationInProgress, type RegistrationWorkflowDependencies } from './dependencies.ts';

/** What "Record approver decision" answers: where the workflow goes next. */
interface RecordedOutcome {
  readonly next: 'second-level' | 'information' | 'approved' | 'rejected' | 'extended' | 'extension-refused';
  /** For `information`: how long the partner has to answer. */
  readonly informationTimeoutSeconds?: number;
}

/**
 * "Record approver decision": the decision (an approver's, or the SLA default's) becomes the
 * registration's — approved, declined, a question for the partner, or for a large deal the first
 * of two levels. For an extension request: extended or refused.
 */
export async function recordApproverDecision(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  input: { approval: ApprovalState; decision: DecisionOutput },
): Promise<RecordedOutcome> {
  const { approval } = input;
  const { decision } = input.decision;
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const { progress } = registration;
  const now = deps.now().toISOString();
  const choice = decision.choice;

  if (approval.purpose === 'extension') {
    return { next: choice.outcome === 'approve' ? 'extended' : 'extension-refused' };
  }
  if (choice.outcome === 'request-info') {
    await deps.book.saveProgress(registrationId, {
      ...progress,
      status: 'awaiting-information',
      updatedAt: now,
    });
    return { next: 'information', informationTimeoutSeconds: informationResponseDays * 86_400 };
  }
  if (
    choice.outcome === 'approve' &&
    approval.level === 1 &&
    needsSecondLevelApproval(deps.policy.policy, progress.amountUsdMinor) &&
    routeOf(deps, registration).secondLevel !== undefined
  ) {
    await deps.book.saveProgress(registrationId, {
      ...progress,
      firstLevel: {
        approverName: decision.decidedBy.name,
        approverEmail: decision.decidedBy.email,
        approvedAt: decision.decidedAt,
        relationshipType: choice.relationshipType,
        reason: choice.reason || undefined,
      },
      updatedAt: now,
    });
    return { next: 'second-level' };
  }
  const approved = choice.outcome === 'approve';
  await deps.book.saveProgress(registrationId, {
    ...progress,
    status: approved ? 'approved' : 'declined',
    decision: {
      outcome: approved ? 'approve' : 'reject',
      relationshipType: approved ? choice.relationshipType : undefined,
      reason: choice.reason ?? progress.verdict?.reason ?? 'Approved by the approver.',
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      channel: decision.channel === 'sla-default' ? 'sla-default' : 'page',
      policyVersion: decision.policyVersion,
      exception: decision.exception,
      approvalId: input.decision.approvalId,
    },
    // Spread over the stored progress: an undefined key would erase a stored approvedAt.
    ...(approved ? { approvedAt: decision.decidedAt } : {}),
    updatedAt: now,
  });
  return { next: approved ? 'approved' : 'rejected' };
}
