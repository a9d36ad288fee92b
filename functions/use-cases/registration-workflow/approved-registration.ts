import type { RegistrationDecision } from '#domain/registration-progress.ts';
import type { ReadOptions } from '#ports/registration-book.ts';
import {
  loadRegistrationInProgress,
  type RegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';

/** A registration approved for a partner known in HubSpot, as the steps after the approval see it. */
export interface ApprovedRegistration extends RegistrationInProgress {
  readonly decision: RegistrationDecision & {
    readonly relationshipType: NonNullable<RegistrationDecision['relationshipType']>;
  };
  /** The partner's HubSpot company id. */
  readonly partnerId: string;
}

/** Loads an approved registration; throws when it is not approved for a known partner. */
export async function loadApprovedRegistration(
  deps: Pick<RegistrationWorkflowDependencies, 'book'>,
  registrationId: string,
  options?: ReadOptions,
): Promise<ApprovedRegistration> {
  const registration = await loadRegistrationInProgress(deps, registrationId, options);
  const { decision, partnerId } = registration.progress;
  if (decision?.outcome !== 'approve' || decision.relationshipType === undefined || partnerId === undefined) {
    throw new Error(`registration ${registrationId} is not approved for a known partner`);
  }
  return {
    ...registration,
    decision: { ...decision, relationshipType: decision.relationshipType },
    partnerId,
  };
}

/** The name of the registration's Deal Registration record in HubSpot: the customer and the partner. */
export function registrationRecordName({ details, progress }: RegistrationInProgress): string {
  return `${details.customerCompanyName} (${progress.partnerName ?? details.partnerDomain})`;
}
