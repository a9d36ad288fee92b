import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import { freezeMoney, parseDecimalAmount, usdRateOf } from '#domain/money.ts';
import { normaliseCompanyName, registrableDomain } from '#domain/normalise.ts';
import { routeApproval } from '#domain/policy/approver-routing.ts';
import { earliestHoldingReceipt } from '#domain/policy/conflict-window.ts';
import type { AwsReferral, AwsReferralReview, AwsReferrals } from '#ports/partner-central.ts';
import { gatherEvidence } from '#use-cases/registration-workflow/conflict-evidence.ts';
import type { RegistrationWorkflowDependencies } from '#use-cases/registration-workflow/dependencies.ts';

/**
 * AWS referrals (engagement invitations AWS sends the partner, "GetEngagementInvitation" in the
 * Partner Central API reference) put through the channel-conflict check a partner registration
 * gets: other partners' registrations of the customer's domain (and of similarly named
 * customers), the customer's open and closed-won deals, and direct reps' activity. The check is
 * `gatherEvidence` and `checkConflicts`, the same functions the registration workflow's "Check
 * for channel conflict" runs; the referral stands in the registration's place, with AWS as the
 * registering party.
 *
 * Who reviews it: the first approver of the policy's routing for the customer's country, the
 * `aws` cloud marketplace and the referral's expected spend over a year (monthly spend × 12, in
 * USD; spend in EUR, which Partner Central also takes, or another currency converted at the
 * configured rate, setting dealreg:usdRates; spend in a currency without a rate counts as
 * nothing). That is the
 * channel manager the policy puts in charge of a partner registration of the same customer and
 * size, so the same person sees both when they conflict.
 */
export type AwsReferralDependencies = Pick<
  RegistrationWorkflowDependencies,
  'book' | 'crm' | 'policy' | 'usdRates' | 'now'
> & { readonly referrals: (catalog: 'AWS' | 'Sandbox') => AwsReferrals };

/** The party a referral is checked as: AWS, never one of the partners in the registration book. */
export const awsAsRegisteringParty = {
  id: 'aws',
  name: 'AWS',
  domain: 'aws.amazon.com',
} as const;

export class AwsReferralNotReviewableError extends Error {
  override readonly name = 'AwsReferralNotReviewableError';
}

export type { AwsReferralReview };

/** Reads the referral from Partner Central, runs the conflict check and names its reviewer. */
export async function reviewAwsReferral(
  deps: AwsReferralDependencies,
  catalog: 'AWS' | 'Sandbox',
  invitationId: string,
): Promise<AwsReferralReview> {
  const referral = await deps.referrals(catalog).get(invitationId);
  const customerDomain =
    referral.customerWebsiteUrl === undefined ? undefined : registrableDomain(referral.customerWebsiteUrl);
  const annualSpendUsdMinor = annualSpendInUsdMinor(referral, deps.usdRates);
  const reviewer = routeApproval(deps.policy.policy, {
    customerCountry: referral.customerCountryCode,
    cloudMarketplace: 'aws',
    amountUsdMinor: annualSpendUsdMinor,
  }).firstLevel.approver;
  if (customerDomain === undefined || referral.customerCompanyName === undefined) {
    return { catalog, referral, customerDomain, annualSpendUsdMinor, verdict: undefined, reviewer };
  }
  const receivedAt = referral.invitedAt ?? deps.now().toISOString();
  const receivedFrom = earliestHoldingReceipt(deps.policy.policy, receivedAt);
  const registrationId = `aws-referral-${referral.invitationId}`;
  const sameDomain = await deps.book.byCustomerDomain(customerDomain, receivedFrom);
  const evidence = await gatherEvidence(
    deps,
    {
      record: { registrationId },
      details: { customerDomain, customerCompanyName: referral.customerCompanyName },
    },
    { receivedFrom, sameDomain, engagementsFrom: receivedAt },
  );
  // AWS names the customer, not the partner through intake (which refuses a name with no letters
  // or digits): a name such as "—" gives nothing to match by, so only the domain is matched.
  const customerCompanyKey = normaliseCompanyName(referral.customerCompanyName);
  const checked = checkConflicts(
    {
      registrationId,
      partnerId: awsAsRegisteringParty.id,
      partnerDomain: awsAsRegisteringParty.domain,
      partnerName: awsAsRegisteringParty.name,
      customerDomain,
      customerCompanyName: customerCompanyKey,
      amountUsdMinor: annualSpendUsdMinor,
      receivedAt,
    },
    evidence,
    deps.policy,
  );
  const verdict =
    customerCompanyKey === ''
      ? {
          ...checked,
          reason: `The customer name ${JSON.stringify(referral.customerCompanyName)} gives nothing to match by (no letters or digits): only the domain ${customerDomain} was matched. ${checked.reason}`,
        }
      : checked;
  return { catalog, referral, customerDomain, annualSpendUsdMinor, verdict, reviewer };
}

/**
 * Monthly spend × 12 plus spend of another frequency, in US cents: USD as it is, any other
 * currency (Partner Central takes EUR as well as USD: "ExpectedCustomerSpend", AWS Partner
 * Central API reference) at its configured USD rate (setting dealreg:usdRates). An entry in a
 * currency without a rate, or with an amount that is not a decimal of its currency, counts as
 * nothing rather than as a guess.
 */
export function annualSpendInUsdMinor(
  referral: Pick<AwsReferral, 'expectedSpend'>,
  usdRates: Readonly<Record<string, string>> = {},
): number {
  let cents = 0;
  for (const spend of referral.expectedSpend) {
    const rate = usdRateOf(spend.currencyCode, usdRates);
    if (rate === undefined || spend.amount === undefined) continue;
    const times = spend.frequency === 'Monthly' ? 12 : 1;
    try {
      const minor = parseDecimalAmount(spend.amount, spend.currencyCode) * times;
      cents += freezeMoney(minor, spend.currencyCode, rate).usdMinor;
    } catch {
      // not a decimal of its currency: counts as nothing
    }
  }
  return cents;
}
