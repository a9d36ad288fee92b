import { describe, expect, it } from 'vitest';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import {
  conflictLookBackDays,
  decisionAllowanceDays,
  earliestHoldingReceipt,
  registrationLifetimeDays,
} from '#domain/policy/conflict-window.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { validityWindow } from '#domain/policy/registration-validity.ts';

describe('how far back the conflict check reads registrations', () => {
  it('reads back a registration’s whole lifetime under the default policy, more than its own validity covers', () => {
    // prepare
    const { policy } = loadPolicy({});
    // act
    const days = conflictLookBackDays(policy);
    // assess
    expect(decisionAllowanceDays + 90 + 1 * 90).toBeLessThan(registrationLifetimeDays);
    expect(days).toBe(registrationLifetimeDays);
  });

  it('does not shorten with the policy: a registration approved under an earlier, longer validity still holds its customer', () => {
    // prepare: today's policy protects a registration for 30 days; last year's did for 300
    const { policy } = loadPolicy({ validity: { days: 30, maxExtensions: 0 } });
    // act
    const from = earliestHoldingReceipt(policy, '2026-11-24T09:00:00.000Z');
    // assess: one received 200 days ago, approved then for 300 days, is read
    expect(Date.parse(from)).toBeLessThan(Date.parse('2026-11-24T09:00:00.000Z') - 200 * 86_400_000);
    expect(from).toBe(
      new Date(Date.parse('2026-11-24T09:00:00.000Z') - registrationLifetimeDays * 86_400_000).toISOString(),
    );
  });

  it('follows the policy when its time to a decision, validity and extensions reach further', () => {
    // prepare
    const { policy } = loadPolicy({ sla: { maxQuestions: 0 }, validity: { days: 300, maxExtensions: 0 } });
    // act
    const from = earliestHoldingReceipt(policy, '2026-11-24T09:00:00.000Z');
    // assess
    const days = decisionAllowanceDays + 300;
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
