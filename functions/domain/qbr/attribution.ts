import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { CrmDealsRead } from './crm-deal.ts';
import { dollars, ratio } from './funnel.ts';
import { type OpportunityFacts, wonUsdMinor } from './opportunity-facts.ts';
import { type AttributionClass, type AttributionDefinitions, classify, wonIn } from './quarter-figures.ts';
import type { AttributionSummary, DifferenceDeal, InvestmentRow, RoiRow } from './report.ts';

/** The CRO's view (policy `definitions.croView`): a HubSpot deal property and the values that mean "partner". */
interface CroView {
  readonly dealProperty: string;
  readonly partnerValues: readonly string[];
}

function relationshipsText(facts: OpportunityFacts): string {
  const types = [...new Set(facts.partnersAtClose.map((link) => link.relationshipType))].sort();
  return types.length === 0 ? 'none' : types.join('+');
}

function explain(
  facts: OpportunityFacts,
  attribution: AttributionClass,
  cro: CroView,
  croValue: string | null,
  found: boolean,
  partnerNames: ReadonlyMap<string, string>,
): string {
  const partners = facts.partnersAtClose
    .map((link) => {
      const name = partnerNames.get(link.partnerId);
      return `${name === undefined ? '' : `${name}, `}${link.partnerId} (${link.relationshipType}${link.registrationId === undefined ? '' : `, registration ${link.registrationId}`})`;
    })
    .join('; ');
  const hubspot = found
    ? `HubSpot's ${cro.dealProperty} is ${croValue === null ? 'empty' : `"${croValue}"`}`
    : 'HubSpot no longer has this deal';
  if (attribution === 'sourced')
    return `The ledger counts it partner-sourced (${partners} at close) but ${hubspot}, so the CRO view leaves it out.`;
  const ledger =
    attribution === 'influenced' ? `partner-influenced only (${partners} at close)` : 'no partner at close';
  return `${hubspot}, so the CRO view counts it as partner revenue, but the ledger has ${ledger}.`;
}

/** Why the CRO view cannot be computed, or undefined when it can. */
function croUnavailableReason(
  cro: CroView,
  crm: CrmDealsRead | undefined,
  wonDeals: number,
  emptyOnWonDeals: number,
): string | undefined {
  if (crm === undefined) return 'HubSpot was not read for this report, so the CRO view cannot be computed';
  if (crm.croPropertyDefined === false)
    return `HubSpot has no deal property "${cro.dealProperty}" (policy definitions.croView.dealProperty)`;
  if (wonDeals > 0 && emptyOnWonDeals === wonDeals)
    return `the deal property "${cro.dealProperty}" is empty on ${emptyOnWonDeals} of ${wonDeals} deals won in the quarter`;
  return undefined;
}

/**
 * Partner-sourced and partner-influenced revenue won in the quarter (the partners attached at
 * close, classed by the definitions), the CRO's partner revenue (the same deals whose HubSpot
 * property says partner), the difference (sourced − CRO) and the deals that make it up. When the
 * CRO's property is missing in the portal, empty on every deal won in the quarter, or HubSpot was
 * not read, the CRO figure and the difference are `null` and `croView` says why — never a 0.
 */
