import { expiryDate, extendedValidityWindow } from '#domain/policy/registration-validity.ts';
import { loadApprovedRegistration, registrationRecordName } from './approved-registration.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import { notifyApproved } from './tell-partner-the-decision.ts';
import { type ValidityTimers, validityTimers } from './validity-timers.ts';

/** "Extend validity": the approved extension moves the expiry, in Dealreg and in HubSpot, and the partner is told. */
export async function extendValidity(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<ValidityTimers> {
  const registration = await loadApprovedRegistration(deps, registrationId);
  const { progress, decision } = registration;
  if (progress.expiresAt === undefined) throw new Error(`registration ${registrationId} has no expiry`);
  const extensions = progress.extensions ?? 0;
  const window = extendedValidityWindow(deps.policy.policy, new Date(progress.expiresAt), extensions);
  await deps.book.saveProgress(
    registrationId,
    {
      ...progress,
      expiresAt: window.expiresAt.toISOString(),
      extensions: extensions + 1,
      updatedAt: deps.now().toISOString(),
    },
    {
      sideEffects: {
        // Beside the request, for the partner's status page.
        set: { extensionDecision: { outcome: 'granted', decidedAt: deps.now().toISOString() } },
        remove: ['extensionCallbackToken', 'extensionOffer'],
      },
    },
  );
  await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: registrationRecordName(registration),
    status: 'approved',
    relationship: decision.relationshipType,
    expiresOn: expiryDate(deps.policy.policy, window.expiresAt),
  });
  // The approval email again, now with the extended validity.
  await notifyApproved(deps, registrationId, { extension: true });
  return validityTimers(window);
}
