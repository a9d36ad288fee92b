import type { RegistrationDetails } from '#domain/registration.ts';
import type { RegistrationUnderCheck } from './conflict-input.ts';

/** The partner company a registration came from, as found in HubSpot. */
interface RegisteringPartner {
  /** HubSpot company id. */
  readonly id: string;
  readonly name?: string | undefined;
}

/**
 * The conflict check's view of a validated registration. Matching uses the normalised company
 * key (legal suffixes removed), not the name as typed, and the amount in US cents at the frozen
 * rate, so thresholds compare like with like.
 */
export function registrationUnderCheck(
  registration: {
    readonly registrationId: string;
    /** When Dealreg first received it (or, for the verdict under its claim, the time it claims). */
    readonly receivedAt: string;
    readonly details: RegistrationDetails;
  },
  partner: RegisteringPartner,
  amountUsdMinor: number,
): RegistrationUnderCheck {
  const { details } = registration;
  return {
    registrationId: registration.registrationId,
    partnerId: partner.id,
    partnerDomain: details.partnerDomain,
    partnerName: partner.name,
    customerDomain: details.customerDomain,
    customerCompanyName: details.customerCompanyKey,
    amountUsdMinor,
    receivedAt: registration.receivedAt,
  };
}
