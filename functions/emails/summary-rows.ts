import { html, type SafeHtml } from '#rendering/html.ts';
import { emailStyle } from './layout.ts';

/** A label and its value: one line of a summary table. */
export type Row = readonly [label: string, value: string];

/** Rows as a two-column table, every label and value escaped. */
export function rowsHtml(rows: readonly Row[]): SafeHtml {
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="${emailStyle.table}">
${rows.map(
  ([label, value]) =>
    html`<tr><th style="${emailStyle.headerCell}width:35%;font-weight:600;border-bottom:1px solid #e4e7eb;">${label}</th><td style="${emailStyle.cell}">${value}</td></tr>`,
)}
</table>`;
}

/** Rows as `Label: value` lines, continuation lines indented. */
export function rowsText(rows: readonly Row[]): string {
  return rows.map(([label, value]) => `${label}: ${value.replace(/\n/g, '\n  ')}`).join('\n');
}
