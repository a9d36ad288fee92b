import type { ExpectedCustomerSpend } from '@aws-sdk/client-partnercentral-selling';
import type { ExpectedSpend } from '#ports/partner-central.ts';

/**
 * `ExpectedCustomerSpend` as Partner Central answers it, on an opportunity's `Project` and on an
 * invitation's `OpportunityInvitation.Project`, as the port's `ExpectedSpend`; an entry without a
 * currency or frequency (both required by the API's model) is left out.
 */
export function toExpectedSpend(entries: readonly ExpectedCustomerSpend[] | undefined): ExpectedSpend[] {
  return (entries ?? []).flatMap((spend) =>
    spend.CurrencyCode === undefined || spend.Frequency === undefined
      ? []
      : [
          {
            amount: spend.Amount,
            currencyCode: spend.CurrencyCode,
            frequency: spend.Frequency,
            targetCompany: spend.TargetCompany,
          },
        ],
  );
}
