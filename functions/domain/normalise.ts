import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

/**
 * The registrable domain ("eTLD+1", public-suffix aware) of a domain, URL or email address:
 * `https://www.Shop.Example.co.uk/x` → `example.co.uk`. Returns undefined when the input has no
 * registrable domain (an IP address, `localhost`, a bare public suffix, garbage).
 */
export function registrableDomain(input: string): string | undefined {
  let candidate = input.trim().toLowerCase();
  if (candidate === '') return undefined;
  const at = candidate.lastIndexOf('@');
  if (at >= 0 && !candidate.includes('/')) candidate = candidate.slice(at + 1);
  candidate = candidate.replace(/\.$/, '');
  const hostname = parse(candidate).hostname ?? candidate;
  const ascii = domainToASCII(hostname);
  if (ascii === '') return undefined;
  const parsed = parse(ascii);
  if (parsed.isIp || parsed.domain === null || parsed.isIcann === false) return undefined;
  return parsed.domain;
}

/**
 * Legal-form suffixes dropped when comparing company names, so "Acme, Inc." and "ACME Inc"
 * and "Acme" compare equal. Longest first so "Pty Ltd" wins over "Ltd".
 */
const legalSuffixes = [
  'pty ltd',
  'pty limited',
  'private limited',
  'pvt ltd',
  'co ltd',
  'co., ltd',
  'limited liability company',
  'incorporated',
  'corporation',
  'company',
  'limited',
  'gmbh & co kg',
  'gmbh',
  'inc',
  'llc',
  'llp',
  'ltd',
  'plc',
  'corp',
  'co',
  'ag',
  'kg',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'as',
  'kk',
  'pte',
  'lp',
];

/**
 * A company name for matching: Unicode-normalised, case-folded, punctuation collapsed and trailing
 * legal suffixes removed ("The Acme Co., Ltd." → "the acme"). Never empty for a non-empty name:
 * a name that is only a suffix keeps it.
 */
export function normaliseCompanyName(name: string): string {
  const base = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  let words = base.split(' ');
  let changed = true;
  while (changed && words.length > 1) {
    changed = false;
    for (const suffix of legalSuffixes) {
      const parts = suffix.replace(/[^\p{L}\p{N}&]+/gu, ' ').split(' ');
      if (
        parts.length < words.length &&
        parts.every((part, i) => words[words.length - parts.length + i] === part)
      ) {
        words = words.slice(0, words.length - parts.length);
        changed = true;
        break;
      }
    }
  }
  return words.join(' ');
}
