import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { RegistrationSummaryInput } from '#emails/registration-summary.ts';
import type { ValidRegistration } from './dependencies.ts';

/** The registration as every email summarises it. */
export function registrationSummary(
  registration: ValidRegistration,
  progress: RegistrationProgress | undefined,
): RegistrationSummaryInput {
  const { details, record } = registration;
  return {
    registrationId: record.registrationId,
    ...(progress?.partnerName ? { partnerName: progress.partnerName } : {}),
    partnerDomain: details.partnerDomain,
    submitterEmail: details.submitterEmail,
    customerCompanyName: details.customerCompanyName,
    customerDomain: details.customerDomain,
    ...(details.customerCountry ? { customerCountry: details.customerCountry } : {}),
    estimatedAmount: {
      minorUnits: details.estimatedAmount.minorUnits,
      currency: details.estimatedAmount.currency,
    },
    ...(progress?.amountUsdMinor === undefined ? {} : { amountUsdMinor: progress.amountUsdMinor }),
    expectedCloseDate: details.expectedCloseDate,
    products: [...details.products],
    cloudMarketplace: details.cloudMarketplace,
    ...(details.campaignId ? { campaignId: details.campaignId } : {}),
    ...(details.dealDescription ? { dealDescription: details.dealDescription } : {}),
  };
}
