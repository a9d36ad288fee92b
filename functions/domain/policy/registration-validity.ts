import { DateTime } from 'luxon';
import type { Policy } from './policy-schema.ts';

/** When an approved registration stops protecting the partner, and when they are warned. */
interface ValidityWindow {
  readonly expiresAt: Date;
  readonly warnAt: Date;
}

/** An extension was asked for, but the policy allows no more. */
export class ExtensionNotAllowedError extends Error {
  override readonly name = 'ExtensionNotAllowedError';
}

// Validity is counted in calendar days in the business calendar's zone, so "90 days" ends at the
// same local time of day across a daylight-saving change.
function window(policy: Policy, from: Date, days: number): ValidityWindow {
  const start = DateTime.fromJSDate(from, { zone: policy.calendar.timeZone });
  const expires = start.plus({ days });
  return {
    expiresAt: expires.toJSDate(),
    warnAt: expires.minus({ days: policy.validity.expiryWarningDaysBefore }).toJSDate(),
  };
}

/**
 * The date (`YYYY-MM-DD`) a registration expiring at `expiresAt` expires on, in the business
 * calendar's zone: the date the partner's emails show, so HubSpot's "Expires on" and the approver
 * say the same day. Its UTC date is a day off for much of the day in zones far from UTC.
 */
export function expiryDate(policy: Policy, expiresAt: Date): string {
  const local = DateTime.fromJSDate(expiresAt, { zone: policy.calendar.timeZone });
  if (!local.isValid) throw new RangeError(`cannot read the expiry ${String(expiresAt)} as a date`);
  return local.toISODate();
}

/** The validity window that ends at `expiresAt`: its expiry and the warning before it. */
export function validityWindowEndingAt(policy: Policy, expiresAt: Date): ValidityWindow {
  return window(policy, expiresAt, 0);
}

/** The validity window of a registration approved at `approvedAt`. */
export function validityWindow(policy: Policy, approvedAt: Date): ValidityWindow {
  return window(policy, approvedAt, policy.validity.days);
}

/**
 * The validity window after one more extension, counted from the current expiry.
 *
 * @param extensionsSoFar how many extensions the registration already had
 * @throws ExtensionNotAllowedError when the policy's `validity.maxExtensions` is used up
 */
export function extendedValidityWindow(
  policy: Policy,
  currentExpiry: Date,
  extensionsSoFar: number,
): ValidityWindow {
  const allowed = policy.validity.maxExtensions;
  if (extensionsSoFar >= allowed) {
    throw new ExtensionNotAllowedError(
      allowed === 0
        ? 'the policy does not allow extending a registration'
        : `the policy allows ${allowed === 1 ? 'one extension' : `${allowed} extensions`} and this registration has had ${extensionsSoFar}`,
    );
  }
  return window(policy, currentExpiry, policy.validity.extensionDays);
}
