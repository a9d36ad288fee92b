import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

/**
 * The registrable domain ("eTLD+1", public-suffix aware) of a domain, URL or email address:
 * `https://www.Shop.Example.co.uk/x` → `example.co.uk`. Returns undefined when the input has no
 * registrable domain (an IP address, `localhost`, a bare public suffix, garbage).
 *
 * The private section of the Public Suffix List counts too: a customer on a platform's shared
 * domain is its own customer (`acme.github.io`, `acme.myshopify.com`), not one with every other
 * site there (`github.io`).
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
  const parsed = parse(ascii, { allowPrivateDomains: true });
  if (parsed.isIp || parsed.domain === null || (parsed.isIcann !== true && parsed.isPrivate !== true))
    return undefined;
  return parsed.domain;
}

/** A host without a leading `www.`, trimmed and lower-cased. */
export function bareHost(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^www\./, '');
}

/**
 * A domain as two records are compared by it, however someone keyed it ("www.globex.com",
 * "us.globex.com", "Globex.com"): its registrable domain, or, under a suffix not on the Public
 * Suffix List (`northwind.example`), the host without its `www.`.
 */
export function comparableDomain(domain: string): string {
  return registrableDomain(domain) ?? bareHost(domain);
}

/**
 * Registrable domains of free email providers: a partner who pastes a contact's address at one
 * of them has not named the customer's company, and every such customer would look like the same
 * one to the conflict check.
 */
const freeEmailDomains: ReadonlySet<string> = new Set([
  '126.com',
  '163.com',
  'aol.com',
  'fastmail.com',
  'gmail.com',
  'gmx.at',
  'gmx.ch',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'googlemail.com',
  'hey.com',
  'hotmail.co.uk',
  'hotmail.com',
  'hotmail.de',
  'hotmail.fr',
  'icloud.com',
  'live.com',
  'mac.com',
  'mail.com',
  'mail.ru',
  'me.com',
  'msn.com',
  'naver.com',
  'outlook.com',
  'outlook.de',
  'proton.me',
  'protonmail.com',
  'qq.com',
  'rediffmail.com',
  't-online.de',
  'tutanota.com',
  'web.de',
  'yahoo.co.in',
  'yahoo.co.jp',
  'yahoo.co.uk',
  'yahoo.com',
  'yahoo.com.au',
  'yahoo.de',
  'yahoo.fr',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
]);

/** Whether a registrable domain is a free email provider's (`gmail.com`), not a company's. */
export function isFreeEmailDomain(domain: string): boolean {
  return freeEmailDomains.has(domain);
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
  'ab publ',
  'sà rl',
  'sa rl',
  'sàrl',
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
  'se',
];

/** A run of single letters joined by dots or slashes ("l.l.c.", "S.p.A.", "A/S"), as one word. */
const dottedInitials = /(?<![\p{L}\p{N}])\p{L}(?:[./]\p{L})+(?![\p{L}\p{N}])\.?/gu;

/**
 * A company name for matching: Unicode-normalised, case-folded, initials joined ("S.p.A." →
 * "spa"), punctuation collapsed and trailing legal suffixes removed ("The Acme Co., Ltd." →
 * "the acme"). Never empty for a non-empty name:
 * a name that is only a suffix keeps it.
 */
export function normaliseCompanyName(name: string): string {
  const base = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(dottedInitials, (initials) => initials.replace(/[./]/g, ''))
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
