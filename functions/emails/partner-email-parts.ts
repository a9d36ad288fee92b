import type { OutgoingEmail } from '#ports/mailer.ts';
import { html, type SafeHtml } from './html.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';
import { type Row, rowsHtml, rowsText } from './summary-rows.ts';

/**
 * The layout of the emails to the submitting partner (decision, information request, expiry
 * warning): a list of blocks, each rendered once as escaped HTML and once as verbatim text.
 */
export type PartnerEmailBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  /** A sentence that must not be missed (the decision, the expiry date). */
  | { readonly kind: 'emphasis'; readonly text: string }
  /** Someone else's words, quoted as written (an approver's reason or question). */
  | { readonly kind: 'quote'; readonly label: string; readonly text: string }
  /** A call-to-action link; the URL must already be checked to be http or https. */
  | { readonly kind: 'button'; readonly label: string; readonly url: string }
  | { readonly kind: 'rows'; readonly heading: string; readonly rows: readonly Row[] };

export interface PartnerEmailContent {
  readonly template: string;
  readonly to: string;
  readonly subject: string;
  readonly title: string;
  readonly blocks: readonly PartnerEmailBlock[];
  readonly footer: readonly string[];
}

function blockHtml(block: PartnerEmailBlock): SafeHtml {
  switch (block.kind) {
    case 'paragraph':
      return html`<p style="${emailStyle.paragraph}">${block.text}</p>`;
    case 'emphasis':
      return html`<p style="${emailStyle.paragraph}"><strong>${block.text}</strong></p>`;
    case 'quote':
      return html`<p style="${emailStyle.paragraph}margin-bottom:4px;">${block.label}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="${emailStyle.table}"><tr><td style="${emailStyle.cell}border-left:4px solid #9fb3c8;background-color:#f5f7fa;white-space:pre-wrap;">${block.text}</td></tr></table>`;
    case 'button':
      return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;"><tr><td style="background-color:#0b69a3;padding:12px 20px;"><a href="${block.url}" style="${emailStyle.font}font-size:16px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;">${block.label}</a></td></tr></table>`;
    case 'rows':
      return html`<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">${block.heading}</h3>
${rowsHtml(block.rows)}`;
  }
}

function blockText(block: PartnerEmailBlock): string {
  switch (block.kind) {
    case 'paragraph':
    case 'emphasis':
      return block.text;
    case 'quote':
      return `${block.label}\n${block.text
        .split(/\r?\n/)
        .map((line) => `> ${line}`)
        .join('\n')}`;
    case 'button':
      return `${block.label}: ${block.url}`;
    case 'rows':
      return `${block.heading.toUpperCase()}\n${rowsText(block.rows)}`;
  }
}

/** Renders an email to the submitting partner from its blocks. */
export function renderPartnerEmail(content: PartnerEmailContent): OutgoingEmail {
  const first = content.blocks.find((block) => block.kind !== 'rows' && block.kind !== 'button');
  const preheader = first !== undefined && 'text' in first ? first.text : undefined;
  return {
    to: [content.to],
    subject: content.subject,
    template: content.template,
    html: renderHtmlLayout({
      title: content.title,
      ...(preheader === undefined ? {} : { preheader }),
      body: html`${content.blocks.map(blockHtml)}`,
      footer: html`${content.footer.map((line) => html`<p style="${emailStyle.small}">${line}</p>`)}`,
    }),
    text: renderTextLayout({
      title: content.title,
      sections: content.blocks.map(blockText),
      footer: content.footer,
    }),
  };
}
