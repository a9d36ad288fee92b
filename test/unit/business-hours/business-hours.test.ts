import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '#domain/business-hours/business-calendar.ts';
import {
  addBusinessHours,
  businessHoursBetween,
  isBusinessTime,
} from '#domain/business-hours/business-hours.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';

const weekdaysOnly = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

const newYork: BusinessCalendar = {
  timeZone: 'America/New_York',
  workingDays: weekdaysOnly,
  workingHours: { start: '09:00', end: '17:00' },
  holidays: ['2026-11-26'],
};

const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingDays: weekdaysOnly,
  workingHours: { start: '08:30', end: '17:30' },
  holidays: ['2026-12-24', '2026-12-25'],
};

/** Every hour of every day counts: isolates what a DST night does to elapsed time. */
const berlinAroundTheClock: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
  workingHours: { start: '00:00', end: '24:00' },
  holidays: [],
};

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('addBusinessHours', () => {
  it('stops the clock over the weekend', () => {
    // Friday 15:00 EST + 4 business hours: 2 on Friday, 2 on Monday.
    expect(iso(addBusinessHours(at('2026-11-06T20:00:00Z'), 4, newYork))).toBe('2026-11-09T16:00:00.000Z');
  });

  it('starts counting at the next opening when started outside working hours', () => {
    // Monday 07:00 EST + 1 → Monday 10:00 EST; Saturday noon + 1 → Monday 10:00 EST.
    expect(iso(addBusinessHours(at('2026-11-09T12:00:00Z'), 1, newYork))).toBe('2026-11-09T15:00:00.000Z');
    expect(iso(addBusinessHours(at('2026-11-07T17:00:00Z'), 1, newYork))).toBe('2026-11-09T15:00:00.000Z');
  });

  it('skips holidays', () => {
    // Wednesday 25 November 16:00 EST + 2: 1 on Wednesday, Thanksgiving skipped, 1 on Friday.
    expect(iso(addBusinessHours(at('2026-11-25T21:00:00Z'), 2, newYork))).toBe('2026-11-27T15:00:00.000Z');
    // Berlin: Wednesday 23 December 17:00 + 1 → Christmas Eve and Day skipped → Monday 28 December 09:00.
    expect(iso(addBusinessHours(at('2026-12-23T16:00:00Z'), 1, berlin))).toBe('2026-12-28T08:00:00.000Z');
  });

  it('lands on closing time when the hours use up the day exactly', () => {
    expect(iso(addBusinessHours(at('2026-11-09T14:00:00Z'), 8, newYork))).toBe('2026-11-09T22:00:00.000Z');
  });

  it('returns the start unchanged for zero hours', () => {
    expect(iso(addBusinessHours(at('2026-11-07T17:00:00Z'), 0, newYork))).toBe('2026-11-07T17:00:00.000Z');
  });

  it('keeps 09:00 local opening across the New York spring-forward weekend', () => {
    // Friday 6 March 16:00 EST (UTC-5) + 2 → Monday 9 March 10:00 EDT (UTC-4) = 14:00Z.
    expect(iso(addBusinessHours(at('2026-03-06T21:00:00Z'), 2, newYork))).toBe('2026-03-09T14:00:00.000Z');
  });

  it('keeps 09:00 local opening across the New York fall-back weekend', () => {
    // Friday 30 October 16:00 EDT (UTC-4) + 2 → Monday 2 November 10:00 EST (UTC-5) = 15:00Z.
    expect(iso(addBusinessHours(at('2026-10-30T20:00:00Z'), 2, newYork))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('keeps 08:30 local opening across both Berlin changes', () => {
    // Friday 27 March 17:00 CET + 1 → Monday 30 March 09:00 CEST = 07:00Z.
    expect(iso(addBusinessHours(at('2026-03-27T16:00:00Z'), 1, berlin))).toBe('2026-03-30T07:00:00.000Z');
    // Friday 23 October 17:00 CEST + 1 → Monday 26 October 09:00 CET = 08:00Z.
    expect(iso(addBusinessHours(at('2026-10-23T15:00:00Z'), 1, berlin))).toBe('2026-10-26T08:00:00.000Z');
  });

  it('counts real elapsed hours through the night the clocks change', () => {
    // Sunday 29 March has 23 hours in Berlin, Sunday 25 October 25.
    expect(iso(addBusinessHours(at('2026-03-28T23:00:00Z'), 24, berlinAroundTheClock))).toBe(
      '2026-03-29T23:00:00.000Z',
    );
    expect(iso(addBusinessHours(at('2026-10-24T22:00:00Z'), 24, berlinAroundTheClock))).toBe(
      '2026-10-25T22:00:00.000Z',
    );
  });

  it('refuses negative hours and unknown time zones', () => {
    expect(() => addBusinessHours(at('2026-11-09T14:00:00Z'), -1, newYork)).toThrow(/zero or more, got -1/);
    expect(() =>
      addBusinessHours(at('2026-11-09T14:00:00Z'), 1, { ...newYork, timeZone: 'Mars/Olympus' }),
    ).toThrow(/"Mars\/Olympus" is not an IANA time zone/);
  });
});

describe('businessHoursBetween', () => {
  it('counts only working hours over a weekend, and negatively backwards', () => {
    expect(businessHoursBetween(at('2026-11-06T20:00:00Z'), at('2026-11-09T16:00:00Z'), newYork)).toBe(4);
    expect(businessHoursBetween(at('2026-11-09T16:00:00Z'), at('2026-11-06T20:00:00Z'), newYork)).toBe(-4);
  });

  it('counts a full week without the holiday', () => {
    // Monday 23 November 00:00 EST to Monday 30 November 00:00 EST: four working days.
    expect(businessHoursBetween(at('2026-11-23T05:00:00Z'), at('2026-11-30T05:00:00Z'), newYork)).toBe(32);
  });

  it('counts 23 and 25 hour days in Berlin when clocks change', () => {
    expect(
      businessHoursBetween(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), berlinAroundTheClock),
    ).toBe(23);
    expect(
      businessHoursBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), berlinAroundTheClock),
    ).toBe(25);
  });

  it('counts working hours that span the change as real time', () => {
    const sundayNights: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      workingDays: ['sunday'],
      workingHours: { start: '01:00', end: '05:00' },
      holidays: [],
    };
    expect(businessHoursBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'), sundayNights)).toBe(
      3,
    );
    expect(businessHoursBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'), sundayNights)).toBe(
      5,
    );
  });
});

