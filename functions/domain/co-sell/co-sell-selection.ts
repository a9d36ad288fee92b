import { freezeMoney, usdRateOf } from '../money.ts';
import type { CoSellPolicy } from '../policy/policy-schema.ts';
import type { CloudMarketplace, RegistrationDetails } from '../registration.ts';
import type { RelationshipType } from '../relationship-type.ts';
import type { FundingCampaign } from './funding-campaign.ts';

/** Whether the policy shares an approved registration with AWS, and why not when it does not. */
export type CoSellSelection =
  | { readonly share: true; readonly campaign: FundingCampaign | undefined }
  | { readonly share: false; readonly reason: string };

export interface CoSellCandidate {
  readonly details: Pick<RegistrationDetails, 'cloudMarketplace' | 'estimatedAmount' | 'campaignId'>;
  readonly relationshipType: RelationshipType;
}

/**
 * The policy's `coSell` rules applied to an approved registration: co-sell is on, the registration
 * names one of the policy's marketplaces, was approved as one of its relationship types, and is
 * worth at least its minimum (in USD at the configured rate). The registration's campaign, when
 * the policy describes it, fills the opportunity's Marketing section. Pure.
 */
export function coSellSelection(
  policy: CoSellPolicy,
  candidate: CoSellCandidate,
  usdRates: Readonly<Record<string, string>>,
): CoSellSelection {
  const { details, relationshipType } = candidate;
  if (!policy.enabled) return { share: false, reason: 'co-sell is off in the policy (coSell.enabled)' };
  const marketplaces: readonly CloudMarketplace[] = policy.marketplaces;
  if (!marketplaces.includes(details.cloudMarketplace)) {
    return {
      share: false,
      reason: `cloud marketplace ${details.cloudMarketplace} is not one the policy shares (coSell.marketplaces: ${marketplaces.join(', ')})`,
    };
  }
  if (!policy.relationshipTypes.includes(relationshipType)) {
    return {
      share: false,
      reason: `approved as ${relationshipType}, which the policy does not share (coSell.relationshipTypes: ${policy.relationshipTypes.join(', ')})`,
    };
  }
  if (policy.minAmountUsd > 0) {
    const { minorUnits, currency } = details.estimatedAmount;
    const rate = usdRateOf(currency, usdRates);
    if (rate === undefined) {
      return {
        share: false,
        reason: `no USD rate is configured for ${currency} (setting dealreg:usdRates), so the amount cannot be compared with coSell.minAmountUsd`,
      };
    }
    const usd = freezeMoney(minorUnits, currency, rate).usdMinor / 100;
    if (usd < policy.minAmountUsd) {
      return {
        share: false,
        reason: `the amount (USD ${usd.toFixed(2)}) is below coSell.minAmountUsd (${policy.minAmountUsd})`,
      };
    }
  }
  const campaignId = details.campaignId || undefined;
  const described = campaignId === undefined ? undefined : policy.fundingCampaigns[campaignId];
  return {
    share: true,
    campaign:
      campaignId === undefined || described === undefined
        ? undefined
        : {
            campaignId,
            name: described.name,
            awsFunded: described.awsFundingUsed === 'Yes',
            channels: described.channels,
          },
  };
}
