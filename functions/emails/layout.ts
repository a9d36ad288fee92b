import { html, type SafeHtml, trustedHtml } from '#rendering/html.ts';

/**
 * Inline styles shared by the templates. Mail clients (Gmail, Outlook) drop `<style>` blocks
 * or parts of them, so every style is inline; Outlook renders with Word, so the layout is
 * tables with explicit widths and no flexbox, grid, or CSS shorthand it does not know. Font
 * names go unquoted (`Segoe UI` is a valid family name as it stands): a quote inside a `style`
 * attribute is escaped to `&#39;`, ten bytes a cell, and Gmail clips an email's HTML at 102 KB.
 */
export const emailStyle = {
  font: 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;',
  heading:
    'margin:0 0 16px 0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:20px;line-height:28px;font-weight:600;color:#1f2933;',
  paragraph:
    'margin:0 0 16px 0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#1f2933;',
  small:
    'margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#616e7c;',
  table: 'border-collapse:collapse;width:100%;margin:0 0 16px 0;',
  headerCell:
    'padding:8px;border-bottom:2px solid #cbd2d9;text-align:left;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:13px;line-height:18px;color:#52606d;',
  cell: 'padding:8px;border-bottom:1px solid #e4e7eb;vertical-align:top;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#1f2933;',
  code: 'font-family:Consolas,Courier New,monospace;font-size:13px;background-color:#f5f7fa;color:#1f2933;word-break:break-all;',
  link: 'color:#0b69a3;text-decoration:underline;',
} as const;

interface HtmlLayoutInput {
  /** Document title and the heading at the top of the card. */
  readonly title: string;
  /** Preview text shown by mail clients next to the subject; hidden in the body. */
  readonly preheader?: string | undefined;
  readonly body: SafeHtml;
  /** Small print under the card (reference ids, who to contact). */
  readonly footer?: SafeHtml;
}

/** Wraps a template's body in the shared layout: a complete HTML document, 600px card, inline CSS. */
export function renderHtmlLayout(input: HtmlLayoutInput): string {
  const msoTableOpen = trustedHtml(
    '<!--[if mso]><table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->',
  );
  const msoTableClose = trustedHtml('<!--[if mso]></td></tr></table><![endif]-->');
  return html`<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${input.title}</title>
</head>
<body style="margin:0;padding:0;background-color:#f0f4f8;">
${
  input.preheader &&
  html`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f0f4f8;">${input.preheader}</div>`
}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f0f4f8;table-layout:fixed;">
<tr><td align="center" style="padding:24px 12px;">
${msoTableOpen}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;table-layout:fixed;background-color:#ffffff;border:1px solid #d9e2ec;">
<tr><td style="padding:16px 24px;background-color:#243b53;${emailStyle.font}font-size:14px;line-height:20px;font-weight:600;color:#ffffff;">Dealreg · Partner deal registration</td></tr>
<tr><td style="padding:24px;overflow-wrap:break-word;">
<h1 style="${emailStyle.heading}">${input.title}</h1>
${input.body}
</td></tr>
</table>
${input.footer && html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;"><tr><td style="padding:16px 24px;">${input.footer}</td></tr></table>`}
${msoTableClose}
</td></tr>
</table>
</body>
</html>
`.value;
}

interface TextLayoutInput {
  readonly title: string;
  /** Paragraphs and blocks of the body, separated by a blank line. */
  readonly sections: readonly string[];
  readonly footer?: readonly string[];
}

/** The plain-text part: the same content as the HTML part, values verbatim (no escaping). */
export function renderTextLayout(input: TextLayoutInput): string {
  const footer = input.footer && input.footer.length > 0 ? ['--', ...input.footer] : [];
  return `${[input.title, '='.repeat(Math.min(input.title.length, 72)), '', input.sections.join('\n\n'), '', ...footer].join('\n').trimEnd()}\n`;
}
