import { z } from 'zod';
import { approvalLinkFor } from '#domain/approvals/approval-link.ts';
import {
  type ApprovalStep,
  type ApprovalSubject,
  type ApprovalTask,
  type RecordedDecision,
  recordedDecisionSchema,
} from '#domain/approvals/approval-task.ts';
import { businessHoursBetween } from '#domain/business-hours/business-hours.ts';
import {
  type ApprovalDeadlines,
  approvalDeadlines,
  resumeDeadlines,
} from '#domain/policy/approval-deadlines.ts';
import {
  needsSecondLevelApproval,
  type RoutedApprover,
  routeApproval,
} from '#domain/policy/approver-routing.ts';
import { slaDefaultDecision } from '#domain/policy/registration-decision.ts';
import type { RegistrationProgress, SlaHistory } from '#domain/registration-progress.ts';
import { renderApprovalEscalationEmail } from '#emails/approval-escalation.ts';
import { renderApprovalReminderEmail } from '#emails/approval-reminder.ts';
import { renderApprovalRequestEmail } from '#emails/approval-request.ts';
import { renderInformationRequestEmail } from '#emails/information-request.ts';
import {
  loadRegistration,
  type RegistrationWorkflowDependencies,
  requireProgress,
  secondsUntil,
  type ValidRegistration,
} from './dependencies.ts';
import { registrationSummary } from './registration-summary.ts';

/** Which SLA timer the current wait ends at. */
export const slaTimers = ['reminder', 'escalation', 'final'] as const;
export type SlaTimer = (typeof slaTimers)[number];

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

function toDates(deadlines: ApprovalState['deadlines']): ApprovalDeadlines {
  return {
    requestedAt: new Date(deadlines.requestedAt),
    reminderAt: new Date(deadlines.reminderAt),
    escalationAt: new Date(deadlines.escalationAt),
    finalAt: new Date(deadlines.finalAt),
  };
}

