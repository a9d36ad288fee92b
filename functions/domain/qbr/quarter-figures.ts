import * as z from 'zod';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { type OpportunityFacts, type PartnerLink, wonUsdMinor } from './opportunity-facts.ts';

/** The versioned definitions (policy `definitions`): which relationships count as which. */
export interface AttributionDefinitions {
  readonly sourcedTypes: readonly string[];
  readonly influencedTypes: readonly string[];
}

export type AttributionClass = 'sourced' | 'influenced' | 'none';

/**
 * The one implementation of the definitions: an opportunity is partner-sourced when any partner
 * link has a sourced relationship type, else partner-influenced when any has an influenced one.
 */
export function classify(
  links: readonly PartnerLink[],
  definitions: AttributionDefinitions,
): AttributionClass {
  if (links.some((link) => definitions.sourcedTypes.includes(link.relationshipType))) return 'sourced';
  if (links.some((link) => definitions.influencedTypes.includes(link.relationshipType))) return 'influenced';
  return 'none';
}

/** Whether the opportunity was won inside the quarter. */
export function wonIn(facts: OpportunityFacts, quarter: FiscalQuarter): boolean {
  return (
    facts.outcome === 'won' &&
    facts.closedAt !== undefined &&
    facts.closedAt >= quarter.start &&
    facts.closedAt < quarter.end
  );
}

export const quarterFiguresSchema = z.strictObject({
  closedWon: z.int().min(0),
  closedWonUsdMinor: z.int().min(0),
  partnerSourcedUsdMinor: z.int().min(0),
  partnerInfluencedUsdMinor: z.int().min(0),
  investedUsdMinorByType: z.record(z.string(), z.int().min(0)),
  /** Every opportunity won in the quarter: its USD cents and how the definitions classed it. */
  opportunities: z.record(
    z.string(),
    z.strictObject({ usdMinor: z.int().min(0), attribution: z.enum(['sourced', 'influenced', 'none']) }),
  ),
});

/** The ledger's figures of one quarter: what a frozen snapshot keeps and what moves when history is rewritten. */
export type QuarterFigures = z.infer<typeof quarterFiguresSchema>;

/**
 * The ledger figures of `quarter` from facts projected at one moment: revenue won in the quarter,
 * classed by the partners attached at close, and the investments effective in it.
 */
export function quarterFigures(
  facts: Iterable<OpportunityFacts>,
  quarter: FiscalQuarter,
  definitions: AttributionDefinitions,
): QuarterFigures {
  let closedWon = 0;
  let closedWonUsdMinor = 0;
  let partnerSourcedUsdMinor = 0;
  let partnerInfluencedUsdMinor = 0;
  const invested = new Map<string, number>();
  const opportunities: QuarterFigures['opportunities'] = {};
  for (const item of facts) {
    for (const investment of item.investments) {
      if (investment.effectiveAt < quarter.start || investment.effectiveAt >= quarter.end) continue;
      invested.set(
        investment.investmentType,
        (invested.get(investment.investmentType) ?? 0) + investment.usdMinor,
      );
    }
    if (item.campaignChain || !wonIn(item, quarter)) continue;
    const usdMinor = wonUsdMinor(item);
    const attribution = classify(item.partnersAtClose, definitions);
    closedWon += 1;
    closedWonUsdMinor += usdMinor;
    if (attribution === 'sourced') partnerSourcedUsdMinor += usdMinor;
    if (attribution === 'influenced') partnerInfluencedUsdMinor += usdMinor;
    opportunities[item.opportunityId] = { usdMinor, attribution };
  }
  return {
    closedWon,
    closedWonUsdMinor,
    partnerSourcedUsdMinor,
    partnerInfluencedUsdMinor,
    investedUsdMinorByType: Object.fromEntries([...invested.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    opportunities,
  };
}

/** The USD cents won in `quarter` (the scorecard's figure), without the per-opportunity record of a snapshot. */
export function closedWonUsdMinorIn(facts: Iterable<OpportunityFacts>, quarter: FiscalQuarter): number {
  let total = 0;
  for (const item of facts) if (!item.campaignChain && wonIn(item, quarter)) total += wonUsdMinor(item);
  return total;
}
