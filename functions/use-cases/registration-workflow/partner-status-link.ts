import { statusLinkExpiry, statusLinkFor } from '#domain/registration-status/status-link.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';

/**
 * The link to the partner's read-only status page that every email to them carries: signed for
 * the registration and the partner, valid until 30 days after the protection ends (before that is
 * known, as long as the longest protection could run from now, plus 30 days).
 */
export async function partnerStatusUrl(
  deps: RegistrationWorkflowDependencies,
  registration: { readonly registrationId: string; readonly partnerEmail: string },
  protectedUntil: string | undefined,
): Promise<string> {
  return statusLinkFor(
    await deps.signingKey(),
    deps.apiBaseUrl,
    registration,
    statusLinkExpiry(deps.policy.policy, deps.now(), protectedUntil),
  );
}
