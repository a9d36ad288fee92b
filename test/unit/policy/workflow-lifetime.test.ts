import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalDeadlines, resumeDeadlines } from '#domain/policy/approval-deadlines.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import {
  informationResponseDays,
  longestWorkflow,
  MAX_WORKFLOW_DAYS,
} from '#domain/policy/workflow-lifetime.ts';
import { policyProblems } from '#test/support/policy-problems.ts';

const problemsOf = policyProblems;

describe('the longest a registration workflow runs', () => {
  it('counts the default policy by hand', () => {
    // 72 business hours of 8-hour days: 9 days, +1 for a request at the end of a day = 10
    // business days; at 5 working days a week that is 2 weeks = 14 calendar days per level.
    // A registration's level has one question (sla.maxQuestions): 9 + 1 + 3 = 13 working days,
    // 3 weeks, + 1 week for the second run + 10 days for the answer = 38 days.
    // Two levels for the registration, two for its one extension (no questions there):
    // 2 × 38 + 2 × 14 = 104 days.
    // Protection: 90 days of validity + 1 extension of 90 days = 180. In all 284 days.
    expect(longestWorkflow(loadPolicy('{}').policy)).toEqual({
      approvalLevelDays: 38,
      extensionLevelDays: 14,
      approvalDays: 104,
      protectionDays: 180,
      totalDays: 284,
    });
  });

  it('counts every question an approval level may ask, each answered at the last moment', () => {
    // 16 business hours of 8-hour days: 2 days; 2 + 1 + 3 × 2 = 9 working days = 2 weeks, + 2
    // weeks for the runs after each answer, + 2 × 10 days of answers = 48 days a level.
    const { policy } = loadPolicy({
      sla: { reminderHours: 4, escalationHours: 8, finalHours: 16, maxQuestions: 2 },
      validity: { maxExtensions: 0 },
    });
    expect(longestWorkflow(policy)).toMatchObject({ approvalLevelDays: 48, approvalDays: 96 });
  });

  it('bounds the real approval of a level whose questions are asked and answered at the worst times', () => {
    // A Friday 17:00 request with 16 business hours; the approver asks at the last business
    // minute each time and the partner answers at the end of the tenth day, on a Sunday.
    const { policy } = loadPolicy({
      sla: { reminderHours: 4, escalationHours: 8, finalHours: 16, maxQuestions: 2 },
      validity: { maxExtensions: 0 },
    });
    let deadlines = approvalDeadlines(policy, new Date('2026-03-06T22:00:00Z'));
    const requestedAt = deadlines.requestedAt;
    for (let question = 0; question < 2; question += 1) {
      const askedAt = new Date(deadlines.finalAt.getTime() - 60_000);
      const answeredAt = new Date(askedAt.getTime() + informationResponseDays * 86_400_000);
      deadlines = resumeDeadlines(policy, deadlines, askedAt, answeredAt);
    }
    const days = (deadlines.finalAt.getTime() - requestedAt.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(2 * informationResponseDays);
    expect(days).toBeLessThanOrEqual(longestWorkflow(policy).approvalLevelDays);
  });

  it('bounds every level whatever the calendar, whenever the questions are asked and answered', () => {
    const calendars = [
      {},
      {
        timeZone: 'Asia/Riyadh',
        workingDays: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday'],
        holidays: ['2026-03-19', '2026-03-20', '2026-03-22', '2026-05-26', '2026-05-27', '2026-05-28'],
      },
      {
        timeZone: 'Pacific/Chatham',
        workingDays: ['wednesday'],
        workingHours: { start: '22:00', end: '24:00' },
      },
      {
        timeZone: 'America/St_Johns',
        workingHours: { start: '07:30', end: '19:00' },
        holidays: ['2026-12-25', '2026-12-28'],
      },
    ];
    const start = Date.parse('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 330 * 24 * 60 }),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            minLength: 3,
            maxLength: 3,
          },
        ),
        (calendar, finalHours, maxQuestions, minute, questions) => {
          const settings = {
            calendar,
            sla: { reminderHours: finalHours / 4, escalationHours: finalHours / 2, finalHours, maxQuestions },
            validity: { days: 1, expiryWarningDaysBefore: 0, maxExtensions: 0 },
            reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 1 },
          };
          // Only policies validation accepts: the others are refused before they run.
          fc.pre(problemsOf(settings).length === 0);
          const { policy } = loadPolicy(settings);
          const requestedAt = new Date(start + minute * 60_000);
          let deadlines = approvalDeadlines(policy, requestedAt);
          let resumedAt = requestedAt;
          for (const [when, wait] of questions.slice(0, maxQuestions)) {
            // Asked at any moment before the final deadline, answered within the ten days.
            const askedAt = new Date(
              resumedAt.getTime() + when * (deadlines.finalAt.getTime() - resumedAt.getTime()),
            );
            resumedAt = new Date(askedAt.getTime() + wait * informationResponseDays * 86_400_000);
            deadlines = resumeDeadlines(policy, deadlines, askedAt, resumedAt);
          }
          const days = (deadlines.finalAt.getTime() - requestedAt.getTime()) / 86_400_000;
          expect(days).toBeLessThanOrEqual(longestWorkflow(policy).approvalLevelDays);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts the most holidays that ever fall inside one approval window', () => {
    const holidays = ['2026-07-03', '2026-12-24', '2026-12-25', '2027-01-01', '2027-01-15'];
    const { policy } = loadPolicy({
      sla: { maxQuestions: 0 },
      calendar: { holidays },
      validity: { maxExtensions: 0 },
    });

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
    const { policy } = loadPolicy({
      sla: { maxQuestions: 0 },
      calendar: { holidays: ['2027-01-01', '2027-01-10', '2027-01-16'] },
    });

    expect(longestWorkflow(policy).approvalLevelDays).toBe(17);
  });

  it('accepts the default policy', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it('refuses validity that would outlive a workflow, naming the days to stay within', () => {
    // 1 approval: 2 × 38 = 76 days; 340 + 76 = 416 > 360.
    expect(problemsOf({ validity: { days: 340, maxExtensions: 0 } })).toEqual([
      `validity.days makes a registration's workflow run up to 416 days (340 days of validity + up to 76 days of approvals: two levels of up to 38 days with a question to the partner each (sla.maxQuestions), answered after up to 10 days), but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within 284 days, or allow fewer sla.maxQuestions (with 0, 332 days fit)`,
    ]);
    // 2 registration levels of 38 days and 2 extension levels of 14: 104 days; 180 + 180 + 104.
    expect(problemsOf({ validity: { days: 180, extensionDays: 180 } })).toEqual([
      `validity.days makes a registration's workflow run up to 464 days (180 days of validity + 1 extension of 180 days + up to 104 days of approvals: two levels of up to 38 days with a question to the partner each (sla.maxQuestions), answered after up to 10 days, and two of up to 14 days for its extension), but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within 256 days, or allow fewer sla.maxQuestions (with 0, 304 days fit)`,
    ]);
  });

  it('refuses a policy whose questions to the partner could outlive the workflow: each pauses the clock for days', () => {
    // Before questions were counted this policy was taken (332 + 28 = 360 days); one question a
    // level of up to 10 days each would have run the workflow past its year.
    expect(problemsOf({ sla: { maxQuestions: 0 }, validity: { days: 332, maxExtensions: 0 } })).toEqual([]);
    expect(problemsOf({ validity: { days: 332, maxExtensions: 0 } })).toEqual([
      `validity.days makes a registration's workflow run up to 408 days (332 days of validity + up to 76 days of approvals: two levels of up to 38 days with a question to the partner each (sla.maxQuestions), answered after up to 10 days), but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within 284 days, or allow fewer sla.maxQuestions (with 0, 332 days fit)`,
    ]);
    // 800 business hours: 100 + 1 + 15 working days = 24 weeks, + 5 weeks, + 50 days = 253 days
    // a level with 5 questions, 506 for two; without questions 21 weeks, 294 days for two.
    expect(
      problemsOf({
        sla: { reminderHours: 100, escalationHours: 200, finalHours: 800, maxQuestions: 5 },
        validity: { days: 30, maxExtensions: 0 },
      }),
    ).toEqual([
      'sla.maxQuestions makes the approvals alone take up to 506 days (two levels of up to 253 days with 5 questions to the partner each (sla.maxQuestions), answered after up to 10 days), but a workflow ends after one year: allow at most 1 question a level, or shorten sla.finalHours',
    ]);
  });

  it('refuses more questions than it can count, naming the range', () => {
    expect(problemsOf({ sla: { maxQuestions: 6 } })).toEqual([
      'sla.maxQuestions must be a whole number of questions from 0 to 5, got 6',
    ]);
    expect(problemsOf({ sla: { maxQuestions: 1.5 } })).toEqual([
      'sla.maxQuestions must be a whole number of questions from 0 to 5, got 1.5',
    ]);
  });

  it('blames the approval time, not the validity, when approvals alone outlast a workflow', () => {
    // 10,000 business hours of 8-hour days: 1,251 business days, 251 weeks = 1,757 days a level;
    // two levels for the registration and two for its extension: 7,028 days.
    expect(problemsOf({ sla: { reminderHours: 9998, escalationHours: 9999, finalHours: 10_000 } })).toEqual([
      'sla.finalHours makes the approvals alone take up to 7062 days (two levels of up to 1774 days with a question to the partner each (sla.maxQuestions), answered after up to 10 days, and two of up to 1757 days for its extension), but a workflow ends after one year: shorten sla.finalHours, widen calendar.workingHours or calendar.workingDays, or allow fewer validity.maxExtensions or sla.maxQuestions',
    ]);
  });

  it('names the holidays when they, not the SLA, make the approvals outlast the workflow', () => {
    // 400 holidays in a row from 2026-01-01: the default 72 business hours (10 business days, two
    // weeks) take in all of them, 414 days a level; one approval of two levels, no extensions.
    const start = Date.UTC(2026, 0, 1);
    const holidays = Array.from({ length: 400 }, (_, day) =>
      new Date(start + day * 86_400_000).toISOString().slice(0, 10),
    );
    expect(
      problemsOf({ sla: { maxQuestions: 0 }, calendar: { holidays }, validity: { maxExtensions: 0 } }),
    ).toEqual([
      'calendar.holidays puts up to 400 holidays within one approval level, making the approvals alone take up to 828 days (two levels of up to 414 days), but a workflow ends after one year: list fewer holidays close together',
      // Nor can a quarter without a working day hold its pre-QBR check.
      'calendar.holidays leave fiscal quarter 2026-Q1 without a working day, so its pre-QBR check has no day to run on: list only the days the business is closed',
    ]);
  });

  it('accepts the longest validity that fits', () => {
    expect(problemsOf({ validity: { days: 284, maxExtensions: 0 } })).toEqual([]);
    expect(
      longestWorkflow(loadPolicy(JSON.stringify({ validity: { days: 284, maxExtensions: 0 } })).policy)
        .totalDays,
    ).toBe(MAX_WORKFLOW_DAYS);
  });
});
