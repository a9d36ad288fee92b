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
  return { share: true, campaign: fundingCampaignOf(policy, details.campaignId) };
}

/** The campaign a registration names, as the policy's `coSell.fundingCampaigns` describes it. */
export function fundingCampaignOf(
  policy: CoSellPolicy,
  campaignId: string | undefined,
): FundingCampaign | undefined {
  const described = campaignId ? policy.fundingCampaigns[campaignId] : undefined;
  if (!campaignId || described === undefined) return undefined;
  return {
    campaignId,
    name: described.name,
    awsFunded: described.awsFundingUsed === 'Yes',
    channels: described.channels,
  };
}

/** A co-sell decision as the ledger records it on the approval: shared or not, and why. */
export interface CoSellDecision {
  readonly share: boolean;
  readonly reason: string;
}

/**
 * {@link coSellSelection} as a decision to record: why the policy shares the registration, or
 * why it does not, in words a RevOps lead reads in the pre-QBR report.
 */
export function coSellDecision(
  policy: CoSellPolicy,
  candidate: CoSellCandidate,
  usdRates: Readonly<Record<string, string>>,
): CoSellDecision {
  const selection = coSellSelection(policy, candidate, usdRates);
  if (!selection.share) return { share: false, reason: selection.reason };
  const minimum = policy.minAmountUsd > 0 ? ` worth at least USD ${policy.minAmountUsd}` : '';
  return {
    share: true,
    reason: `the policy shares registrations for the ${candidate.details.cloudMarketplace} marketplace approved as ${candidate.relationshipType}${minimum} (coSell)`,
  };
}
