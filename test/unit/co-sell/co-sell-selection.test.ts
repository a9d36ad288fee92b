import { describe, expect, it } from 'vitest';
import { coSellSelection } from '#domain/co-sell/co-sell-selection.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { policyProblems } from '#test/support/policy-problems.ts';

const details = (
  cloudMarketplace: 'aws' | 'azure' | 'gcp' | 'none',
  amount: { minorUnits: number; currency: string },
  campaignId?: string,
) => ({ cloudMarketplace, estimatedAmount: amount, campaignId });

const policyWith = (coSell: Record<string, unknown>) =>
  loadPolicy({ coSell: { solutions: ['S-0000001'], ...coSell } }).policy.coSell;

describe('the coSell section of the policy', () => {
  it('is off by default, shares AWS-marketplace registrations sourced or referred, in the Sandbox catalog', () => {
    expect(loadPolicy('{}').policy.coSell).toEqual({
      enabled: false,
      marketplaces: ['aws'],
      minAmountUsd: 0,
      relationshipTypes: ['sourced', 'referral'],
      catalog: 'Sandbox',
      submitToAws: true,
      involvement: 'Co-Sell',
      fundingCampaigns: {},
      actionRequiredSlaHours: 72,
      solutions: [],
    });
  });

  it('names what is wrong in plain words', () => {
    expect(
      policyProblems({
        coSell: {
          enabled: 'yes',
          catalog: 'Production',
          marketplaces: [],
          fundingCampaigns: { 'cmp-1': { name: 'Webinar', awsFundingUsed: 'maybe', channels: ['Fax'] } },
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/coSell\.enabled.*true or false.*"yes"/),
        expect.stringMatching(/coSell\.catalog.*"Production"/),
        expect.stringMatching(/coSell\.marketplaces.*at least one cloud marketplace/),
        expect.stringMatching(/coSell\.fundingCampaigns\.cmp-1\.awsFundingUsed/),
        expect.stringMatching(/coSell\.fundingCampaigns\.cmp-1\.channels\[0\].*"Fax"/),
      ]),
    );
  });
});

describe('coSellSelection', () => {
  const usd = (dollars: number) => ({ minorUnits: dollars * 100, currency: 'USD' });

  it('shares nothing while co-sell is off', () => {
    const selection = coSellSelection(
      policyWith({}),
      { details: details('aws', usd(50_000)), relationshipType: 'sourced' },
      {},
    );
    expect(selection).toEqual({ share: false, reason: expect.stringMatching(/coSell\.enabled/) });
  });

  it('shares a sourced AWS-marketplace registration, and not one on another marketplace or relationship', () => {
    const policy = policyWith({ enabled: true });
    expect(
      coSellSelection(policy, { details: details('aws', usd(50_000)), relationshipType: 'sourced' }, {}),
    ).toEqual({
      share: true,
      campaign: undefined,
    });
    expect(
      coSellSelection(policy, { details: details('none', usd(50_000)), relationshipType: 'sourced' }, {}),
    ).toEqual({
      share: false,
      reason: expect.stringMatching(/cloud marketplace none.*coSell\.marketplaces: aws/),
    });
    expect(
      coSellSelection(policy, { details: details('aws', usd(50_000)), relationshipType: 'influenced' }, {}),
    ).toEqual({ share: false, reason: expect.stringMatching(/influenced.*coSell\.relationshipTypes/) });
  });

  it('compares the amount in USD at the configured rate with the minimum', () => {
    const policy = policyWith({ enabled: true, minAmountUsd: 10_000 });
    const eur = (euros: number) => ({ minorUnits: euros * 100, currency: 'EUR' });
    const rates = { EUR: '1.10' };
    expect(
      coSellSelection(policy, { details: details('aws', eur(9_000)), relationshipType: 'sourced' }, rates)
        .share,
    ).toBe(false);
    expect(
      coSellSelection(policy, { details: details('aws', eur(9_100)), relationshipType: 'sourced' }, rates)
        .share,
    ).toBe(true);
    expect(
      coSellSelection(policy, { details: details('aws', eur(20_000)), relationshipType: 'sourced' }, {}),
    ).toEqual({
      share: false,
      reason: expect.stringMatching(/no USD rate is configured for EUR/),
    });
  });

  it("describes the registration's campaign as the policy does", () => {
    const policy = policyWith({
      enabled: true,
      fundingCampaigns: {
        'cmp-aws-q1': { name: 'Q1 migration webinars', awsFundingUsed: 'Yes', channels: ['Virtual Event'] },
      },
    });
    expect(
      coSellSelection(
        policy,
        { details: details('aws', usd(1), 'cmp-aws-q1'), relationshipType: 'referral' },
        {},
      ),
    ).toEqual({
      share: true,
      campaign: {
        campaignId: 'cmp-aws-q1',
        name: 'Q1 migration webinars',
        awsFunded: true,
        channels: ['Virtual Event'],
      },
    });
    // A campaign the policy does not describe is not claimed as AWS-funded.
    expect(
      coSellSelection(
        policy,
        { details: details('aws', usd(1), 'cmp-other'), relationshipType: 'sourced' },
        {},
      ),
    ).toEqual({ share: true, campaign: undefined });
  });
});
