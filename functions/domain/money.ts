/** An amount of money in integer minor units (cents, pence, yen) of an ISO 4217 currency. */
export interface Money {
  readonly minorUnits: number;
  readonly currency: string;
}

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency code this runtime knows. */
export function isCurrencyCode(code: string): boolean {
  return knownCurrencies.has(code);
}

/** How many minor-unit digits a currency has (USD 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

export type AmountParseResult =
  | { readonly ok: true; readonly money: Money }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses an amount as a partner types it ("120000", "120,000.50", "$ 1 200") into integer minor
 * units without floating-point rounding. Refuses negative amounts, more decimals than the
 * currency has, and anything that is not a plain number.
 */
export function parseAmount(text: string, currency: string): AmountParseResult {
  // A currency symbol or code before or after the number is allowed ("$ 1,200", "1200 EUR").
  const cleaned = text
    .trim()
    .replace(/^(?:\p{Sc}|[A-Z]{3}(?=[\s\d]))\s*/u, '')
    .replace(/(?<=[\d\s])(?:\p{Sc}|[A-Z]{3})$/u, '')
    .replace(/[\s\u00a0_']/g, '');
  if (cleaned === '') return { ok: false, reason: 'is empty' };
  if (cleaned.startsWith('-')) return { ok: false, reason: 'must not be negative' };
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

/** Formats money for people: `USD 120,000.50`. */
export function formatMoney(money: Money): string {
  const digits = minorUnitDigits(money.currency);
  const value = money.minorUnits / 10 ** digits;
  return `${money.currency} ${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