export function attributionSummary(
  facts: readonly OpportunityFacts[],
  quarter: FiscalQuarter,
  definitions: AttributionDefinitions,
  cro: CroView,
  crm: CrmDealsRead | undefined,
  /** Partner names by HubSpot company id, as the registrations name them; ids alone without. */
  partnerNames: ReadonlyMap<string, string> = new Map(),
): AttributionSummary {
  let sourced = 0;
  let influenced = 0;
  let croRevenue = 0;
  let wonDeals = 0;
  let emptyOnWonDeals = 0;
  const differenceDeals: DifferenceDeal[] = [];
  for (const item of facts) {
    if (item.campaignChain || !wonIn(item, quarter)) continue;
    const usdMinor = wonUsdMinor(item);
    const attribution = classify(item.partnersAtClose, definitions);
    if (attribution === 'sourced') sourced += usdMinor;
    if (attribution === 'influenced') influenced += usdMinor;
    const deal = crm?.deals.get(item.opportunityId);
    const croValue = deal?.croValue ?? null;
    if (deal !== undefined) {
      wonDeals += 1;
      if (croValue === null || croValue.trim() === '') emptyOnWonDeals += 1;
    }
    const croCountsAsPartner = croValue !== null && cro.partnerValues.includes(croValue);
    if (croCountsAsPartner) croRevenue += usdMinor;
    if (crm !== undefined && (attribution === 'sourced') !== croCountsAsPartner) {
      differenceDeals.push({
        opportunityId: item.opportunityId,
        dealName: item.dealName ?? deal?.name ?? item.opportunityId,
        amount: dollars(usdMinor),
        ledgerRelationship: relationshipsText(item),
        croCountsAsPartner,
        explanation: explain(item, attribution, cro, croValue, deal !== undefined, partnerNames),
      });
    }
  }
  const reason = croUnavailableReason(cro, crm, wonDeals, emptyOnWonDeals);
  return {
    partnerSourcedRevenue: dollars(sourced),
    partnerInfluencedRevenue: dollars(influenced),
    croPartnerRevenue: reason === undefined ? dollars(croRevenue) : null,
    difference: reason === undefined ? dollars(sourced - croRevenue) : null,
    croView: {
      dealProperty: cro.dealProperty,
      available: reason === undefined,
      unavailableReason: reason ?? null,
      wonDeals,
      emptyOnWonDeals,
    },
    // Without the CRO's figure there is nothing to explain deal by deal.
    differenceDeals:
      reason === undefined
        ? differenceDeals.sort((a, b) => b.amount - a.amount || (a.opportunityId < b.opportunityId ? -1 : 1))
        : [],
  };
}

/** The campaigns an opportunity's revenue counts for: those of its partners at close, else of its registrations. */
function campaignsOf(facts: OpportunityFacts): string[] {
  const fromLinks = facts.partnersAtClose.flatMap((link) =>
    link.campaignId === undefined ? [] : [link.campaignId],
  );
  if (fromLinks.length > 0) return [...new Set(fromLinks)];
  return [
    ...new Set(
      facts.registrations.flatMap((registration) =>
        registration.campaignId === undefined ? [] : [registration.campaignId],
      ),
    ),
  ];
}

interface InvestmentShare {
  readonly investmentId: string;
  readonly investmentType: string;
  readonly campaignId: string;
  /** The opportunity the investment names (it is recorded on that opportunity's chain), if any. */
  readonly opportunityId: string | undefined;
  readonly usdMinor: number;
  /** USD cents of closed-won revenue attributed to it (not yet rounded). */
  revenue: number;
}

/**
 * Revenue attributed to each investment effective in the quarter, against revenue won in the
 * quarter. An investment that names an opportunity (`opportunityId` in the import; recorded on
 * that chain) earns that opportunity's revenue; any other earns the revenue of its campaign (the
 * campaign of the partners at close, else of the registrations; an opportunity of several campaigns
 * is split equally between them). An opportunity some investment names is left out of its
 * campaign's revenue, and several investments on the same opportunity
 * or campaign share its revenue in proportion to what each invested, so no dollar counts twice.
 */