function fromDates(deadlines: ApprovalDeadlines): ApprovalState['deadlines'] {
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

function approvalId(
  registrationId: string,
  state: Pick<ApprovalState, 'purpose' | 'level' | 'round' | 'step'>,
) {
  const purpose = state.purpose === 'extension' ? 'extension' : `level-${state.level}`;
  return `${registrationId}.${purpose}.${state.round}.${state.step}`;
}

function subjectOf(
  registration: ValidRegistration,
  progress: RegistrationProgress,
  request?: ApprovalSubject['request'],
): ApprovalSubject {
  const { details, record } = registration;
  if (progress.verdict === undefined) {
    throw new Error(`registration ${record.registrationId} has no conflict verdict to show the approver`);
  }
  return {
    ...(progress.partnerName ? { partnerName: progress.partnerName } : {}),
    partnerDomain: details.partnerDomain,
    submitterEmail: details.submitterEmail,
    customerCompanyName: details.customerCompanyName,
    customerDomain: details.customerDomain,
    ...(details.customerCountry ? { customerCountry: details.customerCountry } : {}),
    amount: { minorUnits: details.estimatedAmount.minorUnits, currency: details.estimatedAmount.currency },
    ...(progress.amountUsdMinor === undefined ? {} : { amountUsdMinor: progress.amountUsdMinor }),
    expectedCloseDate: details.expectedCloseDate,
    products: [...details.products],
    ...(details.campaignId ? { campaignId: details.campaignId } : {}),
    cloudMarketplace: details.cloudMarketplace,
    ...(details.dealDescription ? { dealDescription: details.dealDescription } : {}),
    submittedAt: record.submittedAt,
    verdict: progress.verdict,
    ...(request === undefined ? {} : { request }),
  };
}

function routeOf(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  progress: RegistrationProgress,
) {
  return routeApproval(deps.policy.policy, {
    customerCountry: registration.details.customerCountry,
    cloudMarketplace: registration.details.cloudMarketplace,
    amountUsdMinor: progress.amountUsdMinor ?? 0,
  });
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

function approverInput(approver: RoutedApprover) {
  return { name: approver.name, email: approver.email, timeZone: approver.timeZone };
}

function firstLevelApproval(deps: RegistrationWorkflowDependencies, progress: RegistrationProgress) {
  const first = progress.firstLevel;
  if (first === undefined) return {};
  return {
    firstLevelApproval: {
      approverName: first.approverName,
      approvedAt: first.approvedAt,
      relationshipLabel: deps.policy.policy.relationshipTypes[first.relationshipType].label,
      ...(first.reason ? { reason: first.reason } : {}),
    },
  };
}

/** What the approval request and its reminder both tell the approver. */
async function approvalEmailBasics(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  progress: RegistrationProgress,
  task: ApprovalTask,
  state: ApprovalState,
) {
  const deadlines = toDates(state.deadlines);
  return {
    approvalId: task.approvalId,
    approver: approverInput(state.approver),
    registration: registrationSummary(registration, progress),
    verdict: task.subject.verdict,
    reviewUrl: await reviewUrl(deps, task, deadlines.finalAt),
    deadline: deadlines.escalationAt,
    escalatesTo: state.escalateTo.name,
    level: state.level,
    ...firstLevelApproval(deps, progress),
  };
}

async function emailApprovalRequest(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  progress: RegistrationProgress,
  task: ApprovalTask,
  state: ApprovalState,
) {
  const deadlines = toDates(state.deadlines);
  const email = renderApprovalRequestEmail({
    ...(await approvalEmailBasics(deps, registration, progress, task, state)),
    finalDeadline: deadlines.finalAt,
    slaDefault: deps.policy.policy.sla.defaultDecision,
  });
  await deps.mailer.send({ ...email, to: [state.approver.email] });
}

/**
 * "Ask approver": opens the approval task of the next level — the first level, the second level
 * of a large deal once the first approved, or an extension the partner requested — with its SLA
 * deadlines in business hours from now, and emails the approver the link.
 */
export async function askApprover(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<ApprovalState> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const now = deps.now();
  const route = routeOf(deps, registration, progress);
  const extensionRequest = (registration.record as { extensionRequest?: { reason?: string } })
    .extensionRequest;
  const purpose = progress.status === 'approved' ? 'extension' : 'registration';
  if (purpose === 'extension' && extensionRequest === undefined) {
    throw new Error(`registration ${registrationId} is approved and no extension was requested`);
  }
  const level = purpose === 'registration' && progress.firstLevel !== undefined ? 2 : 1;
  const chain = level === 2 && route.secondLevel !== undefined ? route.secondLevel : route.firstLevel;
  const step: ApprovalStep = level === 2 ? 'second-level' : 'first-level';
  const deadlines = approvalDeadlines(deps.policy.policy, now);
  const identity = { purpose, level, round: 1, step } as const;
  const state: ApprovalState = {
    approvalId: approvalId(registrationId, identity),
    ...identity,
    approver: chain.approver,
    escalateTo: chain.escalateTo,
    deadlines: fromDates(deadlines),
    remindersSent: 0,
    ...nextSlaTimer(step, deadlines, 0, now),
  };
  const request: ApprovalSubject['request'] =
    purpose === 'extension'
      ? {
          kind: 'extension',
          note: `The partner asks to extend the registration${progress.expiresAt ? ` beyond ${progress.expiresAt.slice(0, 10)}` : ''} by ${deps.policy.policy.validity.extensionDays} days. Reason: ${extensionRequest?.reason ?? '(none given)'}`,
        }
      : undefined;
  const task = await deps.approvals.create({
    approvalId: state.approvalId,
    registrationId,
    step,
    approver: approverInput(chain.approver),
    deadline: deadlines.escalationAt.toISOString(),
    createdAt: now.toISOString(),
    subject: subjectOf(registration, progress, request),
  });
  await emailApprovalRequest(deps, registration, progress, task, state);
  if (purpose === 'registration') {
    const sla: SlaHistory = progress.sla ?? {
      requestedAt: now.toISOString(),
      deadline: deadlines.escalationAt.toISOString(),
      reminders: 0,
      escalations: 0,
      defaulted: false,
      pausedHours: 0,
    };
    await deps.book.saveProgress(registrationId, {
      ...progress,
      status: 'in-review',
      sla,
      updatedAt: now.toISOString(),
    });
  }
  deps.logger.info('approver asked', {
    registrationId,
    approvalId: state.approvalId,
    approver: chain.approver.email,
  });
  return state;
}

/**
 * "Wait for approver decision" (a callback task): remembers this wait's task token on the
 * approval, so the decision page can resume the workflow. A decision recorded before the token
 * was attached (a fast approver, or the race an escalation lost) resumes it at once.
 */
export async function awaitDecision(
  deps: RegistrationWorkflowDependencies,
  input: { approvalId: string; taskToken: string },
): Promise<void> {
  await deps.approvals.attachCallbackToken(input.approvalId, input.taskToken);
  const task = await deps.approvals.get(input.approvalId);
  if (task?.decision !== undefined) {
    await deps.callbacks.succeed(input.taskToken, { approvalId: task.approvalId, decision: task.decision });
    await deps.approvals.recordHandedOver(task.approvalId, deps.now());
  }
}

async function getTask(
  deps: RegistrationWorkflowDependencies,
  approvalIdValue: string,
): Promise<ApprovalTask> {
  const task = await deps.approvals.get(approvalIdValue);
  if (task === undefined) throw new Error(`approval ${approvalIdValue} does not exist`);
  return task;
}

async function countInSla(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  change: (sla: SlaHistory) => SlaHistory,
) {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  if (progress.sla === undefined) return;
  await deps.book.saveProgress(registrationId, {
    ...progress,
    sla: change(progress.sla),
    updatedAt: deps.now().toISOString(),
  });
}

/** "Remind approver": the reminder email to the same approver, with the same link; the wait goes on. */
export async function remindApprover(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  state: ApprovalState,
): Promise<ApprovalState> {
  const now = deps.now();
  const task = await getTask(deps, state.approvalId);
  const deadlines = toDates(state.deadlines);
  if (task.status === 'pending') {
    const registration = await loadRegistration(deps, registrationId);
    const progress = requireProgress(registration);
    const email = renderApprovalReminderEmail({
      ...(await approvalEmailBasics(deps, registration, progress, task, state)),
      requestedAt: deadlines.requestedAt,
    });
    await deps.mailer.send({ ...email, to: [state.approver.email] });
    if (state.purpose === 'registration')
      await countInSla(deps, registrationId, (sla) => ({ ...sla, reminders: sla.reminders + 1 }));
  }
  const remindersSent = state.remindersSent + 1;
  return { ...state, remindersSent, ...nextSlaTimer(state.step, deadlines, remindersSent, now) };
}

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
  const now = deps.now();
  const task = await getTask(deps, state.approvalId);
  const deadlines = toDates(state.deadlines);
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
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const escalated = await deps.approvals.create({
    approvalId: escalatedId,
    registrationId,
    step: 'escalated',
    approver: approverInput(state.escalateTo),
    deadline: deadlines.finalAt.toISOString(),
    createdAt: now.toISOString(),
    subject: task.subject,
  });
  const email = renderApprovalEscalationEmail({
    approvalId: escalated.approvalId,
    approver: approverInput(state.escalateTo),
    registration: registrationSummary(registration, progress),
    verdict: task.subject.verdict,
    reviewUrl: await reviewUrl(deps, escalated, deadlines.finalAt),
    deadline: deadlines.finalAt,
    level: state.level,
    ...firstLevelApproval(deps, progress),
    previousApprover: { name: state.approver.name, email: state.approver.email },
    requestedAt: deadlines.requestedAt,
    missedDeadline: deadlines.escalationAt,
    finalDeadline: deadlines.finalAt,
    slaDefault: deps.policy.policy.sla.defaultDecision,
  });
  await deps.mailer.send({ ...email, to: [state.escalateTo.email] });
  if (state.purpose === 'registration')
    await countInSla(deps, registrationId, (sla) => ({ ...sla, escalations: sla.escalations + 1 }));
  deps.logger.info('approval escalated', { registrationId, from: state.approvalId, to: escalatedId });
  return {
    ...state,
    ...identity,
    approvalId: escalatedId,
    approver: state.escalateTo,
    ...nextSlaTimer('escalated', deadlines, state.remindersSent, now),
  };
}

/** Who the SLA default decides as. */
export const slaDefaultDecider = {
  email: 'sla-default@dealreg.invalid',
  name: 'Policy default at the final deadline',
};

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
  const fallback = slaDefaultDecision(task.subject.verdict, deps.policy);
  const reason = `Nobody decided by the final deadline (${state.deadlines.finalAt}); the policy default (${fallback.decision}) applies.`;
  const decision: RecordedDecision = {
    choice:
      fallback.decision === 'approve'
        ? { outcome: 'approve', relationshipType: fallback.relationshipType, reason }
        : { outcome: 'reject', reason },
    decidedBy: slaDefaultDecider,
    decidedAt: now.toISOString(),
    channel: 'sla-default',
    policyVersion: deps.policy.policyVersion,
    exception: false,
  };
  const written = await deps.approvals.decide(state.approvalId, decision);
  const recorded = written.task.decision;
  if (recorded === undefined)
    throw new Error(`approval ${state.approvalId} has no decision after the SLA default`);
  if (written.applied && state.purpose === 'registration') {
    await countInSla(deps, registrationId, (sla) => ({ ...sla, defaulted: true }));
  }
  deps.logger.info('SLA default', { registrationId, approvalId: state.approvalId, applied: written.applied });
  return { approvalId: state.approvalId, decision: recorded };
}

