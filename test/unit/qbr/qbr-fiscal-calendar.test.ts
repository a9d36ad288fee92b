import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BusinessCalendar, weekdays } from '#domain/business-hours/business-calendar.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import {
  fewestWorkingDaysInAQuarter,
  isQuarterClosed,
  lastInstantOf,
  nextQbrCheck,
  qbrCheckMoment,
  quarterContaining,
  shiftQuarter,
} from '#domain/qbr/fiscal-calendar.ts';

const newYork: BusinessCalendar = {
  timeZone: 'America/New_York',
  workingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  workingHours: { start: '09:00', end: '17:00' },
  holidays: ['2026-12-24', '2026-12-25'],
};

describe('fiscal calendar', () => {
  it('finds the quarter containing a moment, for calendar and shifted fiscal years', () => {
    expect(quarterContaining(new Date('2026-11-15T12:00:00Z')).label).toBe('2026-Q4');
    // A fiscal year starting in February: FY2027 runs Feb 2026 – Jan 2027, so November is its Q4.
    const shifted = quarterContaining(new Date('2026-11-15T12:00:00Z'), 2);
    expect(shifted.label).toBe('2027-Q4');
    expect(shifted.months).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(quarterContaining(new Date('2027-01-31T23:59:59Z'), 2).label).toBe('2027-Q4');
    expect(quarterContaining(new Date('2027-02-01T00:00:00Z'), 2).label).toBe('2028-Q1');
  });

  it('steps between quarters across year ends', () => {
    expect(shiftQuarter('2026-Q1', -1).label).toBe('2025-Q4');
    expect(shiftQuarter('2026-Q4', 1).label).toBe('2027-Q1');
    expect(shiftQuarter('2026-Q2', 0, 4).start).toBe(parseFiscalQuarter('2026-Q2', 4).start);
  });

  it('knows when a quarter is closed and its last instant', () => {
    const q4 = parseFiscalQuarter('2026-Q4');
    expect(lastInstantOf(q4)).toBe('2026-12-31T23:59:59.999Z');
    expect(isQuarterClosed(q4, new Date('2026-12-31T23:59:59.999Z'))).toBe(false);
    expect(isQuarterClosed(q4, new Date('2027-01-01T00:00:00Z'))).toBe(true);
  });

  it('schedules the check N working days before the quarter ends, skipping weekends and holidays', () => {
    // Back from Thu 31 Dec: 31, 30, 29, 28 (4), Fri 25 and Thu 24 are holidays, 23, 22, 21 (7),
    // 18, 17, 16 (10) → Wed 16 Dec at 09:00 EST = 14:00 UTC
    expect(qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 10, newYork).toISOString()).toBe(
      '2026-12-16T14:00:00.000Z',
    );
    // Without the holidays the tenth working day back is Fri 18 Dec.
    expect(
      qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 10, { ...newYork, holidays: [] }).toISOString(),
    ).toBe('2026-12-18T14:00:00.000Z');
    // 2027-Q1 ends Wed 31 Mar; 31, 30, 29, 26, 25, 24, 23, 22, 19, 18 → Thu 18 Mar 09:00 EDT (after
    // the 14 Mar clock change) = 13:00 UTC
    expect(qbrCheckMoment(parseFiscalQuarter('2027-Q1'), 10, newYork).toISOString()).toBe(
      '2027-03-18T13:00:00.000Z',
    );
  });

  it('names the next check after a moment', () => {
    const next = nextQbrCheck(new Date('2026-12-17T00:00:00Z'), 10, newYork);
    expect(next.quarter.label).toBe('2027-Q1');
    expect(next.runAt.toISOString()).toBe('2027-03-18T13:00:00.000Z');
    expect(nextQbrCheck(new Date('2026-12-01T00:00:00Z'), 10, newYork).quarter.label).toBe('2026-Q4');
  });

  it('cuts quarters at midnight in the calendar’s time zone, not in UTC', () => {
    // New York is UTC−4 until 1 Nov 2026 (EDT) and UTC−5 after (EST): Q4 2026 runs from
    // 1 Oct 00:00 EDT = 04:00Z to 1 Jan 2027 00:00 EST = 05:00Z.
    expect(parseFiscalQuarter('2026-Q4', 1, 'America/New_York')).toMatchObject({
      start: '2026-10-01T04:00:00.000Z',
      end: '2027-01-01T05:00:00.000Z',
      timeZone: 'America/New_York',
    });
    // A deal won at 21:00 on 31 Dec in New York (2027-01-01T02:00Z) is Q4 there, as HubSpot counts it.
    expect(quarterContaining(new Date('2027-01-01T02:00:00Z'), 1, 'America/New_York').label).toBe('2026-Q4');
    expect(quarterContaining(new Date('2027-01-01T05:00:00Z'), 1, 'America/New_York').label).toBe('2027-Q1');
    // A fiscal year from February: 21:00 on 31 Jan 2027 in New York (2027-02-01T02:00Z) is still
    // the last day of FY2027 (Feb 2026 – Jan 2027), so its Q4.
    expect(quarterContaining(new Date('2027-02-01T02:00:00Z'), 2, 'America/New_York').label).toBe('2027-Q4');
    // Tokyo (UTC+9, no daylight saving): Q4 2026 starts 30 Sep 15:00Z and ends 31 Dec 15:00Z.
    expect(shiftQuarter('2026-Q3', 1, 1, 'Asia/Tokyo')).toMatchObject({
      start: '2026-09-30T15:00:00.000Z',
      end: '2026-12-31T15:00:00.000Z',
    });
    expect(lastInstantOf(parseFiscalQuarter('2026-Q4', 1, 'Asia/Tokyo'))).toBe('2026-12-31T14:59:59.999Z');
    expect(() => parseFiscalQuarter('2026-Q4', 1, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });

  it('schedules the check on the quarter’s last days in a zone ahead of UTC', () => {
    // Tokyo, 09:00–17:00 Monday to Friday: the last working day of Q4 2026 is Thu 31 Dec, whose
    // 09:00 JST is 00:00Z the same day (not Wed 30 Dec, the UTC date of the quarter's end minus a day).
    const tokyo: BusinessCalendar = { ...newYork, timeZone: 'Asia/Tokyo', holidays: [] };
    expect(qbrCheckMoment(parseFiscalQuarter('2026-Q4', 1, 'Asia/Tokyo'), 1, tokyo).toISOString()).toBe(
      '2026-12-31T00:00:00.000Z',
    );
  });

  it('refuses a schedule the quarter cannot hold', () => {
    expect(() => qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 0, newYork)).toThrow(/whole number ≥ 1/);
    expect(() => qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 80, newYork)).toThrow(/only 6\d working days/);
  });

  it('finds the fewest working days of any fiscal quarter: every quarter has its check that far back, the one named no further', () => {
    const isoDate = fc
      .integer({ min: Date.UTC(2026, 0, 1) / 86_400_000, max: Date.UTC(2031, 11, 31) / 86_400_000 })
      .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.subarray([...weekdays], { minLength: 1 }),
        fc.uniqueArray(isoDate, { maxLength: 30 }),
        fc.integer({ min: 1, max: 12 }),
        (workingDays, holidays, fiscalYearStartMonth) => {
          const calendar: BusinessCalendar = { ...newYork, timeZone: 'Asia/Tokyo', workingDays, holidays };
          const fewest = fewestWorkingDaysInAQuarter(calendar, fiscalYearStartMonth);
          for (let year = 2026; year <= 2033; year += 1) {
            for (let quarter = 1; quarter <= 4; quarter += 1) {
              const fiscal = parseFiscalQuarter(
                `${year}-Q${quarter}`,
                fiscalYearStartMonth,
                calendar.timeZone,
              );
              if (fewest.workingDays > 0) qbrCheckMoment(fiscal, fewest.workingDays, calendar);
            }
          }
          const named = parseFiscalQuarter(fewest.quarter, fiscalYearStartMonth, calendar.timeZone);
          expect(() => qbrCheckMoment(named, fewest.workingDays + 1, calendar)).toThrow(
            `has only ${fewest.workingDays} working days`,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
