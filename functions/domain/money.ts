import * as z from 'zod';

/**
 * Money in integer minor units (cents, pence, yen) of an ISO 4217 currency: as a partner
 * registers it (`Money`) and as the ledger records it, with the USD rate frozen when the amount
 * was recorded (`FrozenMoney`). Amounts never pass through a float: decimals are parsed and
 * converted with integer arithmetic.
 */

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency code this runtime knows. */
export function isCurrencyCode(code: string): boolean {
  return knownCurrencies.has(code);
}

/** ISO 4217 alphabetic code. */
export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as USD');

/** A positive decimal written as a string, so a frozen exchange rate never passes through a float. */
export const decimalRateSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,8})(\.\d{1,12})?$/, { error: 'expected a decimal rate such as 1.0842', abort: true })
  .refine((value) => Number(value) > 0, 'a rate must be greater than zero');

/** `{"EUR": "1.08", "GBP": "1.27"}`: USD per unit of each deal currency, as configured. */
export const usdRatesSchema = z.record(currencyCodeSchema, decimalRateSchema, {
  error: 'expected a JSON object of currency code → USD rate, such as {"EUR": "1.08"}',
});

/** An amount of money in integer minor units (cents, pence, yen) of an ISO 4217 currency. */
export const moneySchema = z.object({
  minorUnits: z.number().int().nonnegative('the amount must not be negative'),
  currency: z.string().refine(isCurrencyCode, 'must be an ISO 4217 currency code such as USD'),
});
export type Money = z.infer<typeof moneySchema>;

/**
 * Money as the ledger stores it: integer minor units in the deal currency, the USD rate frozen
 * when the amount was recorded (at close for closed-won amounts) and the USD figure it gave.
 */
export const frozenMoneySchema = z.strictObject({
  amountMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: currencyCodeSchema,
  usdRate: decimalRateSchema,
  usdMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type FrozenMoney = z.infer<typeof frozenMoneySchema>;

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

type AmountParseResult =
  | { readonly ok: true; readonly money: Money }
  | { readonly ok: false; readonly reason: string };

/** Whether a code or symbol written with an amount ("eur", "€", "$") stands for `currency`. */
function standsFor(marker: string, currency: string): boolean {
  if (/^[a-z]{3}$/i.test(marker)) return marker.toUpperCase() === currency;
  const symbols = (['symbol', 'narrowSymbol'] as const).map(
    (currencyDisplay) =>
      new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay })
        .formatToParts(1)
        .find((part) => part.type === 'currency')?.value,
  );
  return symbols.includes(marker);
}

/**
 * Why an amount written the European way ("12.000,50", "12,50") is not read as it stands, with
 * how to write it; undefined for any other text. "12.000" is read as 12 only where the currency
 * has three decimals: elsewhere the partner is told it may mean twelve thousand.
 */
function europeanAmountProblem(text: string, cleaned: string, currency: string): string | undefined {
  if (/^\d{1,3}(?:\.\d{3})+,\d+$/.test(cleaned)) {
    const [whole = '', fraction = ''] = cleaned.split(',');
    return `"${text}" uses "." between thousands and "," before the decimals: write it as ${whole.replace(/\./g, '')}.${fraction}`;
  }
  if (/^\d{1,3}(?:\.\d{3}){2,}$/.test(cleaned)) {
    return `"${text}" uses "." between thousands: write it as ${cleaned.replace(/\./g, '')}`;
  }
  if (/^\d+,\d{1,2}$/.test(cleaned)) {
    return `"${text}" uses "," before the decimals: write it as ${cleaned.replace(',', '.')}`;
  }
  const digits = minorUnitDigits(currency);
  const ambiguous = /^(\d{1,3})\.(\d{3})$/.exec(cleaned);
  if (ambiguous !== null && digits < 3) {
    const allowed = digits === 0 ? 'none' : `at most ${digits}`;
    return `"${text}" has 3 decimals, but ${currency} amounts have ${allowed}; if the "." separates thousands, write ${ambiguous[1]}${ambiguous[2]}`;
  }
  return undefined;
}

/**
 * Parses an amount as a partner types it ("120000", "120,000.50", "$ 1 200") into integer minor
 * units without floating-point rounding. Refuses negative amounts, more decimals than the
 * currency has, a code or symbol of another currency than `currency`, and anything that is not
 * a plain number.
 */
