import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON of a value. Throws on values JSON cannot carry (NaN, lone surrogates),
 * so an entry that could not be re-hashed identically is never written.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

/**
 * The hash of a chain link: SHA-256 over the canonical JSON of the entry without its `hash`
 * attribute, followed by the previous entry's hash (hex).
 */
export function chainHash(entryWithoutHash: object, previousHash: string): string {
  return createHash('sha256').update(canonicalJson(entryWithoutHash)).update(previousHash).digest('hex');
}
