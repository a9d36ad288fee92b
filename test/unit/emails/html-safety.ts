/**
 * Checks that untrusted values stayed text in an HTML document: every `<` opens a tag our
 * templates write, no tag carries an event handler, and no link or source runs script.
 */
const TEMPLATE_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'body',
  'div',
  'table',
  'tr',
  'td',
  'th',
  'h1',
  'p',
  'br',
  'strong',
  'em',
  'span',
  'a',
  'style',
  'header',
  'main',
  'details',
  'summary',
  'dl',
  'dt',
  'dd',
  'h3',
  'ul',
  'li',
  'iframe',
  'pre',
  'code',
]);
const TAG =
  /<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/y;
const ATTRIBUTE = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

export function unexpectedMarkup(document: string): string[] {
  const problems: string[] = [];
  const source = document.replace(/<!--[\s\S]*?-->/g, '').replace(/^<!DOCTYPE html>/i, '');
  for (let index = source.indexOf('<'); index !== -1; index = source.indexOf('<', index + 1)) {
    TAG.lastIndex = index;
    const match = TAG.exec(source);
    if (match === null) {
      problems.push(`stray "<" at ${index}: ${source.slice(index, index + 40)}`);
      continue;
    }
    const [tag, name = '', attributes = ''] = match;
    if (!TEMPLATE_TAGS.has(name.toLowerCase())) problems.push(`unexpected tag ${tag}`);
    for (const attribute of attributes.matchAll(ATTRIBUTE)) {
      const attributeName = (attribute[1] ?? '').toLowerCase();
      const value = attribute[2] ?? attribute[3] ?? attribute[4] ?? '';
      if (attributeName.startsWith('on')) problems.push(`event handler in ${tag}`);
      if (['href', 'src'].includes(attributeName) && /^\s*(javascript|data|vbscript):/i.test(value)) {
        problems.push(`script URL in ${tag}`);
      }
    }
  }
  return problems;
}
