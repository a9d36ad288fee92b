/** How the pre-QBR report writes its figures, in the email, its pages and the charts' words. */

const wholeUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const exactUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Headline amounts in whole dollars: `$1,250,001`. */
export function formatUsd(amount: number): string {
  return wholeUsd.format(amount);
}

/** Table amounts to the cent: `$1,250,000.50`. */
export function formatUsdExact(amount: number): string {
  return exactUsd.format(amount);
}

/** A ratio as a percentage with one decimal; `n/a` when it has no denominator. */
export function formatPercent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
