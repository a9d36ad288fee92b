import { minorUnitDigits } from '#domain/money.ts';

const formats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in integer minor units as people read it, in its currency's own symbol and digits
 * (`$12,000.00`, `€1,200.00`, `¥5,000`), through `Intl.NumberFormat` in US English.
 */
export function moneyText(amountMinor: number, currency: string): string {
  let format = formats.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format.format(amountMinor / 10 ** minorUnitDigits(currency));
}
