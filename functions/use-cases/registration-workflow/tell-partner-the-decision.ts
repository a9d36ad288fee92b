import type { RegistrationDecision, RegistrationProgress } from '#domain/registration-progress.ts';
import { reasonForPartner } from '#domain/registration-status/reason-for-partner.ts';
import {
  type RegistrationDecisionEmailInput,
  renderRegistrationDecisionEmail,
} from '#emails/registration-decision.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import type { DecisionOutput } from './approval-state.ts';
import { loadApprovedRegistration } from './approved-registration.ts';
import {
  loadRegistration,
  loadRegistrationInProgress,
  type RegistrationWorkflowDependencies,
  type ValidRegistration,
} from './dependencies.ts';
import { partnerStatusUrl } from './partner-status-link.ts';

/** Emails the submitting partner a decision on the registration, under the current policy. */
async function emailDecision(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  progress: RegistrationProgress | undefined,
  decision: RegistrationDecisionEmailInput['decision'],
  onceKey: string,
): Promise<void> {
  const partnerEmail = registration.details.submitterEmail;
  const email = renderRegistrationDecisionEmail({
    to: partnerEmail,
    registration: registrationSummaryFromStoredRegistration(registration, progress),
    statusUrl: await partnerStatusUrl(
      deps,
      { registrationId: registration.record.registrationId, partnerEmail },
      progress?.expiresAt,
    ),
    decision,
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
    supportEmail: deps.supportEmail || undefined,
  });
  await deps.mailer.send({ ...email, onceKey });
}

/** How the decision was taken, and by whom when an approver took it. */
function decidedThrough(decision: RegistrationDecision) {
  return {
    decidedThrough:
      decision.unansweredQuestion === true
        ? 'unanswered-question'
        : decision.channel === 'page'
          ? 'approver'
          : decision.channel,
    decidedBy: decision.channel === 'page' ? decision.decidedBy.name : undefined,
    decidedByEmail: decision.channel === 'page' ? decision.decidedBy.email : undefined,
    decidedAt: decision.decidedAt,
  } as const;
}

/** "Tell partner it is approved": the decision email, with the relationship and the validity. */
export async function notifyApproved(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  options: { readonly extension?: boolean } = {},
): Promise<void> {
  const registration = await loadApprovedRegistration(deps, registrationId);
  const { progress, decision } = registration;
  const { policy } = deps.policy;
  const verdictRelationship = progress.verdict?.relationshipType;
  await emailDecision(
    deps,
    registration,
    progress,
    {
      outcome: 'approved',
      ...decidedThrough(decision),
      relationshipType: decision.relationshipType,
      relationshipLabel: policy.relationshipTypes[decision.relationshipType].label,
      override:
        verdictRelationship &&
        verdictRelationship !== decision.relationshipType &&
        decision.channel === 'page'
          ? {
              policyRelationshipLabel: policy.relationshipTypes[verdictRelationship].label,
              reason: reasonForPartner(decision.reason, progress.verdict),
            }
          : undefined,
      validUntil: progress.expiresAt ?? decision.decidedAt,
      extension: options.extension === true,
    },
    `${registrationId}:approved:${progress.expiresAt ?? decision.decidedAt}`,
  );
}

/** "Tell partner it is declined": the decision email with the reason. */
export async function notifyDeclined(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const decision = registration.progress?.decision;
  if (decision?.outcome !== 'reject') throw new Error(`registration ${registrationId} is not declined`);
  const verdict = registration.progress?.verdict;
  // Declined at once as a duplicate: the partner's registration it duplicates still holds the customer.
  const duplicated =
    decision.channel === 'auto' && verdict?.ruleId === 'duplicate'
      ? verdict.evidence.find((item) => item.kind === 'registration' && item.ruleId === 'duplicate')
      : undefined;
  await emailDecision(
    deps,
    registration,
    registration.progress,
    {
      outcome: 'rejected',
      ...decidedThrough(decision),
      reason: reasonForPartner(decision.reason, verdict),
      duplicateOf: duplicated?.kind === 'registration' ? duplicated.registrationId : undefined,
    },
    `${registrationId}:declined`,
  );
}

/** "Tell partner the extension is refused": the registration stays valid until its expiry. */
export async function notifyExtensionRefused(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  refusal: DecisionOutput,
): Promise<void> {
  const { choice, decidedBy, decidedAt } = refusal.decision;
  const reason =
    choice.outcome === 'approve' ? 'no reason given' : 'reason' in choice ? choice.reason : choice.question;
  const registration = await loadRegistrationInProgress(deps, registrationId);
  const { progress } = registration;
  await deps.book.saveProgress(registrationId, progress, {
    sideEffects: {
      // Beside the request, for the partner's status page.
      set: { extensionDecision: { outcome: 'refused', decidedAt, reason } },
      remove: ['extensionCallbackToken', 'extensionOffer'],
    },
  });
  await emailDecision(
    deps,
    registration,
    progress,
    {
      outcome: 'rejected',
      extension: true,
      decidedThrough: refusal.decision.channel === 'sla-default' ? 'sla-default' : 'approver',
      decidedBy: decidedBy.name,
      decidedByEmail: refusal.decision.channel === 'sla-default' ? undefined : decidedBy.email,
      decidedAt,
      reason,
      protectedUntil: progress.expiresAt,
    },
    `${registrationId}:extension-refused:${decidedAt}`,
  );
}