/** What "Record approver decision" answers: where the workflow goes next. */
export interface RecordedOutcome {
  readonly next: 'second-level' | 'information' | 'approved' | 'rejected' | 'extended' | 'extension-refused';
  /** For `information`: how long the partner has to answer. */
  readonly informationTimeoutSeconds?: number;
}

/** How long a partner has to answer an approver's question before the registration is declined. */
export const informationResponseDays = 10;

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
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
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
    needsSecondLevelApproval(deps.policy.policy, progress.amountUsdMinor ?? 0) &&
    routeOf(deps, registration, progress).secondLevel !== undefined
  ) {
    await deps.book.saveProgress(registrationId, {
      ...progress,
      firstLevel: {
        approverName: decision.decidedBy.name,
        approvedAt: decision.decidedAt,
        relationshipType: choice.relationshipType,
        ...(choice.reason ? { reason: choice.reason } : {}),
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
      ...(approved ? { relationshipType: choice.relationshipType } : {}),
      reason: choice.reason ?? progress.verdict?.reason ?? 'Approved by the approver.',
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      channel: decision.channel === 'sla-default' ? 'sla-default' : 'page',
      policyVersion: decision.policyVersion,
      exception: decision.exception,
      approvalId: input.decision.approvalId,
    },
    ...(approved ? { approvedAt: decision.decidedAt } : {}),
    updatedAt: now,
  });
  return { next: approved ? 'approved' : 'rejected' };
}

