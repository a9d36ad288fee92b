import { registrationSummaryFromStoredRegistration } from '#emails/registration-summary.ts';

/** @deprecated use `registrationSummaryFromStoredRegistration` from `#emails/registration-summary.ts` */
export const registrationSummary = registrationSummaryFromStoredRegistration;
