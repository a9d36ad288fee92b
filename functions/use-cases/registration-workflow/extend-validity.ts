import { extensionDecisionSchema } from '#domain/extension-requests/extension-offer.ts';
import {
  expiryDate,
  extendedValidityWindow,
  validityWindowEndingAt,
} from '#domain/policy/registration-validity.ts';
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
  // The decision is saved with the new expiry in one write, and the next expiry warning removes
  // it: present, this extension was applied by an earlier attempt of this step (retried after a
  // HubSpot failure, or redriven), which must not move the expiry again.
  const decided = extensionDecisionSchema.safeParse(
    (registration.record as { extensionDecision?: unknown }).extensionDecision,
  );
  const applied = decided.success && decided.data.outcome === 'granted';
  const extensions = progress.extensions ?? 0;
  const window = applied
    ? validityWindowEndingAt(deps.policy.policy, new Date(progress.expiresAt))
    : extendedValidityWindow(deps.policy.policy, new Date(progress.expiresAt), extensions);
  if (!applied) {
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
  }
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
