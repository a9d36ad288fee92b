/**
 * Countries as partners type them ("Germany", "UK", "us") read as the ISO 3166-1 alpha-2 codes
 * the policy's regions are written in (`DE`, `GB`, `US`). Names come from the runtime's CLDR
 * data in English, with the aliases people commonly use.
 */

/** Codes CLDR names that are no country: unions, zones, test and unknown regions. */
const notCountries: ReadonlySet<string> = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

const aliases: Readonly<Record<string, string>> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'the netherlands': 'NL',
  'russian federation': 'RU',
  'republic of korea': 'KR',
  korea: 'KR',
  'czech republic': 'CZ',
  turkey: 'TR',
  uae: 'AE',
  'hong kong': 'HK',
  macau: 'MO',
  macao: 'MO',
  burma: 'MM',
  myanmar: 'MM',
  'viet nam': 'VN',
  'ivory coast': 'CI',
  'the bahamas': 'BS',
  'the gambia': 'GM',
  'republic of ireland': 'IE',
  'people s republic of china': 'CN',
  prc: 'CN',
};

/** Case, accents, punctuation and "&"/"St." spellings do not make two country names different. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[’'`.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^st /, 'saint ')
    .replace(/\s+/g, ' ');
}

function buildTables(): { codes: Map<string, string>; names: Map<string, string> } {
  const displayNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  const codes = new Map<string, string>();
  const names = new Map<string, string>();
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      if (notCountries.has(code)) continue;
      const name = displayNames.of(code);
      if (name === undefined || name === code) continue;
      // A withdrawn code (UK, DD, YU) is read as the one that replaced it (GB, DE, RS).
      const current = Intl.getCanonicalLocales(`und-${code}`)[0]?.slice(4) ?? code;
      codes.set(code, current);
      const folded = fold(name);
      if (!names.has(folded) || code === current) names.set(folded, current);
      // "Myanmar (Burma)", "Hong Kong SAR China": the name before its qualifier too.
      const short = fold(name.replace(/\s*\(.*\)$/, '').replace(/ SAR China$/, ''));
      if (!names.has(short)) names.set(short, current);
    }
  }
  for (const [alias, code] of Object.entries(aliases)) names.set(alias, code);
  return { codes, names };
}

let tables: ReturnType<typeof buildTables> | undefined;

/** The ISO 3166-1 alpha-2 code of a country given by code or English name, or undefined. */
export function countryCode(text: string): string | undefined {
  tables ??= buildTables();
  const folded = fold(text);
  if (/^[a-z]{2}$/.test(folded)) return tables.codes.get(folded.toUpperCase());
  return tables.names.get(folded) ?? tables.names.get(folded.replace(/^the /, ''));
}
