import { businessHoursBetween } from '#domain/business-hours/business-hours.ts';
import { resumeDeadlines } from '#domain/policy/approval-deadlines.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { renderRegistrationReceivedEmail } from '#emails/registration-received.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import { type ApprovalState, approvalId, fromDates, nextSlaTimer, toDates } from './approval-state.ts';
import { getTask, subjectOf } from './approval-tasks.ts';
import { emailApprovalRequest } from './approver-emails.ts';
import {
  loadRegistration,
  loadRegistrationInProgress,
  type RegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';
import { partnerStatusUrl } from './partner-status-link.ts';

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
      round: identity.round,
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
  await confirmAnswer(deps, {
    registration: { ...resubmitted, progress: resumed },
    // Whoever resubmitted, the status page opens for the submitter of the registration answered.
    partnerEmail: registration.details.submitterEmail,
    resubmissionId: input.answer.resubmissionId,
    decideBy: task.deadline,
  });
  return state;
}

/**
 * Tells the partner their resubmission was taken as the answer: it is part of the registration
 * asked about (whose status link it carries), and by when the approver now decides.
 */
async function confirmAnswer(
  deps: RegistrationWorkflowDependencies,
  answer: {
    readonly registration: RegistrationInProgress;
    readonly partnerEmail: string;
    readonly resubmissionId: string;
    readonly decideBy: string;
  },
): Promise<void> {
  const { registration, partnerEmail, resubmissionId, decideBy } = answer;
  const { registrationId } = registration.record;
  const email = renderRegistrationReceivedEmail({
    to: partnerEmail,
    registration: registrationSummaryFromStoredRegistration(registration, registration.progress),
    statusUrl: await partnerStatusUrl(deps, { registrationId, partnerEmail }, undefined),
    slaDeadline: decideBy,
    answer: { resubmissionId },
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
  });
  await deps.mailer.send({ ...email, onceKey: `${registrationId}:answer-received:${resubmissionId}` });
}
