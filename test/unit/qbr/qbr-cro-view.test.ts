import { describe, expect, it } from 'vitest';
import { crmDeal, crmOf, report } from './qbr-fixtures.ts';
import { scenarioChains, scenarioCrm, scenarioRegistrations } from './qbr-scenario.ts';

/** The scenario's HubSpot deals with the CRO property as given (null: empty). */
function crmWithCroValues(values: Record<string, string | null>, croPropertyDefined?: boolean) {
  const deals = [...scenarioCrm().deals.values()].map((deal) =>
    crmDeal(deal.id, { ...deal, croValue: deal.id in values ? (values[deal.id] ?? null) : deal.croValue }),
  );
  return { ...crmOf(deals), croPropertyDefined };
}

const compute = (crm: ReturnType<typeof crmWithCroValues> | undefined) =>
  report({ chains: scenarioChains(), registrations: scenarioRegistrations(), crm });

describe("the CRO's partner revenue", () => {
  it('explains each deal that differs with the partner named as the registrations name it', () => {
    const computed = report({
      chains: scenarioChains(),
      registrations: scenarioRegistrations(),
      crm: scenarioCrm(),
    });

    // P2 is Beta Cloud in its registrations; P3 registered nothing, so only its id is known.
    expect(computed.attribution.differenceDeals.map((deal) => deal.explanation)).toEqual([
      'HubSpot\'s deal_source is "Partner", so the CRO view counts it as partner revenue, but the ledger has partner-influenced only (Beta Cloud, P2 (influenced, registration R3) at close).',
      'The ledger counts it partner-sourced (P3 (sourced) at close) but HubSpot\'s deal_source is "Direct", so the CRO view leaves it out.',
    ]);
  });

  it('is not available, with a DEFINITION_MISMATCH naming the cause, when the property is missing in HubSpot', () => {
    const computed = compute(crmWithCroValues({ O1: null, O3: null, O4: null }, false));

    expect(computed.attribution.croPartnerRevenue).toBeNull();
    expect(computed.attribution.difference).toBeNull();
    expect(computed.scorecard.croPartnerRevenue).toBeNull();
    expect(computed.attribution.croView.unavailableReason).toBe(
      'HubSpot has no deal property "deal_source" (policy definitions.croView.dealProperty)',
    );
    // No deal-by-deal difference without the CRO figure to differ from.
    expect(computed.attribution.differenceDeals).toEqual([]);
    const mismatch = computed.findings.filter((finding) => finding.code === 'DEFINITION_MISMATCH');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]?.evidence).toMatchObject({
      croProperty: 'deal_source',
      cause: 'property missing in HubSpot',
      propertyInPortal: false,
    });
  });

  it('is not available when the property is empty on every deal won in the quarter, saying on how many', () => {
    // Won in Q4 and in HubSpot: O1 (100,000), O3 (50,000), O4 (20,000) = 3 deals, all empty
    const computed = compute(crmWithCroValues({ O1: null, O3: null, O4: null }, true));

    expect(computed.attribution.croPartnerRevenue).toBeNull();
    expect(computed.attribution.croView).toEqual({
      dealProperty: 'deal_source',
      available: false,
      unavailableReason: 'the deal property "deal_source" is empty on 3 of 3 deals won in the quarter',
      wonDeals: 3,
      emptyOnWonDeals: 3,
    });
    expect(
      computed.findings.find((finding) => finding.code === 'DEFINITION_MISMATCH')?.evidence,
    ).toMatchObject({ cause: 'property empty on every won deal', wonDealsWithPropertyEmpty: 3 });
  });

  it('is counted when the property is filled on some won deals: 1 of 3 empty is a figure, not a gap', () => {
    // O1 "Partner" 100,000 counts; O3 empty and O4 "Direct" do not: CRO view 100,000
    // sourced in the ledger: O1 100,000 + O4 20,000 = 120,000; difference 120,000 − 100,000 = 20,000
    const computed = compute(crmWithCroValues({ O3: null }, true));

    expect(computed.attribution.croView).toMatchObject({ available: true, wonDeals: 3, emptyOnWonDeals: 1 });
    expect(computed.attribution.croPartnerRevenue).toBe(100_000);
    expect(computed.attribution.difference).toBe(20_000);
  });

  it('is not available when HubSpot was not read', () => {
    const computed = compute(undefined);

    expect(computed.attribution.croPartnerRevenue).toBeNull();
    expect(computed.attribution.croView.unavailableReason).toBe(
      'HubSpot was not read for this report, so the CRO view cannot be computed',
    );
  });
});
