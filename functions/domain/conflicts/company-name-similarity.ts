import { distance } from 'fastest-levenshtein';

/** Case, accents, punctuation and spacing do not make two company names different. */
function fold(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * How alike two company names are, from 0 (nothing in common) to 1 (the same after folding):
 * one minus the Levenshtein edit distance divided by the longer name's length. Expects names
 * whose legal suffixes are already removed (`normaliseCompanyName`).
 */
export function companyNameSimilarity(a: string, b: string): number {
  const left = fold(a);
  const right = fold(b);
  const longest = Math.max(left.length, right.length);
  if (longest === 0) return left === right ? 1 : 0;
  return 1 - distance(left, right) / longest;
}
