import type { PropertyDefinition } from './object-types.ts';

/** Parses a HubSpot date/datetime input (ms epoch as number or digits, or ISO 8601) to ms, or undefined. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A comparable key for a stored or filter value of a property: a number for number/date/datetime
 * properties, a lower-cased string otherwise (HubSpot search compares strings case-insensitively).
 */
export function comparable(property: PropertyDefinition | undefined, value: string): number | string {
  const type = property?.type ?? 'string';
  if (type === 'number') {
    const n = Number(value);
    return Number.isNaN(n) ? value.toLowerCase() : n;
  }
  if (type === 'date' || type === 'datetime') {
    const ms = parseTimestamp(value);
    return ms ?? value.toLowerCase();
  }
  return value.toLowerCase();
}

/** Orders two comparable keys; numbers before strings so mixed data still sorts deterministically. */
export function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits a value into lower-cased search tokens the way CONTAINS_TOKEN sees them. */
export function tokens(value: string): string[] {
  return value
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._-]+/u)
    .flatMap((part) => [part, ...part.split(/[@._-]+/)])
    .filter((token) => token !== '');
}

/**
 * Whether a CONTAINS_TOKEN pattern (with `*` wildcards) matches a value or one of its tokens.
 * HubSpot "Search" (CRM API guide, "Filter search results"): CONTAINS_TOKEN takes wildcards, a
 * leading one included (`*@hubspot.com` finds the contacts with a HubSpot address), so
 * `*.northwind.com` finds a company whose domain is a host of northwind.com.
 */
export function containsToken(value: string, pattern: string): boolean {
  const lowered = pattern.toLowerCase().trim();
  if (!lowered.includes('*')) return tokens(value).includes(lowered);
  const escaped = lowered
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${escaped}$`, 'u');
  return regex.test(value.toLowerCase()) || tokens(value).some((token) => regex.test(token));
}
