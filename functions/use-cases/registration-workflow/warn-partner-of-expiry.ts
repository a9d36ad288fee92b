import { extensionRequestLink } from '#domain/extension-requests/extension-link.ts';
import { renderExpiryWarningEmail } from '#emails/expiry-warning.ts';
import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';
import { loadApprovedRegistration } from './approved-registration.ts';
import { keepProtection, protectionNow } from './check-deal-stage.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import { partnerStatusUrl } from './partner-status-link.ts';

/** What the warning's wait answers when the deal closed before it: no warning was sent. */
export interface ClosedBeforeWarning {
  readonly closedDeal: 'keep' | 'end';
}

/**
 * "Warn partner of expiry" (a callback task, until the expiry). Expiry and its warning apply to
 * open deals only, so the deal's stage is checked first: a closed deal whose protection the policy
 * keeps is recorded as kept for good, and the wait answers at once `{closedDeal: 'keep'}`; one
 * whose protection the policy ends answers `{closedDeal: 'end'}`, and the workflow expires it now,
 * without a warning. An open deal gets the warning email, with the link to request the extension
 * while the policy still allows one; the wait's token is kept on the registration, and the
 * extension page resumes the workflow with the request.
 */
export async function warnOfExpiry(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  taskToken: string,
): Promise<void> {
  const registration = await loadApprovedRegistration(deps, registrationId, { withVerdict: false });
  const { progress, decision } = registration;
  const protection = await protectionNow(deps, progress);
  deps.logger.info('deal stage checked before the expiry warning', { registrationId, ...protection });
  if (protection.next !== 'open') {
    if (protection.next === 'keep') await keepProtection(deps, registrationId, progress, protection);
    const closed: ClosedBeforeWarning = { closedDeal: protection.next };
    await deps.callbacks.succeed(taskToken, closed);
    return;
  }
  const { policy, policyVersion } = deps.policy;
  if (progress.expiresAt === undefined) throw new Error(`registration ${registrationId} has no expiry`);
  const expiresAt = new Date(progress.expiresAt);
  const available = (progress.extensions ?? 0) < policy.validity.maxExtensions;
  const partnerEmail = registration.details.submitterEmail;
  if (available) {
    await deps.book.saveProgress(registrationId, progress, {
      sideEffects: {
        set: {
          extensionCallbackToken: taskToken,
          extensionOffer: {
            offeredAt: deps.now().toISOString(),
            expiresAt: progress.expiresAt,
            partnerEmail,
          },
        },
        remove: ['extensionRequest', 'extensionDecision'],
      },
    });
  }
  const email = renderExpiryWarningEmail({
    to: partnerEmail,
    registration: registrationSummaryFromStoredRegistration(registration, progress),
    statusUrl: await partnerStatusUrl(deps, { registrationId, partnerEmail }, progress.expiresAt),
    relationshipLabel: policy.relationshipTypes[decision.relationshipType].label,
    expiresAt,
    extension: available
      ? {
          available: true,
          days: policy.validity.extensionDays,
          requestUrl: await extensionRequestLink(
            await deps.signingKey(),
            deps.apiBaseUrl,
            { registrationId, partnerEmail },
            expiresAt,
          ),
        }
      : { available: false },
    timeZone: policy.calendar.timeZone,
    policyVersion,
  });
  await deps.mailer.send({
    ...email,
    onceKey: `${registrationId}:expiry-warning:${expiresAt.toISOString()}`,
  });
}
