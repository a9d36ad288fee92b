import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coSellSelection } from '#domain/co-sell/co-sell-selection.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { defaultPolicyFile } from '#lib/dealreg-app.ts';
import { demoPolicyFile } from '#local/demo.ts';

const demo = loadPolicy(readFileSync(demoPolicyFile, 'utf8'));
const standard = loadPolicy(readFileSync(defaultPolicyFile, 'utf8'));

describe('the demo policy', () => {
  it('is the default policy with co-sell on, influenced deals shared too, in the Sandbox catalog', () => {
    const { coSell: demoCoSell, ...demoRest } = demo.policy;
    const { coSell: defaultCoSell, ...defaultRest } = standard.policy;

    expect(demoRest).toEqual(defaultRest);
    expect(demoCoSell).toEqual({
      ...defaultCoSell,
      enabled: true,
      relationshipTypes: ['sourced', 'influenced', 'referral'],
      // The stand-in's Partner Solution: AWS submits no opportunity without one.
      solutions: ['S-0000001'],
    });
    expect(demoCoSell.catalog).toBe('Sandbox');
    expect(demoCoSell.marketplaces).toEqual(['aws']);
  });

  it("shares Globex, the demo's AWS Marketplace registration approved as influenced, and nothing on other marketplaces", () => {
    const globex = {
      details: {
        cloudMarketplace: 'aws' as const,
        estimatedAmount: { minorUnits: 18_000_000, currency: 'USD' },
        campaignId: 'CMP-AWS-SUMMIT',
      },
      relationshipType: 'influenced' as const,
    };
    const stark = { ...globex, details: { ...globex.details, cloudMarketplace: 'azure' as const } };

    expect(coSellSelection(demo.policy.coSell, globex, {}).share).toBe(true);
    expect(coSellSelection(demo.policy.coSell, stark, {}).share).toBe(false);
    expect(coSellSelection(standard.policy.coSell, globex, {}).share).toBe(false);
  });
});
