/**
 * A small document model so one text can be written once and rendered as Markdown or HTML
 * (`functions/rendering/`), with every piece of policy text escaped for the format it lands in.
 */

/** Inline text: plain, `code` (setting names, ids) or strong. */
type Inline = string | { readonly code: string } | { readonly strong: string };
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
