/** A start tag, its quoted attribute values allowed to hold `>`. Escaped text (`&lt;a …`) is no tag. */
const START_TAG = /<[a-z][^\s/>]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*\/?>/gi;
const HREF = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const BARE_URL = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than the URL it follows. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/**
 * Every link in an email, in order of appearance and without repeats: the `href` of each anchor
 * in the HTML part (entities decoded, so the URL is the one a click opens), then the http(s)
 * URLs written out in the text part.
 */
export function extractLinks(html: string, text: string): string[] {
  const links = new Set<string>();
  for (const tag of html.matchAll(START_TAG)) {
    const match = HREF.exec(tag[0]);
    if (match === null) continue;
    const value = decodeEntities((match[1] ?? match[2] ?? match[3] ?? '').trim());
    if (value !== '') links.add(value);
  }
  for (const match of text.matchAll(BARE_URL)) {
    links.add(match[0].replace(TRAILING_PUNCTUATION, ''));
  }
  return [...links];
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return codePoint(Number.parseInt(body.slice(2), 16), entity);
    if (body.startsWith('#')) return codePoint(Number.parseInt(body.slice(1), 10), entity);
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

function codePoint(value: number, fallback: string): string {
  return Number.isInteger(value) && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : fallback;
}
