/**
 * A small document model so one text can be written once and rendered as Markdown or HTML,
 * with every piece of policy text escaped for the format it lands in.
 */

/** Inline text: plain, `code` (setting names, ids) or strong. */
export type Inline = string | { readonly code: string } | { readonly strong: string };
export type Line = readonly Inline[];

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: Line }
  | { readonly kind: 'paragraph'; readonly text: Line }
  | { readonly kind: 'list'; readonly items: readonly Line[] }
  | {
      readonly kind: 'table';
      readonly headers: readonly string[];
      readonly rows: readonly (readonly Line[])[];
    };

const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

/** Text that Markdown shows literally: no emphasis, links, HTML or table breaks. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (character) => `\\${character}`).replace(/\r?\n/g, ' ');
}

function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function markdownInline(line: Line): string {
  return line
    .map((part) => {
      if (typeof part === 'string') return escapeMarkdown(part);
      if ('code' in part) return codeSpan(part.code);
      return `**${escapeMarkdown(part.strong)}**`;
    })
    .join('');
}

function htmlInline(line: Line): string {
  return line
    .map((part) => {
      if (typeof part === 'string') return escapeHtml(part);
      if ('code' in part) return `<code>${escapeHtml(part.code)}</code>`;
      return `<strong>${escapeHtml(part.strong)}</strong>`;
    })
    .join('');
}

/** The document as CommonMark/GFM Markdown. */
export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${markdownInline(block.text)}`);
        break;
      case 'paragraph':
        out.push(markdownInline(block.text));
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${markdownInline(item)}`).join('\n'));
        break;
      case 'table':
        out.push(
          [
            `| ${block.headers.map(escapeMarkdown).join(' | ')} |`,
            `| ${block.headers.map(() => '---').join(' | ')} |`,
            ...block.rows.map((row) => `| ${row.map(markdownInline).join(' | ')} |`),
          ].join('\n'),
        );
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

const styles = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
h1{font-size:1.8rem}h2{margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #d9e2ec;padding:.4rem .6rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f0f4f8}code{background:#f0f4f8;padding:0 .2rem;border-radius:3px}td code{word-break:break-all}`;

/** The document as a standalone HTML page. */
export function renderHtml(blocks: readonly Block[], title: string): string {
  const body = blocks.map((block) => {
    switch (block.kind) {
      case 'heading':
        return `<h${block.level}>${htmlInline(block.text)}</h${block.level}>`;
      case 'paragraph':
        return `<p>${htmlInline(block.text)}</p>`;
      case 'list':
        return `<ul>\n${block.items.map((item) => `  <li>${htmlInline(item)}</li>`).join('\n')}\n</ul>`;
      case 'table':
        return [
          '<table>',
          `  <thead><tr>${block.headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead>`,
          '  <tbody>',
          ...block.rows.map(
            (row) => `    <tr>${row.map((cell) => `<td>${htmlInline(cell)}</td>`).join('')}</tr>`,
          ),
          '  </tbody>',
          '</table>',
        ].join('\n');
    }
    return '';
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
