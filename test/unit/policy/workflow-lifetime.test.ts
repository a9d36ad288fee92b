import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { longestWorkflow, MAX_WORKFLOW_DAYS } from '#domain/policy/workflow-lifetime.ts';
import { policyProblems } from '#test/support/policy-problems.ts';

const problemsOf = policyProblems;

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

  it('counts the most holidays that ever fall inside one approval window', () => {
    const holidays = ['2026-07-03', '2026-12-24', '2026-12-25', '2027-01-01', '2027-01-15'];
    const { policy } = loadPolicy({ calendar: { holidays }, validity: { maxExtensions: 0 } });

    // 14 days from Dec 24 take in Dec 24, 25 and Jan 1: 17 days, which still end before Jan 15
    // (Dec 24 + 17 days = Jan 10). July 3 stands alone. One approval: 2 levels × 17 = 34 days.
    expect(longestWorkflow(policy)).toMatchObject({
      approvalLevelDays: 17,
      approvalDays: 34,
      totalDays: 124,
    });
  });

  it('takes in a holiday the lengthened window reaches', () => {
    // 14 days from Jan 1 reach Jan 14; Jan 1 and Jan 10 inside make 16 days, which reach Jan 16.
    const { policy } = loadPolicy({ calendar: { holidays: ['2027-01-01', '2027-01-10', '2027-01-16'] } });

    expect(longestWorkflow(policy).approvalLevelDays).toBe(17);
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

  it('blames the approval time, not the validity, when approvals alone outlast a workflow', () => {
    // 10,000 business hours of 8-hour days: 1,251 business days, 251 weeks = 1,757 days a level;
    // two levels for the registration and two for its extension: 7,028 days.
    expect(problemsOf({ sla: { reminderHours: 9998, escalationHours: 9999, finalHours: 10_000 } })).toEqual([
      'sla.finalHours makes the approvals alone take up to 7028 days (2 approvals of two levels, up to 1757 days a level), but a workflow ends after one year: shorten sla.finalHours, widen calendar.workingHours or calendar.workingDays, or allow fewer validity.maxExtensions',
    ]);
  });

  it('names the holidays when they, not the SLA, make the approvals outlast the workflow', () => {
    // 400 holidays in a row from 2026-01-01: the default 72 business hours (10 business days, two
    // weeks) take in all of them, 414 days a level; one approval of two levels, no extensions.
    const start = Date.UTC(2026, 0, 1);
    const holidays = Array.from({ length: 400 }, (_, day) =>
      new Date(start + day * 86_400_000).toISOString().slice(0, 10),
    );
    expect(problemsOf({ calendar: { holidays }, validity: { maxExtensions: 0 } })).toEqual([
      'calendar.holidays puts up to 400 holidays within one approval level, making the approvals alone take up to 828 days (1 approval of two levels, up to 414 days a level), but a workflow ends after one year: list fewer holidays close together',
      // Nor can a quarter without a working day hold its pre-QBR check.
      'calendar.holidays leave fiscal quarter 2026-Q1 without a working day, so its pre-QBR check has no day to run on: list only the days the business is closed',
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
