import type { Block, Line } from '#domain/policy/document.ts';

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

/** The document as CommonMark/GFM Markdown. */
export function renderDocumentMarkdown(blocks: readonly Block[]): string {
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
