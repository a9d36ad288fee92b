import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { nextScheduledStart, qbrCheckMoment } from '#domain/qbr/fiscal-calendar.ts';
import { createQbrDueCheck } from '#use-cases/qbr-delivery/due-check.ts';

const everyDay = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * The deployed schedule starts the workflow every day at the opening of working hours in the
 * calendar's zone. EventBridge Scheduler skips a day whose time the clocks spring forward over and
 * fires once on a day they fall back over ("Schedule types in EventBridge Scheduler", Daylight
 * saving time). Driving the due check as Scheduler does, every quarter must be checked exactly
 * once, at the moment `qbrCheckMoment` (what `dealreg qbr due` says) gives.
 */
const calendars = {
  'New York, fiscal year from February': {
    calendar: { timeZone: 'America/New_York' },
    reporting: { fiscalYearStartMonth: 2 },
  },
  'Sydney, opening at 02:30, fiscal year from July': {
    calendar: { timeZone: 'Australia/Sydney', workingHours: { start: '02:30', end: '17:00' } },
    reporting: { fiscalYearStartMonth: 7 },
  },
  'Riyadh, Sunday to Thursday, fiscal year from April': {
    calendar: {
      timeZone: 'Asia/Riyadh',
      workingDays: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday'],
    },
    reporting: { fiscalYearStartMonth: 4 },
  },
  // Britain springs forward at 01:00 on Sunday 29 March 2026, the third day from the end of Q1.
  'London, every day from 01:30, the check day the day clocks spring forward over the opening': {
    calendar: {
      timeZone: 'Europe/London',
      workingDays: everyDay,
      workingHours: { start: '01:30', end: '24:00' },
    },
    reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 3 },
  },
  // Chile springs forward at midnight, on Sunday 6 September 2026: that day has no 00:00.
  'Santiago, every day from midnight, the check day the day clocks spring forward': {
    calendar: {
      timeZone: 'America/Santiago',
      workingDays: everyDay,
      workingHours: { start: '00:00', end: '24:00' },
    },
    reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 25 },
  },
};

describe('the pre-QBR check days, as the daily schedule starts the due check', () => {
  it.each(Object.entries(calendars))(
    '%s: each quarter is checked once, when qbr due says',
    async (_name, document) => {
      const policy = loadPolicy(document);
      const { calendar, reporting } = policy.policy;
      const [hour, minute] = calendar.workingHours.start.split(':').map(Number);
      const from = DateTime.fromISO('2026-01-01', { zone: calendar.timeZone });
      const until = from.plus({ years: 2 });

      const checked: string[] = [];
      for (let day = from; day < until; day = day.plus({ days: 1 })) {
        const fires = day.set({ hour, minute });
        // A wall-clock time the clocks skip does not exist: Scheduler does not fire that day.
        if (fires.hour !== hour || fires.minute !== minute) continue;
        const now = new Date(fires.toMillis() + 30_000);
        const result = await createQbrDueCheck({ policy, now: () => now })({});
        if (result.due) checked.push(`${result.quarter} ${fires.toISO()}`);
      }

      const expected: string[] = [];
      for (let year = 2026; year <= 2029; year += 1) {
        for (let quarter = 1; quarter <= 4; quarter += 1) {
          const label = `${year}-Q${quarter}`;
          const fiscal = parseFiscalQuarter(label, reporting.fiscalYearStartMonth, calendar.timeZone);
          const runAt = DateTime.fromJSDate(
            qbrCheckMoment(fiscal, reporting.qbrCheckBusinessDaysBeforeQuarterEnd, calendar),
            { zone: calendar.timeZone },
          );
          if (runAt >= from && runAt < until) expected.push(`${label} ${runAt.toISO()}`);
        }
      }
      expect(checked).toEqual(expected.sort());
    },
  );

  it('names the next day’s opening when the clocks spring forward over the check day’s', () => {
    const { calendar } = loadPolicy(
      calendars['London, every day from 01:30, the check day the day clocks spring forward over the opening'],
    ).policy;
    // Sunday 29 March 2026 has no 01:30 in London: Monday 30 March at 01:30 BST.
    expect(qbrCheckMoment(parseFiscalQuarter('2026-Q1', 1, 'Europe/London'), 3, calendar).toISOString()).toBe(
      '2026-03-30T00:30:00.000Z',
    );
  });

  it('fires the daily schedule as Scheduler does: not on a day the clocks skip its time, once on a day they repeat it', () => {
    const { calendar } = loadPolicy(
      calendars['London, every day from 01:30, the check day the day clocks spring forward over the opening'],
    ).policy;
    const nextStart = (iso: string) => nextScheduledStart(new Date(iso), calendar).toISOString();
    expect(nextStart('2026-03-27T12:00:00.000Z')).toBe('2026-03-28T01:30:00.000Z');
    // Sunday 29 March has no 01:30: the next start is Monday's, at 01:30 BST.
    expect(nextStart('2026-03-28T01:30:00.000Z')).toBe('2026-03-30T00:30:00.000Z');
    // Sunday 25 October has 01:30 twice (BST, then GMT): it fires at the first, and not again.
    expect(nextStart('2026-10-24T12:00:00.000Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(nextStart('2026-10-25T00:30:00.000Z')).toBe('2026-10-26T01:30:00.000Z');
  });
});
