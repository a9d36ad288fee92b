import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';
import { longestWorkflow, MAX_WORKFLOW_DAYS } from '#domain/policy/workflow-lifetime.ts';

function problemsOf(source: unknown): readonly string[] {
  try {
    loadPolicy(source);
    return [];
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.messages;
    throw error;
  }
}

describe('the longest a registration workflow runs', () => {
  it('counts the default policy by hand', () => {
    // 72 business hours of 8-hour days: 9 days, +1 for a request at the end of a day = 10
    // business days; at 5 working days a week that is 2 weeks = 14 calendar days per level.
    // Two levels for the registration and two for its one extension: 4 × 14 = 56 days.
    // Protection: 90 days of validity + 1 extension of 90 days = 180. In all 236 days.
    expect(longestWorkflow(loadPolicy('{}').policy)).toEqual({
      approvalLevelDays: 14,
      approvalDays: 56,
      protectionDays: 180,
      totalDays: 236,
    });
  });

  it('counts every holiday as falling inside the approval window', () => {
    const { policy } = loadPolicy(
      JSON.stringify({
        calendar: { holidays: ['2026-12-25', '2027-01-01'] },
        validity: { maxExtensions: 0 },
      }),
    );

    // One approval: 2 levels × (14 + 2 holidays) = 32 days; 90 days of validity.
    expect(longestWorkflow(policy)).toMatchObject({
      approvalLevelDays: 16,
      approvalDays: 32,
      totalDays: 122,
    });
  });

  it('accepts the default policy', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it('refuses validity that would outlive a workflow, naming the days to stay within', () => {
    // 1 approval: 2 × 14 = 28 days; 340 + 28 = 368 > 360.
    expect(problemsOf({ validity: { days: 340, maxExtensions: 0 } })).toEqual([
      `validity.days makes a registration's workflow run up to 368 days (340 days of validity + up to 28 days of approvals under sla.finalHours), but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within 332 days`,
    ]);
    // 2 approvals: 56 days; 180 + 180 + 56 = 416.
    expect(problemsOf({ validity: { days: 180, extensionDays: 180 } })).toEqual([
      `validity.days makes a registration's workflow run up to 416 days (180 days of validity + 1 extension of 180 days + up to 56 days of approvals under sla.finalHours), but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within 304 days`,
    ]);
  });

  it('accepts the longest validity that fits', () => {
    expect(problemsOf({ validity: { days: 332, maxExtensions: 0 } })).toEqual([]);
    expect(
      longestWorkflow(loadPolicy(JSON.stringify({ validity: { days: 332, maxExtensions: 0 } })).policy)
        .totalDays,
    ).toBe(MAX_WORKFLOW_DAYS);
  });
});
