import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import {
  isBelowAutoApproveLimit,
  needsSecondLevelApproval,
  regionOf,
  routeApproval,
} from '#domain/policy/approver-routing.ts';
import { compensationFor } from '#domain/policy/compensation.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';

const defaults = loadPolicy({}).policy;
const example = loadPolicy(
  readFileSync(new URL('../../../policy/example-policy.json', import.meta.url), 'utf8'),
).policy;

describe('approval thresholds', () => {
  it('auto-approves only below the limit and needs a second level from 250,000 USD', () => {
    expect(isBelowAutoApproveLimit(defaults, 2_499_999)).toBe(true);
    expect(isBelowAutoApproveLimit(defaults, 2_500_000)).toBe(false);
    expect(needsSecondLevelApproval(defaults, 24_999_999)).toBe(false);
    expect(needsSecondLevelApproval(defaults, 25_000_000)).toBe(true);
  });
});

describe('routeApproval', () => {
  it('uses the fallback chain when no rule matches', () => {
    const route = routeApproval(defaults, {
      customerCountry: 'US',
      cloudMarketplace: 'none',
      amountUsdMinor: 5_000_000,
    });
    expect(route.rule).toBe('fallback');
    expect(route.region).toBe('north-america');
    expect(route.firstLevel.approver).toEqual({
      id: 'channel-manager',
      name: 'Channel Manager',
      email: 'channel-manager@example.com',
      timeZone: 'America/New_York',
    });
    expect(route.firstLevel.escalateTo.id).toBe('partner-director');
    expect(route.secondLevel).toBeUndefined();
  });

  it('takes the first matching rule, in order', () => {
    const aws = routeApproval(example, {
      customerCountry: 'de',
      cloudMarketplace: 'aws',
      amountUsdMinor: 100,
    });
    expect(aws.rule).toBe('AWS Marketplace deals');
    expect(aws.region).toBe('dach');
    expect(aws.firstLevel.approver.id).toBe('alliances-aws');
    const dach = routeApproval(example, {
      customerCountry: 'DE',
      cloudMarketplace: 'azure',
      amountUsdMinor: 100,
    });
    expect(dach.rule).toBe('DACH and EMEA');
    expect(dach.firstLevel.approver.email).toBe('anna.schmidt@northwind.example');
    const unknown = routeApproval(example, { cloudMarketplace: 'gcp', amountUsdMinor: 100 });
    expect(unknown.rule).toBe('fallback');
    expect(unknown.region).toBeUndefined();
  });

  it('matches amount ranges with an inclusive minimum and exclusive maximum', () => {
    const policy = loadPolicy({
      routing: {
        rules: [
          {
            name: 'Mid-size',
            minAmountUsd: 50_000,
            maxAmountUsd: 100_000,
            firstApprover: 'partner-director',
            escalationApprover: 'vp-sales',
            secondLevelApprover: 'vp-sales',
          },
        ],
      },
    }).policy;
    const ruleFor = (amountUsdMinor: number) =>
      routeApproval(policy, { cloudMarketplace: 'none', amountUsdMinor }).rule;
    expect(ruleFor(4_999_999)).toBe('fallback');
    expect(ruleFor(5_000_000)).toBe('Mid-size');
    expect(ruleFor(9_999_999)).toBe('Mid-size');
    expect(ruleFor(10_000_000)).toBe('fallback');
  });

  it('treats an amount without a USD rate as large: a second level, and the rules for large deals', () => {
    const { policy } = loadPolicy({
      approvers: {
        ...defaults.approvers,
        'deal-desk': { name: 'Deal Desk', email: 'deal-desk@example.com', timeZone: 'Europe/Zurich' },
      },
      routing: {
        rules: [
          {
            name: 'Small deals',
            maxAmountUsd: 50_000,
            firstApprover: 'channel-manager',
            escalationApprover: 'partner-director',
            secondLevelApprover: 'vp-sales',
          },
          {
            name: 'Large deals',
            minAmountUsd: 50_000,
            firstApprover: 'deal-desk',
            escalationApprover: 'partner-director',
            secondLevelApprover: 'vp-sales',
          },
        ],
      },
    });
    // 5,000,000 CHF with no CHF rate configured: nothing shows it is small.
    const route = routeApproval(policy, {
      customerCountry: 'CH',
      cloudMarketplace: 'none',
      amountUsdMinor: undefined,
    });
    expect(route.rule).toBe('Large deals');
    expect(route.secondLevel?.approver.id).toBe('vp-sales');
    expect(needsSecondLevelApproval(policy, undefined)).toBe(true);
    expect(isBelowAutoApproveLimit(policy, undefined)).toBe(false);
  });

  it('adds the second level for large deals, escalating to the escalation approver by default', () => {
    const route = routeApproval(defaults, {
      customerCountry: 'US',
      cloudMarketplace: 'none',
      amountUsdMinor: 25_000_000,
    });
    expect(route.secondLevel?.approver.id).toBe('vp-sales');
    expect(route.secondLevel?.escalateTo.id).toBe('partner-director');
  });

  it('maps countries to the regions the policy lists', () => {
    expect(regionOf(example, 'AT')).toBe('dach');
    expect(regionOf(example, 'JP')).toBeUndefined();
  });
});

describe('compensationFor', () => {
  it('states what each relationship means for partner and direct rep', () => {
    expect(compensationFor(defaults, 'sourced', 5_000_000)).toEqual({
      relationshipType: 'sourced',
      label: 'Partner-sourced',
      partner: { kind: 'margin', percent: 20, amountUsdMinor: 1_000_000 },
      directRep: { creditPercent: 50, creditUsdMinor: 2_500_000 },
      summary:
        'Partner-sourced: the partner earns a 20% margin (USD 10,000.00); the direct rep is credited 50% (USD 25,000.00).',
    });
    expect(compensationFor(defaults, 'referral', 5_000_000).summary).toBe(
      'Referral: the partner earns a 10% referral fee (USD 5,000.00); the direct rep is credited 100% (USD 50,000.00).',
    );
  });
});

describe('approvalDeadlines', () => {
  it('puts reminder, escalation and final deadline in business hours of the calendar', () => {
    // Monday 9 November 2026 09:00 EST; 24/48/72 business hours of 8-hour days.
    const deadlines = approvalDeadlines(defaults, new Date('2026-11-09T14:00:00Z'));
    expect(deadlines.reminderAt.toISOString()).toBe('2026-11-11T22:00:00.000Z');
    expect(deadlines.escalationAt.toISOString()).toBe('2026-11-16T22:00:00.000Z');
    expect(deadlines.finalAt.toISOString()).toBe('2026-11-19T22:00:00.000Z');
  });
});