/**
 * "Ask partner for more information" (a callback task): emails the submitting partner the
 * approver's question and how to answer — submit the registration form again for the same
 * customer — and keeps this wait's token on the registration; the resubmission resumes it.
 */
export async function askPartnerForInformation(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  input: { approval: ApprovalState; decision: DecisionOutput; taskToken: string },
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const { choice, decidedBy, decidedAt } = input.decision.decision;
  if (choice.outcome !== 'request-info') throw new Error('the decision asks no question');
  await deps.book.saveProgress(registrationId, progress, {
    sideEffects: {
      set: {
        informationCallbackToken: input.taskToken,
        informationRequest: {
          askedAt: decidedAt,
          question: choice.question,
          approvalId: input.decision.approvalId,
        },
      },
    },
  });
  const email = renderInformationRequestEmail({
    to: registration.details.submitterEmail,
    registration: registrationSummary(registration, progress),
    approverName: decidedBy.name,
    approverEmail: decidedBy.email,
    question: choice.question,
    askedAt: decidedAt,
    ...(deps.registrationFormUrl ? { resubmitUrl: deps.registrationFormUrl } : {}),
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
  });
  await deps.mailer.send(email);
}

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
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
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
  const resubmitted: ValidRegistration = { ...registration, details: resubmission.details };
  const resumed: RegistrationProgress = {
    ...progress,
    status: 'in-review',
    ...(progress.sla
      ? { sla: { ...progress.sla, pausedHours: progress.sla.pausedHours + pausedHours } }
      : {}),
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
    subject: subjectOf(resubmitted, progress, {
      kind: 'registration',
      note: `The partner resubmitted the registration (${input.answer.resubmissionId}) in answer to the question asked.`,
    }),
  });
  await deps.book.saveProgress(registrationId, resumed, {
    sideEffects: { set: { revisedDetails: resubmission.details }, remove: ['informationRequest'] },
  });
  await emailApprovalRequest(deps, resubmitted, resumed, task, state);
  return state;
}

/** "Decline unanswered registration": the partner did not answer the question in time. */
export async function declineUnanswered(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const now = deps.now().toISOString();
  await deps.book.saveProgress(
    registrationId,
    {
      ...progress,
      status: 'declined',
      decision: {
        outcome: 'reject',
        reason: `The partner did not answer the approver's question within ${informationResponseDays} days.`,
        decidedBy: slaDefaultDecider,
        decidedAt: now,
        channel: 'sla-default',
        policyVersion: deps.policy.policyVersion,
        exception: false,
      },
      updatedAt: now,
    },
    { sideEffects: { remove: ['informationCallbackToken'] } },
  );
}
