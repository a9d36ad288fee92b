import { freezeMoney, minorUnitDigits, parseDecimalAmount, usdRateOf } from '../money.ts';

/**
 * The expected customer spend of an ACE opportunity (`Project.ExpectedCustomerSpend` in the
 * Partner Central Selling API: `Amount` a decimal string, `CurrencyCode`, `Frequency` `Monthly`)
 * and the one rule that turns a registered amount into it and back: Dealreg spreads the amount
 * over the contract months it shares with, so the contract value is the monthly spend times
 * those months. Pure.
 */

/** Monthly spend as Dealreg records it: a decimal in the currency's minor-unit digits. */
export interface MonthlySpend {
  /** Decimal, e.g. `10000.50`. */
  readonly amount: string;
  /** ISO 4217. */
  readonly currency: string;
}

/** One `ExpectedCustomerSpend` entry as Partner Central reads it back. */
export interface ExpectedSpendEntry {
  readonly amount: string | undefined;
  readonly currencyCode: string;
  readonly frequency: string;
}

/** Months a registered amount is spread over when the deployment sets none (Partner Central's guidance: a year). */
export const defaultContractMonths = 12;

/** The decimal Partner Central writes for `minor` units of `currency` (`1000050` USD → `10000.50`). */
function decimalOf(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(minor);
  const scale = 10 ** digits;
  return `${Math.floor(minor / scale)}.${String(minor % scale).padStart(digits, '0')}`;
}

/**
 * The registered amount as monthly spend in a currency Partner Central takes (USD or EUR): a deal
 * in another currency is converted to USD at the configured rate, then spread over `months`
 * (rounded to the cent).
 */
export function monthlySpendFor(
  amount: { readonly minorUnits: number; readonly currency: string },
  months: number,
  usdRates: Readonly<Record<string, string>>,
): (MonthlySpend & { readonly currency: 'USD' | 'EUR' }) | { readonly problem: string } {
  let minor = amount.minorUnits;
  let currency: 'USD' | 'EUR';
  if (amount.currency === 'USD' || amount.currency === 'EUR') {
    currency = amount.currency;
  } else {
    const rate = usdRateOf(amount.currency, usdRates);
    if (rate === undefined) {
      return {
        problem: `Partner Central takes spend in USD or EUR, and no USD rate is configured for ${amount.currency} (setting dealreg:usdRates)`,
      };
    }
    minor = freezeMoney(amount.minorUnits, amount.currency, rate).usdMinor;
    currency = 'USD';
  }
  return { amount: decimalOf(Math.round(minor / months), currency), currency };
}

/** Minor units of a monthly spend; undefined when its amount is not a decimal of its currency. */
export function monthlyMinor(spend: MonthlySpend): number | undefined {
  try {
    return parseDecimalAmount(spend.amount, spend.currency);
  } catch {
    return undefined;
  }
}

/**
 * The contract value of a monthly spend, in minor units of its currency: the spend times the
 * months it was spread over. Undoes {@link monthlySpendFor} up to its rounding (at most half a
 * cent a month).
 */
export function contractValueMinor(spend: MonthlySpend, months: number): number | undefined {
  const minor = monthlyMinor(spend);
  return minor === undefined ? undefined : minor * months;
}

/**
 * The monthly spend of an opportunity's `ExpectedCustomerSpend` list: its `Monthly` entries with
 * an amount, added up, in the same decimal form whatever the amount's trailing zeros were.
 * Undefined when it has none, or when they are in more than one currency (no one figure).
 */
export function monthlySpendOf(entries: readonly ExpectedSpendEntry[]): MonthlySpend | undefined {
  const monthly = entries.filter((entry) => entry.frequency === 'Monthly' && entry.amount !== undefined);
  const currency = monthly[0]?.currencyCode;
  if (currency === undefined || monthly.some((entry) => entry.currencyCode !== currency)) return undefined;
  let total = 0;
  for (const entry of monthly) {
    const minor = monthlyMinor({ amount: entry.amount ?? '', currency });
    if (minor === undefined) return undefined;
    total += minor;
  }
  return { amount: decimalOf(total, currency), currency };
}

/** Whether two monthly spends are the same money (`10000` and `10000.00` USD are). */
export function sameSpend(a: MonthlySpend | undefined, b: MonthlySpend | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.currency === b.currency && monthlyMinor(a) === monthlyMinor(b);
}
