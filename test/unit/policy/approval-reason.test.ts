import { describe, expect, it } from 'vitest';
import { relationshipOptions, whyApprovalIsNeeded } from '#domain/policy/approval-reason.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { directActivityVerdict } from '#test/unit/approvals/approval-fixtures.ts';

const { policy } = loadPolicy({});
const clear = directActivityVerdict({ outcome: 'clear', ruleId: 'no-conflict', evidence: [] });

describe('what an approver may choose and why they are asked', () => {
  it('prices every relationship type the policy prices at the registered amount', () => {
    const options = relationshipOptions(policy, 10_000_000);

    expect(options.map((o) => o.relationshipType)).toEqual(['sourced', 'influenced', 'resell', 'referral']);
    expect(options[2]).toEqual({
      relationshipType: 'resell',
      label: 'Resell',
      summary:
        'Resell: the partner earns a 25% margin (USD 25,000.00); the direct rep is credited 100% (USD 100,000.00).',
    });
  });

  it('names the auto-approve rule when the conflict check is clear but the amount is too large', () => {
    expect(
      whyApprovalIsNeeded(policy, {
        verdict: clear,
        amountUsdMinor: 12_000_000,
        level: 1,
        purpose: 'registration',
      }),
    ).toBe(
      'The conflict check is clear, but the amount (USD 120,000.00) is not below the auto-approve limit of USD 25,000.00 (policy rule thresholds.autoApproveBelowUsd).',
    );
  });

  it('names the second-level rule for the second approval of a large deal', () => {
    expect(
      whyApprovalIsNeeded(policy, {
        verdict: clear,
        amountUsdMinor: 30_000_000,
        level: 2,
        purpose: 'registration',
      }),
    ).toContain('policy rule thresholds.secondLevelApprovalFromUsd');
  });

  it('names the conflict rule when the check asks for review, and the extension rule for extensions', () => {
    const review = directActivityVerdict();

    expect(
      whyApprovalIsNeeded(policy, {
        verdict: review,
        amountUsdMinor: 100,
        level: 1,
        purpose: 'registration',
      }),
    ).toContain('under rule direct-activity');
    expect(
      whyApprovalIsNeeded(policy, { verdict: review, amountUsdMinor: 100, level: 1, purpose: 'extension' }),
    ).toContain('validity.maxExtensions');
  });
});
