import { describe, expect, it } from 'vitest';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import {
  conflictLookBackDays,
  decisionAllowanceDays,
  earliestHoldingReceipt,
} from '#domain/policy/conflict-window.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { validityWindow } from '#domain/policy/registration-validity.ts';

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

describe('how far back the conflict check reads registrations, under a long approval SLA', () => {
  it('still reads a registration approved by the SLA default of both levels while it holds the customer', () => {
    // 400 business hours a level (50 working days of 8 hours): each level lasts months.
    const { policy } = loadPolicy({
      sla: { reminderHours: 100, escalationHours: 200, finalHours: 400 },
      validity: { days: 90, maxExtensions: 0 },
    });
    const receivedAt = new Date('2026-01-05T14:00:00.000Z');
    const firstLevel = approvalDeadlines(policy, receivedAt).finalAt;
    const approvedAt = approvalDeadlines(policy, firstLevel).finalAt;
    const { expiresAt } = validityWindow(policy, approvedAt);
    const stillHolding = new Date(expiresAt.getTime() - 60_000).toISOString();

    expect(Date.parse(earliestHoldingReceipt(policy, stillHolding))).toBeLessThanOrEqual(
      receivedAt.getTime(),
    );
  });
});
