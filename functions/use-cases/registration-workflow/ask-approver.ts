import type { ApprovalStep, ApprovalSubject } from '#domain/approvals/approval-task.ts';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { expiryDate } from '#domain/policy/registration-validity.ts';
import type { SlaHistory } from '#domain/registration-progress.ts';
import { renderRegistrationReceivedEmail } from '#emails/registration-received.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import { type ApprovalState, approvalId, fromDates, nextSlaTimer } from './approval-state.ts';
import { approverInput, routeOf, subjectOf } from './approval-tasks.ts';
import { emailApprovalRequest } from './approver-emails.ts';
import {
  loadRegistrationInProgress,
  type RegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';
import { partnerStatusUrl } from './partner-status-link.ts';

/** What the approver is asked to extend, and why, when the partner requested an extension. */
function extensionRequest(
  deps: RegistrationWorkflowDependencies,
  { record, progress }: RegistrationInProgress,
): ApprovalSubject['request'] {
  const requested = (record as { extensionRequest?: { reason?: string } }).extensionRequest;
  if (requested === undefined) {
    throw new Error(`registration ${record.registrationId} is approved and no extension was requested`);
  }
  const beyond = progress.expiresAt
    ? ` beyond ${expiryDate(deps.policy.policy, new Date(progress.expiresAt))}`
    : '';
  return {
    kind: 'extension',
    note: `The partner asks to extend the registration${beyond} by ${deps.policy.policy.validity.extensionDays} days. Reason: ${requested.reason ?? '(none given)'}`,
  };
}

/** Tells the partner the registration is with an approver, by when they decide, and where to look. */
async function confirmReceipt(
  deps: RegistrationWorkflowDependencies,
  registration: RegistrationInProgress,
  slaDeadline: Date,
): Promise<void> {
  const { registrationId } = registration.record;
  const partnerEmail = registration.details.submitterEmail;
  const email = renderRegistrationReceivedEmail({
    to: partnerEmail,
    registration: registrationSummaryFromStoredRegistration(registration, registration.progress),
    statusUrl: await partnerStatusUrl(deps, { registrationId, partnerEmail }, undefined),
    slaDeadline,
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
  });
  await deps.mailer.send({ ...email, onceKey: `${registrationId}:received` });
}

/**
 * A second level is a second person's approval: when whoever approved the first level (an
 * escalation can bring the second-level approver there) would also decide the second, the second
 * level starts with its escalation approver.
 */
function secondPerson<
  Level extends {
    readonly approver: { readonly email: string };
    readonly escalateTo: { readonly email: string };
  },
>(chain: Level, firstLevelApprover: string | undefined): Level {
  const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();
  if (!same(chain.approver.email, firstLevelApprover) || same(chain.escalateTo.email, firstLevelApprover)) {
    return chain;
  }
  return { ...chain, approver: chain.escalateTo };
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
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const { progress } = registration;
  const now = deps.now();
  const route = routeOf(deps, registration);
  const purpose = progress.status === 'approved' ? 'extension' : 'registration';
  const request = purpose === 'extension' ? extensionRequest(deps, registration) : undefined;
  const level = purpose === 'registration' && progress.firstLevel !== undefined ? 2 : 1;
  const chain = secondPerson(
    level === 2 && route.secondLevel !== undefined ? route.secondLevel : route.firstLevel,
    level === 2 ? progress.firstLevel?.approverEmail : undefined,
  );
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
  const task = await deps.approvals.create({
    approvalId: state.approvalId,
    registrationId,
    step,
    approver: approverInput(chain.approver),
    deadline: deadlines.escalationAt.toISOString(),
    createdAt: now.toISOString(),
    subject: subjectOf(deps, registration, { level, request, round: identity.round }),
  });
  await emailApprovalRequest(deps, { registration, task, state });
  if (purpose === 'registration' && level === 1) {
    await confirmReceipt(deps, registration, deadlines.escalationAt);
  }
  if (purpose === 'registration') {
    const sla: SlaHistory = {
      ...(progress.sla ?? {
        requestedAt: now.toISOString(),
        deadline: deadlines.escalationAt.toISOString(),
        reminders: 0,
        escalations: 0,
        defaulted: false,
        pausedHours: 0,
      }),
      // Each level runs its own clock: the partner reads the one running now.
      decideBy: deadlines.escalationAt.toISOString(),
      defaultAt: deadlines.finalAt.toISOString(),
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
