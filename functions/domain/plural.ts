/**
 * English plural forms for counts in messages and pages. `Intl.PluralRules` decides which form a
 * count takes ("Intl.PluralRules", MDN), so "1 entry", "0 entries" and "2 entries" come from one
 * rule instead of a `n === 1 ? '' : 's'` written at every count.
 */
const english = new Intl.PluralRules('en-US');

/** The form of a word for `count`: `plural(1, 'entry', 'entries')` is "entry"; `other` defaults to `one` + "s". */
export function plural(count: number, one: string, other = `${one}s`): string {
  return english.select(count) === 'one' ? one : other;
}

/** A count with its word: `counted(3, 'entry', 'entries')` is "3 entries", `counted(1, 'problem')` "1 problem". */
export function counted(count: number, one: string, other = `${one}s`): string {
  return `${count} ${plural(count, one, other)}`;
}
