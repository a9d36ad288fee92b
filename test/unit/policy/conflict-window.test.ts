import { describe, expect, it } from 'vitest';
import {
  conflictLookBackDays,
  decisionAllowanceDays,
  earliestHoldingReceipt,
} from '#domain/policy/conflict-window.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';

describe('how far back the conflict check reads registrations', () => {
  it('covers the time to a decision, the validity window and every extension the policy allows', () => {
    // prepare
    const { policy } = loadPolicy({});
    // act
    const days = conflictLookBackDays(policy);
    // assess
    expect(days).toBe(decisionAllowanceDays + 90 + 1 * 90);
  });

  it('follows the policy: longer validity and more extensions reach further back', () => {
    // prepare
    const { policy } = loadPolicy({ validity: { days: 120, maxExtensions: 2, extensionDays: 30 } });
    // act
    const from = earliestHoldingReceipt(policy, '2026-11-24T09:00:00.000Z');
    // assess
    const days = decisionAllowanceDays + 120 + 2 * 30;
    expect(from).toBe(new Date(Date.parse('2026-11-24T09:00:00.000Z') - days * 86_400_000).toISOString());
  });
});