describe('isBusinessTime', () => {
  it('is true inside working hours only', () => {
    expect(isBusinessTime(at('2026-11-09T15:00:00Z'), newYork)).toBe(true);
    expect(isBusinessTime(at('2026-11-09T22:00:00Z'), newYork)).toBe(false);
    expect(isBusinessTime(at('2026-11-26T15:00:00Z'), newYork)).toBe(false);
    expect(isBusinessTime(at('2026-11-07T15:00:00Z'), newYork)).toBe(false);
  });
});

describe('formatDeadline', () => {
  it("shows the deadline in the approver's own time zone, named", () => {
    const deadline = at('2026-11-09T16:00:00Z');
    expect(formatDeadline(deadline, 'America/New_York')).toBe(
      'Monday 9 November 2026, 11:00 EST (America/New_York)',
    );
    expect(formatDeadline(deadline, 'Europe/Berlin')).toBe(
      'Monday 9 November 2026, 17:00 GMT+1 (Europe/Berlin)',
    );
    expect(formatDeadline(at('2026-07-01T16:00:00Z'), 'Europe/Berlin')).toBe(
      'Wednesday 1 July 2026, 18:00 GMT+2 (Europe/Berlin)',
    );
  });
});

describe('business-hours arithmetic properties', () => {
  const start = fc.date({
    min: new Date('2026-01-01T00:00:00Z'),
    max: new Date('2027-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  const minutes = fc.integer({ min: 0, max: 200 * 60 });
  const calendar = fc.constantFrom(newYork, berlin, berlinAroundTheClock);

  it('adding h1 then h2 business hours equals adding h1 + h2', () => {
    fc.assert(
      fc.property(start, minutes, minutes, calendar, (s, m1, m2, cal) => {
        const stepwise = addBusinessHours(addBusinessHours(s, m1 / 60, cal), m2 / 60, cal);
        const atOnce = addBusinessHours(s, (m1 + m2) / 60, cal);
        expect(stepwise.getTime()).toBe(atOnce.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('the business hours between a start and start + h are h', () => {
    fc.assert(
      fc.property(start, minutes, calendar, (s, m, cal) => {
        const end = addBusinessHours(s, m / 60, cal);
        expect(end.getTime()).toBeGreaterThanOrEqual(s.getTime());
        expect(businessHoursBetween(s, end, cal)).toBeCloseTo(m / 60, 9);
      }),
      { numRuns: 300 },
    );
  });
});
