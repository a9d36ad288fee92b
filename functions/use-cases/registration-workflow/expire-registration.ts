import { appendEntry } from '#use-cases/ledger-append.ts';
import { loadApprovedRegistration, registrationRecordName } from './approved-registration.ts';
import { keepProtection, protectionNow } from './check-deal-stage.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';

/**
 * "Expire registration": the validity window ended, or the deal closed and the policy ends its
 * protection (`validity.onClosedWon` / `onClosedLost`). A deal that closed since the warning
 * and whose protection the policy keeps is not expired. Expiry is a ledger entry and a status,
 * not a deletion; the HubSpot record says expired.
 */
export async function expireRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadApprovedRegistration(deps, registrationId, { withVerdict: false });
  const { progress, decision, partnerId } = registration;
  const now = deps.now().toISOString();
  const protection = await protectionNow(deps, progress);
  if (protection.next === 'keep') {
    await keepProtection(deps, registrationId, progress, protection);
    deps.logger.info('closed deal keeps its protection', { registrationId, ...protection });
    return;
  }
  const endedEarly =
    protection.next === 'end' && progress.expiresAt !== undefined && progress.expiresAt > now;
  const closedDeal =
    protection.next === 'end'
      ? { outcome: protection.outcome, stage: protection.stage, protection: 'ended' as const, at: now }
      : undefined;
  if (progress.dealId !== undefined) {
    await appendEntry(
      { store: deps.ledger, ledgerKey: deps.ledgerKey, now: deps.now },
      {
        type: 'RegistrationExpired',
        opportunityId: progress.dealId,
        effectiveAt: endedEarly ? now : (progress.expiresAt ?? now),
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
    { ...progress, status: 'expired', expiredAt: now, updatedAt: now, ...(closedDeal && { closedDeal }) },
    { sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] } },
  );
}