export function investmentReturns(
  facts: readonly OpportunityFacts[],
  quarter: FiscalQuarter,
): InvestmentReturn[] {
  const shares: InvestmentShare[] = [];
  for (const item of facts) {
    for (const investment of item.investments) {
      if (investment.effectiveAt < quarter.start || investment.effectiveAt >= quarter.end) continue;
      shares.push({
        investmentId: investment.investmentId,
        investmentType: investment.investmentType,
        campaignId: investment.campaignId,
        opportunityId: item.campaignChain ? undefined : item.opportunityId,
        usdMinor: investment.usdMinor,
        revenue: 0,
      });
    }
  }
  const named = new Set(
    shares.flatMap((share) => (share.opportunityId === undefined ? [] : [share.opportunityId])),
  );
  const revenueByOpportunity = new Map<string, number>();
  const revenueByCampaign = new Map<string, number>();
  for (const item of facts) {
    if (item.campaignChain || !wonIn(item, quarter)) continue;
    if (named.has(item.opportunityId)) {
      revenueByOpportunity.set(item.opportunityId, wonUsdMinor(item));
      continue;
    }
    // A deal several campaigns brought in is split between them equally, so the ROI table counts
    // each dollar once however many campaigns it came through.
    const campaigns = campaignsOf(item);
    for (const campaign of campaigns)
      revenueByCampaign.set(
        campaign,
        (revenueByCampaign.get(campaign) ?? 0) + wonUsdMinor(item) / campaigns.length,
      );
  }
  const pools = new Map<string, InvestmentShare[]>();
  for (const share of shares) {
    const pool =
      share.opportunityId === undefined
        ? `campaign\u0000${share.campaignId}`
        : `opportunity\u0000${share.opportunityId}`;
    const members = pools.get(pool) ?? [];
    members.push(share);
    pools.set(pool, members);
  }
  for (const members of pools.values()) {
    const first = members[0] as InvestmentShare;
    const revenue =
      first.opportunityId === undefined
        ? (revenueByCampaign.get(first.campaignId) ?? 0)
        : (revenueByOpportunity.get(first.opportunityId) ?? 0);
    const total = members.reduce((sum, member) => sum + member.usdMinor, 0);
    for (const member of members)
      member.revenue = total === 0 ? revenue / members.length : (revenue * member.usdMinor) / total;
  }
  return shares
    .map((share) => ({
      investmentId: share.investmentId,
      investmentType: share.investmentType,
      campaignId: share.campaignId,
      opportunityId: share.opportunityId ?? null,
      attributedThrough: share.opportunityId === undefined ? ('campaign' as const) : ('opportunity' as const),
      invested: dollars(share.usdMinor),
      closedWonRevenue: dollars(Math.round(share.revenue)),
      revenueUsdMinor: share.revenue,
      usdMinor: share.usdMinor,
    }))
    .sort((a, b) =>
      a.investmentType !== b.investmentType
        ? a.investmentType < b.investmentType
          ? -1
          : 1
        : a.investmentId < b.investmentId
          ? -1
          : 1,
    );
}

/** One investment's return, with the unrounded cents the type rows are summed from. */
export interface InvestmentReturn extends InvestmentRow {
  readonly revenueUsdMinor: number;
  readonly usdMinor: number;
}

/** How a type's revenue was attributed, in words: `1 through its named opportunity, 2 through their campaigns`. */
function attributedThroughText(returns: readonly InvestmentReturn[]): string {
  const viaOpportunity = returns.filter((item) => item.attributedThrough === 'opportunity').length;
  const viaCampaign = returns.length - viaOpportunity;
  const parts: string[] = [];
  if (viaOpportunity > 0)
    parts.push(
      `${viaOpportunity} investment${viaOpportunity === 1 ? '' : 's'} through ${viaOpportunity === 1 ? 'its' : 'their'} named opportunit${viaOpportunity === 1 ? 'y' : 'ies'}`,
    );
  if (viaCampaign > 0)
    parts.push(
      `${viaCampaign} investment${viaCampaign === 1 ? '' : 's'} through ${viaCampaign === 1 ? 'its' : 'their'} campaign${viaCampaign === 1 ? '' : 's'}`,
    );
  return parts.join('; ');
}

/**
 * ROI by investment type: the investments effective in the quarter (`InvestmentRecorded`, on
 * `campaign:<id>` chains or on opportunities) against the revenue won in the quarter that
 * {@link investmentReturns} attributes to them. ROI = (revenue − invested) / invested.
 */
export function roiByInvestmentType(returns: readonly InvestmentReturn[]): RoiRow[] {
  const byType = new Map<string, InvestmentReturn[]>();
  for (const item of returns) {
    const members = byType.get(item.investmentType) ?? [];
    members.push(item);
    byType.set(item.investmentType, members);
  }
  return [...byType.entries()]
    .map(([investmentType, members]) => {
      const invested = members.reduce((sum, item) => sum + item.usdMinor, 0);
      const revenue = Math.round(members.reduce((sum, item) => sum + item.revenueUsdMinor, 0));
      const viaOpportunity = Math.round(
        members
          .filter((item) => item.attributedThrough === 'opportunity')
          .reduce((sum, item) => sum + item.revenueUsdMinor, 0),
      );
      return {
        investmentType,
        invested: dollars(invested),
        closedWonRevenue: dollars(revenue),
        roi: ratio(revenue - invested, invested),
        revenueThroughOpportunities: dollars(viaOpportunity),
        revenueThroughCampaigns: dollars(revenue - viaOpportunity),
        attributedThrough: attributedThroughText(members),
      };
    })
    .sort((a, b) => (a.investmentType < b.investmentType ? -1 : 1));
}
