import { businessHoursBetween } from '#domain/business-hours/business-hours.ts';
import { resumeDeadlines } from '#domain/policy/approval-deadlines.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { type ApprovalState, approvalId, fromDates, nextSlaTimer, toDates } from './approval-state.ts';
import { getTask, subjectOf } from './approval-tasks.ts';
import { emailApprovalRequest } from './approver-emails.ts';
import {
  loadRegistration,
  loadRegistrationInProgress,
  type RegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';

/**
 * "Resume approval with the partner's answer": the partner resubmitted; the same approver gets a
 * new task showing the resubmitted registration, and the SLA deadlines move by the business
 * hours the clock stood still.
 */
export async function resumeApproval(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  input: { approval: ApprovalState; answer: { resubmissionId: string } },
): Promise<ApprovalState> {
  const now = deps.now();
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const { progress } = registration;
  const resubmission = await loadRegistration(deps, input.answer.resubmissionId);
  const askedAt = (registration.record as { informationRequest?: { askedAt?: string } }).informationRequest
    ?.askedAt;
  const pausedAt = askedAt === undefined ? now : new Date(askedAt);
  const policy = deps.policy.policy;
  const deadlines = resumeDeadlines(policy, toDates(input.approval.deadlines), pausedAt, now);
  const pausedHours = businessHoursBetween(pausedAt, now, policy.calendar);
  const previous = await getTask(deps, input.approval.approvalId);
  const identity = {
    purpose: input.approval.purpose,
    level: input.approval.level,
    round: input.approval.round + 1,
    step: input.approval.step,
  } as const;
  const resubmitted: RegistrationInProgress = { ...registration, details: resubmission.details };
  const resumed: RegistrationProgress = {
    ...progress,
    status: 'in-review',
    sla: progress.sla
      ? {
          ...progress.sla,
          pausedHours: progress.sla.pausedHours + pausedHours,
          decideBy: (identity.step === 'escalated'
            ? deadlines.finalAt
            : deadlines.escalationAt
          ).toISOString(),
          defaultAt: deadlines.finalAt.toISOString(),
        }
      : undefined,
    updatedAt: now.toISOString(),
  };
  const state: ApprovalState = {
    ...input.approval,
    ...identity,
    approvalId: approvalId(registrationId, identity),
    deadlines: fromDates(deadlines),
    ...nextSlaTimer(identity.step, deadlines, input.approval.remindersSent, now),
  };
  const task = await deps.approvals.create({
    approvalId: state.approvalId,
    registrationId,
    step: identity.step,
    approver: previous.approver,
    deadline: (identity.step === 'escalated' ? deadlines.finalAt : deadlines.escalationAt).toISOString(),
    createdAt: now.toISOString(),
    subject: subjectOf(deps, resubmitted, {
      level: identity.level,
      request: {
        kind: 'registration',
        note: `The partner resubmitted the registration (${input.answer.resubmissionId}) in answer to the question asked.`,
      },
    }),
  });
  await deps.book.saveProgress(registrationId, resumed, {
    sideEffects: { set: { revisedDetails: resubmission.details }, remove: ['informationRequest'] },
  });
  await emailApprovalRequest(deps, { registration: { ...resubmitted, progress: resumed }, task, state });
  return state;
}
