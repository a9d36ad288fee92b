import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSubmittedAt,
  claimAsSent,
  claimFutureSkewMs,
  earliestClaim,
  latestClaim,
  priorityTime,
  validInstant,
} from '#domain/submission-time.ts';

const receivedAt = new Date('2026-11-24T09:00:05.000Z');
const day = 86_400_000;
const tolerance = 72;

describe('checkSubmittedAt', () => {
  it('accepts an honest claim a few seconds before the receipt', () => {
    expect(checkSubmittedAt(receivedAt.getTime() - 5_000, receivedAt, tolerance)).toEqual({
      accepted: true,
      submittedAt: '2026-11-24T09:00:00.000Z',
    });
  });

  it('accepts a claim as old as the tolerance allows (a webhook HubSpot retried for days)', () => {
    const claim = receivedAt.getTime() - tolerance * 3_600_000;
    expect(checkSubmittedAt(claim, receivedAt, tolerance).accepted).toBe(true);
    expect(checkSubmittedAt(claim - 1, receivedAt, tolerance).accepted).toBe(false);
  });

  it.each([30, 60, 90])('refuses a claim backdated by %i days, naming both times', (days) => {
    const claim = receivedAt.getTime() - days * day;
    const check = checkSubmittedAt(claim, receivedAt, tolerance);
    expect(check).toEqual({
      accepted: false,
      submittedAt: new Date(claim).toISOString(),
      reason: `The submission time ${new Date(claim).toISOString()} is ${days} days before Dealreg received the registration (2026-11-24T09:00:05.000Z), more than the 72 hours allowed. A registration takes its place from when Dealreg receives it: submit the form again.`,
    });
  });

  it('allows five minutes of clock skew after the receipt, and no more', () => {
    expect(checkSubmittedAt(receivedAt.getTime() + claimFutureSkewMs, receivedAt, tolerance).accepted).toBe(
      true,
    );
    const ahead = checkSubmittedAt(receivedAt.getTime() + claimFutureSkewMs + 1, receivedAt, tolerance);
    expect(ahead.accepted).toBe(false);
    expect(ahead.accepted ? '' : ahead.reason).toContain('5 minutes after Dealreg received the registration');
  });

  it.each([
    ['year 10000', Date.UTC(10000, 0, 1), 'is past the year 9999: it is not a date'],
    ['8.64e15 + 1, past the range of dates', 8.64e15 + 1, 'is past the year 9999'],
    ['the largest date', 8.64e15, 'is past the year 9999'],
    ['a negative number', -1, 'is before the year 2000'],
    ['seconds instead of milliseconds', 1_764_000_000, 'not seconds'],
    ['a fraction', 1_764_000_000_000.5, 'must be a whole number of milliseconds, got 1764000000000.5'],
    ['text', 'yesterday', 'must be a number of milliseconds since 1970, got "yesterday"'],
    [
      'a number kept as text because DynamoDB cannot hold it',
      '1e+300',
      'The submission time 1e+300 is past the year 9999',
    ],
    ['null', null, 'carries no submission time'],
    ['nothing', undefined, 'carries no submission time'],
    ['a list', [1, 2], 'got [1,2]'],
    ['far future', Date.UTC(2999, 0, 1), 'days after Dealreg received the registration'],
  ])('refuses %s with a reason', (_case, claim, reason) => {
    const check = checkSubmittedAt(claim, receivedAt, tolerance);
    expect(check.accepted).toBe(false);
    expect(check.accepted ? '' : check.reason).toContain(reason);
  });

  it('never throws, and accepts exactly the whole-millisecond claims within the window', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.double(),
          fc.integer({ min: -9e15, max: 9e15 }),
          fc.integer({ min: receivedAt.getTime() - 4 * day, max: receivedAt.getTime() + day }),
          fc.integer({ min: receivedAt.getTime() - 4 * day, max: receivedAt.getTime() + day }).map(String),
        ),
        fc.integer({ min: 1, max: 720 }),
        (claim, hours) => {
          const check = checkSubmittedAt(claim, receivedAt, hours);
          // Digits are milliseconds as text; other text that starts like a number is left to the cases above.
          if (typeof claim === 'string' && !/^\d+$/.test(claim)) {
            if (!/^-?\d/.test(claim)) expect(check.accepted).toBe(false);
            return;
          }
          const ms = typeof claim === 'string' ? Number(claim) : claim;
          const inWindow =
            typeof ms === 'number' &&
            Number.isInteger(ms) &&
            ms >= receivedAt.getTime() - hours * 3_600_000 &&
            ms <= receivedAt.getTime() + claimFutureSkewMs;
          expect(check.accepted).toBe(inWindow);
          if (check.submittedAt !== undefined) {
            expect(validInstant(check.submittedAt)).toBe(check.submittedAt);
            expect(Date.parse(check.submittedAt)).toBe(ms);
          }
          if (!check.accepted) expect(check.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("reads the time written as digits, as HubSpot's submit API takes it", () => {
    expect(checkSubmittedAt(String(receivedAt.getTime() - 5_000), receivedAt, tolerance)).toEqual({
      accepted: true,
      submittedAt: '2026-11-24T09:00:00.000Z',
    });
    expect(checkSubmittedAt(' 1764000000000', receivedAt, tolerance).accepted).toBe(false);
  });

  it('reads every whole-millisecond claim from 2000 to 9999 as an instant it can store', () => {
    fc.assert(
      fc.property(fc.integer({ min: earliestClaim, max: latestClaim }), (claim) => {
        const check = checkSubmittedAt(claim, receivedAt, tolerance);
        expect(check.submittedAt).toBe(new Date(claim).toISOString());
        expect(check.submittedAt).toMatch(/^\d{4}-/);
      }),
    );
  });
});

describe('claimAsSent', () => {
  it('keeps whole milliseconds and text, and writes anything else as JSON text', () => {
    expect(claimAsSent(1_764_000_000_000)).toBe(1_764_000_000_000);
    expect(claimAsSent(8.64e15 + 1)).toBe(8.64e15 + 1);
    expect(claimAsSent('yesterday')).toBe('yesterday');
    expect(claimAsSent(1e300)).toBe('1e+300');
    expect(claimAsSent(null)).toBe('null');
    expect(claimAsSent({ at: 1 })).toBe('{"at":1}');
    expect(claimAsSent(undefined)).toBeUndefined();
    expect(claimAsSent('x'.repeat(500))).toHaveLength(100);
  });

  it('gives a value DynamoDB stores, and the same value again when applied twice', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.bigInt().map(Number)), (value) => {
        const once = claimAsSent(value);
        expect(claimAsSent(once)).toEqual(once);
        if (typeof once === 'number') expect(Number.isSafeInteger(once)).toBe(true);
        else if (once !== undefined) expect(once.length).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe('validInstant and priorityTime', () => {
  it('takes only ISO-8601 instants with a four-digit year', () => {
    expect(validInstant('2026-11-24T09:00:00Z')).toBe('2026-11-24T09:00:00.000Z');
    expect(validInstant('2026-11-24T10:00:00+01:00')).toBe('2026-11-24T09:00:00.000Z');
    expect(validInstant('+010000-01-01T00:00:00.000Z')).toBeUndefined();
    expect(validInstant('2026-13-45T00:00:00Z')).toBeUndefined();
    expect(validInstant('not a date')).toBeUndefined();
    expect(validInstant(undefined)).toBeUndefined();
  });

  it('goes by the receipt, and falls back to a valid claim for a record without one', () => {
    expect(priorityTime({ receivedAt: '2026-11-24T09:00:05Z', submittedAt: '2026-08-26T09:00:00Z' })).toBe(
      '2026-11-24T09:00:05.000Z',
    );
    expect(priorityTime({ submittedAt: '2026-08-26T09:00:00Z' })).toBe('2026-08-26T09:00:00.000Z');
    expect(priorityTime({ submittedAt: '+010000-01-01T00:00:00.000Z' })).toBeUndefined();
  });
});
