import { informationResponseDays } from '#domain/policy/workflow-lifetime.ts';
import { renderInformationRequestEmail } from '#emails/information-request.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import type { ApprovalState, DecisionOutput } from './approval-state.ts';
import { slaDefaultDecider } from './deciders.ts';
import { loadRegistrationInProgress, type RegistrationWorkflowDependencies } from './dependencies.ts';
import { partnerStatusUrl } from './partner-status-link.ts';

/**
 * The page the partner submitted the form from, when it is a web address: without a configured
 * form address, it is where they submit it again. Resubmitting is the answer that resumes the
 * approval; writing to the approver resumes nothing.
 */
function formPageOf(pageUrl: string | undefined): string | undefined {
  if (pageUrl === undefined || !URL.canParse(pageUrl)) return undefined;
  return /^https?:$/.test(new URL(pageUrl).protocol) ? pageUrl : undefined;
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
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const { progress } = registration;
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
  const partnerEmail = registration.details.submitterEmail;
  const email = renderInformationRequestEmail({
    to: partnerEmail,
    registration: registrationSummaryFromStoredRegistration(registration, progress),
    statusUrl: await partnerStatusUrl(deps, { registrationId, partnerEmail }, undefined),
    approverName: decidedBy.name,
    approverEmail: decidedBy.email,
    question: choice.question,
    askedAt: decidedAt,
    // The workflow's wait for the answer starts after this and lasts `informationResponseDays`.
    answerBy: new Date(Date.parse(decidedAt) + informationResponseDays * 86_400_000),
    resubmitUrl: deps.registrationFormUrl || formPageOf(registration.record.submission.pageUrl),
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
  });
  await deps.mailer.send({ ...email, onceKey: `${registrationId}:question:${decidedAt}` });
}

/** "Decline unanswered registration": the partner did not answer the question in time. */
export async function declineUnanswered(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const { progress } = await loadRegistrationInProgress(deps, registrationId);
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
        unansweredQuestion: true,
      },
      updatedAt: now,
    },
    { sideEffects: { remove: ['informationCallbackToken'] } },
  );
}
