import type { RecordedDecision } from '#domain/approvals/approval-task.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { departsFromVerdict, slaDefaultDecision } from '#domain/policy/registration-decision.ts';
import type { ApprovalState, DecisionOutput } from './approval-state.ts';
import { getTask } from './approval-tasks.ts';
import { emailSlaDefaultDecided } from './approver-emails.ts';
import { slaDefaultDecider } from './deciders.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import { countInSla } from './sla-history.ts';

/**
 * "Apply the policy default": nobody decided by the final deadline, so the policy's default
 * decision (`sla.defaultDecision`) is recorded on the task — conditionally, so a decision that
 * arrived at the last moment wins and is the one returned.
 */
export async function applyPolicyDefault(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  state: ApprovalState,
): Promise<DecisionOutput> {
  const now = deps.now();
  const task = await getTask(deps, state.approvalId);
  const { verdict, firstLevel } = task.subject;
  const fallback = slaDefaultDecision(verdict, deps.policy, state.purpose, firstLevel);
  const finalAt = formatDeadline(new Date(state.deadlines.finalAt), deps.policy.policy.calendar.timeZone);
  const defaultApplies = `Nobody decided by the final deadline (${finalAt}); the policy default (${fallback.decision}) applies.`;
  // At the second level the default approves as the first level did, an exception with its reason.
  const keepsFirstLevel =
    fallback.decision === 'approve' &&
    firstLevel !== undefined &&
    departsFromVerdict(verdict, { decision: 'approve', relationshipType: fallback.relationshipType });
  const reason = keepsFirstLevel
    ? `${defaultApplies} It keeps the first level's approval by ${firstLevel.approverName}${firstLevel.reason ? `: ${firstLevel.reason}` : '.'}`
    : defaultApplies;
  const decision: RecordedDecision = {
    choice:
      fallback.decision === 'approve'
        ? { outcome: 'approve', relationshipType: fallback.relationshipType, reason }
        : { outcome: 'reject', reason },
    decidedBy: slaDefaultDecider,
    decidedAt: now.toISOString(),
    channel: 'sla-default',
    policyVersion: deps.policy.policyVersion,
    exception: keepsFirstLevel,
  };
  const written = await deps.approvals.decide(state.approvalId, decision);
  const recorded = written.task.decision;
  if (recorded === undefined)
    throw new Error(`approval ${state.approvalId} has no decision after the SLA default`);
  if (written.applied && state.purpose === 'registration') {
    await countInSla(deps, registrationId, (sla) => ({ ...sla, defaulted: true }));
  }
  if (recorded.channel === 'sla-default') {
    // Sent once per approval (its once-key), also when a retried step finds its own default recorded.
    await emailSlaDefaultDecided(deps, { task: written.task, state, decision: recorded });
  }
  deps.logger.info('SLA default', { registrationId, approvalId: state.approvalId, applied: written.applied });
  return { approvalId: state.approvalId, decision: recorded };
}