export function parseAmount(
  text: string,
  currency: string,
  { currencyKnown = true }: { readonly currencyKnown?: boolean } = {},
): AmountParseResult {
  // A currency symbol or code before or after the number is allowed ("$ 1,200", "1200 EUR"), as
  // long as it is the currency's: "€12,000" is not read as 12,000 of another currency.
  const marked: string[] = [];
  const cleaned = text
    .trim()
    .replace(/^(?:\p{Sc}|[A-Za-z]{3}(?=[\s\d]))\s*/u, (marker) => {
      marked.push(marker.trim());
      return '';
    })
    .replace(/(?<=[\d\s])(?:\p{Sc}|[A-Za-z]{3})$/u, (marker) => {
      marked.push(marker);
      return '';
    })
    .replace(/[\s\u00a0_']/g, '');
  const foreign = marked.find((marker) => !standsFor(marker, currency));
  if (currencyKnown && foreign !== undefined) {
    return {
      ok: false,
      reason: `"${text.trim()}" is in ${/^[a-z]{3}$/i.test(foreign) ? foreign.toUpperCase() : foreign}, but the currency is ${currency}: choose the currency the amount is in`,
    };
  }
  if (cleaned === '') return { ok: false, reason: 'is empty' };
  if (cleaned.startsWith('-')) return { ok: false, reason: 'must not be negative' };
  const european = europeanAmountProblem(text.trim(), cleaned.replace(/^\+/, ''), currency);
  if (european !== undefined) return { ok: false, reason: european };
  const match = /^\+?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (match === null) return { ok: false, reason: `"${text.trim()}" is not a number` };
  const whole = (match[1] ?? '').replace(/,/g, '');
  const fraction = match[2] ?? '';
  const digits = minorUnitDigits(currency);
  if (fraction.length > digits) {
    return {
      ok: false,
      reason:
        digits === 0
          ? `${currency} amounts have no decimals`
          : `${currency} amounts have at most ${digits} decimal${digits === 1 ? '' : 's'}`,
    };
  }
  const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'is too large' };
  return { ok: true, money: { minorUnits: Number(minor), currency } };
}

/**
 * Parses a plain decimal amount such as "1250.50" (as the CRM stores it, as a CSV holds it) into
 * minor units of `currency`, refusing more decimals than the currency has.
 *
 * @throws RangeError when the text is not such an amount or the currency is unknown
 */
export function parseDecimalAmount(text: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) throw new RangeError(`"${text}" is not an amount such as 1250.50`);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    throw new RangeError(`"${text}" has more than ${digits} decimals for ${currency}`);
  }
  return Number(BigInt(match[1] + fraction.padEnd(digits, '0')));
}

/** Formats money for people: `USD 120,000.50`. */
export function formatMoney(money: Money): string {
  const digits = minorUnitDigits(money.currency);
  const value = money.minorUnits / 10 ** digits;
  return `${money.currency} ${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

function decimalToScaled(value: string): { units: bigint; scale: number } {
  const [whole = '0', fraction = ''] = value.split('.');
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

/**
 * Freezes an amount: converts minor units to USD cents at `usdRate` (USD per one unit of
 * `currency`) with exact integer arithmetic, rounding half away from zero.
 */
export function freezeMoney(amountMinor: number, currency: string, usdRate: string): FrozenMoney {
  const rate = decimalRateSchema.parse(usdRate);
  const digits = minorUnitDigits(currency);
  const { units, scale } = decimalToScaled(rate);
  // usdCents = amountMinor / 10^digits * rate * 100
  const numerator = BigInt(amountMinor) * units * 100n;
  const denominator = 10n ** BigInt(digits + scale);
  const usdMinor = (numerator * 2n + denominator) / (denominator * 2n);
  return frozenMoneySchema.parse({ amountMinor, currency, usdRate: rate, usdMinor: Number(usdMinor) });
}

/** USD per unit of `currency` from configured rates (USD itself is 1), or undefined when not configured. */
export function usdRateOf(currency: string, usdRates: Readonly<Record<string, string>>): string | undefined {
  return currency === 'USD' ? '1' : usdRates[currency];
}

export type AmountFreezeResult = { readonly money: FrozenMoney } | { readonly problem: string };

/**
 * A decimal amount as the CRM stores it ("1250.5"), in minor units with its USD rate frozen from
 * the configured rates; or the problem, in words, that keeps it from being recorded.
 */
export function freezeAmount(
  amountText: string,
  currency: string,
  usdRates: Readonly<Record<string, string>>,
): AmountFreezeResult {
  const rate = usdRateOf(currency, usdRates);
  if (rate === undefined)
    return { problem: `no USD rate is configured for ${currency} (setting dealreg:usdRates)` };
  try {
    return { money: freezeMoney(parseDecimalAmount(amountText, currency), currency, rate) };
  } catch (error) {
    return { problem: `amount ${JSON.stringify(amountText)}: ${(error as Error).message}` };
  }
}
