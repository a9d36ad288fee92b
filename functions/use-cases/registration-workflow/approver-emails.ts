import { approvalLinkFor } from '#domain/approvals/approval-link.ts';
import type { ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { slaDefaultDecision } from '#domain/policy/registration-decision.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { renderApprovalEscalationEmail } from '#emails/approval-escalation.ts';
import { renderApprovalReminderEmail } from '#emails/approval-reminder.ts';
import { renderApprovalRequestEmail } from '#emails/approval-request.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import { renderSlaDefaultDecidedEmail } from '#emails/sla-default-decided.ts';
import { type ApprovalState, toDates } from './approval-state.ts';
import { approverInput } from './approval-tasks.ts';
import type { RegistrationInProgress, RegistrationWorkflowDependencies } from './dependencies.ts';

/** What an email to an approver is about: the registration as it stands, the task and the loop's state. */
interface ApprovalInReview {
  readonly registration: RegistrationInProgress;
  readonly task: ApprovalTask;
  readonly state: ApprovalState;
}

async function reviewUrl(deps: RegistrationWorkflowDependencies, task: ApprovalTask, finalAt: Date) {
  // The link lives until the final deadline plus a day, so a late click still shows what happened.
  return approvalLinkFor(
    await deps.signingKey(),
    deps.apiBaseUrl,
    task,
    new Date(finalAt.getTime() + 86_400_000),
  );
}

function firstLevelApproval(deps: RegistrationWorkflowDependencies, progress: RegistrationProgress) {
  const first = progress.firstLevel;
  if (first === undefined) return undefined;
  return {
    approverName: first.approverName,
    approvedAt: first.approvedAt,
    relationshipLabel: deps.policy.policy.relationshipTypes[first.relationshipType].label,
    reason: first.reason || undefined,
  };
}

/** What the approval request and its reminder both tell the approver. */
async function approvalEmailBasics(
  deps: RegistrationWorkflowDependencies,
  { registration, task, state }: ApprovalInReview,
) {
  const deadlines = toDates(state.deadlines);
  return {
    approvalId: task.approvalId,
    approver: approverInput(state.approver),
    registration: registrationSummaryFromStoredRegistration(registration, registration.progress),
    verdict: task.subject.verdict,
    reviewUrl: await reviewUrl(deps, task, deadlines.finalAt),
    deadline: deadlines.escalationAt,
    escalatesTo: state.escalateTo.name,
    level: state.level,
    firstLevelApproval: firstLevelApproval(deps, registration.progress),
    request: task.subject.request,
    approvalReason: task.subject.approvalReason,
  };
}

/** Asks the task's approver to decide, by the SLA deadline, through the link to the task. */
export async function emailApprovalRequest(
  deps: RegistrationWorkflowDependencies,
  approval: ApprovalInReview,
): Promise<void> {
  const { state } = approval;
  const email = renderApprovalRequestEmail({
    ...(await approvalEmailBasics(deps, approval)),
    finalDeadline: toDates(state.deadlines).finalAt,
    slaDefault: slaDefaultDecision(
      approval.task.subject.verdict,
      deps.policy,
      state.purpose,
      approval.task.subject.firstLevel,
    ).decision,
  });
  await deps.mailer.send({
    ...email,
    to: [state.approver.email],
    onceKey: `${approval.task.approvalId}:request`,
  });
}

/** Reminds the task's approver, with the same link, that the SLA deadline is near. */
export async function emailApprovalReminder(
  deps: RegistrationWorkflowDependencies,
  approval: ApprovalInReview,
): Promise<void> {
  const { state } = approval;
  const email = renderApprovalReminderEmail({
    ...(await approvalEmailBasics(deps, approval)),
    requestedAt: toDates(state.deadlines).requestedAt,
  });
  await deps.mailer.send({
    ...email,
    to: [state.approver.email],
    onceKey: `${approval.task.approvalId}:reminder:${state.remindersSent + 1}`,
  });
}

/**
 * Hands the escalated task to the escalation approver: who missed the SLA deadline, and the
 * final deadline before the policy default applies. `state` is the loop's state before escalation.
 */
export async function emailEscalation(
  deps: RegistrationWorkflowDependencies,
  { registration, task, state }: ApprovalInReview,
): Promise<void> {
  const deadlines = toDates(state.deadlines);
  const email = renderApprovalEscalationEmail({
    approvalId: task.approvalId,
    approver: approverInput(state.escalateTo),
    registration: registrationSummaryFromStoredRegistration(registration, registration.progress),
    verdict: task.subject.verdict,
    reviewUrl: await reviewUrl(deps, task, deadlines.finalAt),
    deadline: deadlines.finalAt,
    level: state.level,
    firstLevelApproval: firstLevelApproval(deps, registration.progress),
    request: task.subject.request,
    approvalReason: task.subject.approvalReason,
    previousApprover: { name: state.approver.name, email: state.approver.email },
    requestedAt: deadlines.requestedAt,
    missedDeadline: deadlines.escalationAt,
    finalDeadline: deadlines.finalAt,
    slaDefault: slaDefaultDecision(task.subject.verdict, deps.policy, state.purpose, task.subject.firstLevel)
      .decision,
  });
  await deps.mailer.send({
    ...email,
    to: [state.escalateTo.email],
    onceKey: `${task.approvalId}:escalation`,
  });
}

/**
 * Tells the task's approver that the policy default decided it at the final deadline — once per
 * approval, however often the step runs.
 */
export async function emailSlaDefaultDecided(
  deps: RegistrationWorkflowDependencies,
  { task, state, decision }: { task: ApprovalTask; state: ApprovalState; decision: RecordedDecision },
): Promise<void> {
  const deadlines = toDates(state.deadlines);
  const { choice } = decision;
  const { subject } = task;
  // An extension is approved or refused as a whole; its relationship type is not used.
  const extension = subject.request?.kind === 'extension';
  const outcome =
    choice.outcome === 'approve'
      ? extension
        ? 'approved the extension'
        : `approved as ${deps.policy.policy.relationshipTypes[choice.relationshipType].label}`
      : extension
        ? 'refused the extension'
        : 'rejected';
  const email = renderSlaDefaultDecidedEmail({
    approvalId: task.approvalId,
    registrationId: task.registrationId,
    approver: task.approver,
    customerCompanyName: subject.customerCompanyName,
    partner: subject.partnerName ?? subject.partnerDomain,
    outcome,
    decidedAt: new Date(decision.decidedAt),
    finalDeadline: deadlines.finalAt,
    reviewUrl: await reviewUrl(deps, task, deadlines.finalAt),
  });
  await deps.mailer.send({ ...email, onceKey: `${task.approvalId}:sla-default` });
}
