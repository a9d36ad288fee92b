import type { Block, Line } from '#domain/policy/document.ts';
import { escapeHtml } from '#rendering/html.ts';

function htmlInline(line: Line): string {
  return line
    .map((part) => {
      if (typeof part === 'string') return escapeHtml(part);
      if ('code' in part) return `<code>${escapeHtml(part.code)}</code>`;
      return `<strong>${escapeHtml(part.strong)}</strong>`;
    })
    .join('');
}

// On a phone, a table wider than the screen scrolls inside its wrapper; words break only between
// them (a single word longer than a line may still wrap rather than widen the page).
const styles = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5;overflow-wrap:break-word}
h1{font-size:1.8rem}h2{margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.25rem}
.table-wrap{max-width:100%;overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #d9e2ec;padding:.4rem .6rem;text-align:left;vertical-align:top;overflow-wrap:normal;word-break:normal;hyphens:none;min-width:6rem}
th{background:#f0f4f8}code{background:#f0f4f8;padding:0 .2rem;border-radius:3px}`;

/** The document as a standalone HTML page. */
export function renderDocumentHtmlPage(blocks: readonly Block[], title: string): string {
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
          '<div class="table-wrap"><table>',
          `  <thead><tr>${block.headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead>`,
          '  <tbody>',
          ...block.rows.map(
            (row) => `    <tr>${row.map((cell) => `<td>${htmlInline(cell)}</td>`).join('')}</tr>`,
          ),
          '  </tbody>',
          '</table></div>',
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
