import { z } from 'zod';
import { isCurrencyCode } from '../money.ts';

/** ISO 4217 alphabetic code. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as USD');

/** A positive decimal written as a string, so a frozen exchange rate never passes through a float. */
export const DecimalRate = z
  .string()
  .regex(/^(0|[1-9]\d{0,8})(\.\d{1,12})?$/, { error: 'expected a decimal rate such as 1.0842', abort: true })
  .refine((value) => Number(value) > 0, 'a rate must be greater than zero');

/**
 * Money as the ledger stores it: integer minor units in the deal currency, the USD rate frozen
 * when the amount was recorded (at close for closed-won amounts) and the USD figure it gave.
 */
export const Money = z.strictObject({
  amountMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: CurrencyCode,
  usdRate: DecimalRate,
  usdMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type Money = z.infer<typeof Money>;

/** Number of minor-unit digits of a currency (2 for USD, 0 for JPY, 3 for BHD). */
export function minorUnitDigits(currency: string): number {
  if (!isCurrencyCode(currency)) throw new RangeError(`unknown currency ${currency}`);
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch (error) {
    throw new RangeError(`unknown currency ${currency}`, { cause: error });
  }
}

function decimalToScaled(value: string): { units: bigint; scale: number } {
  const [whole = '0', fraction = ''] = value.split('.');
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

/**
 * Freezes an amount: converts minor units to USD cents at `usdRate` (USD per one unit of
 * `currency`) with exact integer arithmetic, rounding half away from zero.
 */
export function freezeMoney(amountMinor: number, currency: string, usdRate: string): Money {
  const rate = DecimalRate.parse(usdRate);
  const digits = minorUnitDigits(currency);
  const { units, scale } = decimalToScaled(rate);
  // usdCents = amountMinor / 10^digits * rate * 100
  const numerator = BigInt(amountMinor) * units * 100n;
  const denominator = 10n ** BigInt(digits + scale);
  const usdMinor = (numerator * 2n + denominator) / (denominator * 2n);
  return Money.parse({ amountMinor, currency, usdRate: rate, usdMinor: Number(usdMinor) });
}

/**
 * Parses a decimal amount such as "1250.50" into minor units of `currency`, refusing more
 * decimals than the currency has.
 */
export function parseAmount(text: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) throw new RangeError(`"${text}" is not an amount such as 1250.50`);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    throw new RangeError(`"${text}" has more than ${digits} decimals for ${currency}`);
  }
  return Number(BigInt(match[1] + fraction.padEnd(digits, '0')));
}

/** USD per unit of `currency` from configured rates (USD itself is 1), or undefined when not configured. */
export function usdRateOf(currency: string, usdRates: Readonly<Record<string, string>>): string | undefined {
  return currency === 'USD' ? '1' : usdRates[currency];
}

export type FrozenAmount = { readonly money: Money } | { readonly problem: string };

/**
 * A decimal amount as the CRM stores it ("1250.5"), in minor units with its USD rate frozen from
 * the configured rates; or the problem, in words, that keeps it from being recorded.
 */
export function freezeAmount(
  amountText: string,
  currency: string,
  usdRates: Readonly<Record<string, string>>,
): FrozenAmount {
  const rate = usdRateOf(currency, usdRates);
  if (rate === undefined)
    return { problem: `no USD rate is configured for ${currency} (setting dealreg:usdRates)` };
  try {
    return { money: freezeMoney(parseAmount(amountText, currency), currency, rate) };
  } catch (error) {
    return { problem: `amount ${JSON.stringify(amountText)}: ${(error as Error).message}` };
  }
}
