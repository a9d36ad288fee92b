import { appendEntry } from '#use-cases/ledger-append.ts';
import { loadApprovedRegistration, registrationRecordName } from './approved-registration.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';

/**
 * "Expire registration": the validity window ended. Expiry is a ledger entry and a status, not a
 * deletion; the HubSpot record says expired.
 */
export async function expireRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadApprovedRegistration(deps, registrationId);
  const { progress, decision, partnerId } = registration;
  const now = deps.now().toISOString();
  if (progress.dealId !== undefined) {
    await appendEntry(
      { store: deps.ledger, ledgerKey: deps.ledgerKey, now: deps.now },
      {
        type: 'RegistrationExpired',
        opportunityId: progress.dealId,
        effectiveAt: progress.expiresAt ?? now,
        recordedBy: 'registration-workflow',
        sourceEventId: `registration:${registrationId}:expired:${progress.extensions ?? 0}`,
        registrationId,
        partnerId,
      },
    );
  }
  await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: registrationRecordName(registration),
    status: 'expired',
    relationship: decision.relationshipType,
  });
  await deps.book.saveProgress(
    registrationId,
    { ...progress, status: 'expired', expiredAt: now, updatedAt: now },
    { sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] } },
  );
}
