import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { CrmDealsRead } from './crm-deal.ts';
import { dollars, ratio } from './funnel.ts';
import { type OpportunityFacts, wonUsdMinor } from './opportunity-facts.ts';
import { type AttributionClass, type AttributionDefinitions, classify, wonIn } from './quarter-figures.ts';
import type { AttributionSummary, DifferenceDeal, RoiRow } from './report.ts';

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
): string {
  const partners = facts.partnersAtClose
    .map(
      (link) =>
        `${link.partnerId} (${link.relationshipType}${link.registrationId === undefined ? '' : `, registration ${link.registrationId}`})`,
    )
    .join(', ');
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
        explanation: explain(item, attribution, cro, croValue, deal !== undefined),
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

/**
 * ROI by investment type: the investments effective in the quarter (`InvestmentRecorded`, on
 * `campaign:<id>` chains or on opportunities) against the revenue won in the quarter by the
 * campaigns they funded. A campaign funded by several types shares its revenue among them in
 * proportion to what each invested in it, so no dollar is counted twice.
 * ROI = (revenue − invested) / invested.
 */
export function roiByInvestmentType(facts: readonly OpportunityFacts[], quarter: FiscalQuarter): RoiRow[] {
  const investedByCampaign = new Map<string, Map<string, number>>();
  const revenueByCampaign = new Map<string, number>();
  for (const item of facts) {
    for (const investment of item.investments) {
      if (investment.effectiveAt < quarter.start || investment.effectiveAt >= quarter.end) continue;
      const byType = investedByCampaign.get(investment.campaignId) ?? new Map<string, number>();
      byType.set(
        investment.investmentType,
        (byType.get(investment.investmentType) ?? 0) + investment.usdMinor,
      );
      investedByCampaign.set(investment.campaignId, byType);
    }
    if (item.campaignChain || !wonIn(item, quarter)) continue;
    for (const campaign of campaignsOf(item))
      revenueByCampaign.set(campaign, (revenueByCampaign.get(campaign) ?? 0) + wonUsdMinor(item));
  }
  const rows = new Map<string, { invested: number; revenue: number }>();
  for (const [campaign, byType] of investedByCampaign) {
    let campaignTotal = 0;
    for (const amount of byType.values()) campaignTotal += amount;
    const revenue = revenueByCampaign.get(campaign) ?? 0;
    for (const [type, amount] of byType) {
      const row = rows.get(type) ?? { invested: 0, revenue: 0 };
      row.invested += amount;
      row.revenue += campaignTotal === 0 ? 0 : (revenue * amount) / campaignTotal;
      rows.set(type, row);
    }
  }
  return [...rows.entries()]
    .map(([investmentType, { invested, revenue }]) => ({
      investmentType,
      invested: dollars(invested),
      closedWonRevenue: dollars(Math.round(revenue)),
      roi: ratio(Math.round(revenue) - invested, invested),
    }))
    .sort((a, b) => (a.investmentType < b.investmentType ? -1 : 1));
}
