import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '#domain/business-hours/business-calendar.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import {
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

  it('refuses a schedule the quarter cannot hold', () => {
    expect(() => qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 0, newYork)).toThrow(/whole number ≥ 1/);
    expect(() => qbrCheckMoment(parseFiscalQuarter('2026-Q4'), 80, newYork)).toThrow(/only 6\d working days/);
  });
});
