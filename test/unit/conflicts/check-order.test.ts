import { describe, expect, it } from 'vitest';
import {
  checkedFirst,
  type RecordedCheck,
  recentChecksKept,
  withCheck,
} from '#domain/conflicts/check-order.ts';

const check = (registrationId: string, cleared = true): RecordedCheck => ({
  registrationId,
  receivedAt: '2026-11-23T14:00:00.000Z',
  cleared,
});

describe('the recent conflict checks of a customer domain', () => {
  it('appends a check as the newest and keeps the last ones only', () => {
    let checks: readonly RecordedCheck[] = [];
    for (let index = 0; index < recentChecksKept + 3; index += 1) {
      checks = withCheck(checks, check(`r${index}`)) ?? checks;
    }
    expect(checks).toHaveLength(recentChecksKept);
    expect(checks[0]?.registrationId).toBe('r3');
    expect(checks.at(-1)?.registrationId).toBe(`r${recentChecksKept + 2}`);
  });

  it('keeps the place of a check recorded already, with nothing to write', () => {
    const checks = [check('a'), check('b')];
    expect(withCheck(checks, check('a', false))).toBeUndefined();
  });

  it('puts first the registrations whose check was recorded before and cleared them', () => {
    const checks = [check('cleared-before'), check('reviewed-before', false), check('me'), check('after')];
    expect([...checkedFirst(checks, 'me')]).toEqual(['cleared-before']);
    // Not recorded yet: every cleared check recorded so far came first.
    expect([...checkedFirst(checks, 'new')].sort()).toEqual(['after', 'cleared-before', 'me']);
  });
});
