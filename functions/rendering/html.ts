/**
 * A fragment of HTML that is safe to place in a document as is: it was built by the `html`
 * tag (so every value in it was escaped) or explicitly declared trusted with `trustedHtml`.
 */
export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into an `html` template. */
type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character] ?? character);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // null, undefined and false render as nothing so `${condition && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Tagged template for HTML: every substitution is escaped unless it is a `SafeHtml` fragment
 * (a nested `html` template); arrays are rendered item by item. Always quote attribute values
 * (`href="${url}"`): escaping protects quoted attributes and text, not bare attribute values.
 *
 * @example html`<p>Hello ${name}</p>` // name = '<b>' → <p>Hello &lt;b&gt;</p>
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * Declares a string to be trusted HTML, written by us, never derived from input. Used for
 * the few fragments that cannot be written with the `html` tag (e.g. Outlook conditional
 * comments).
 */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const SAFE_URL_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * Returns the URL when it is absolute and uses http, https or mailto, otherwise `undefined`,
 * so a `javascript:` or `data:` value can never become a clickable link.
 */
export function safeUrl(url: string): string | undefined {
  try {
    return SAFE_URL_SCHEMES.has(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}
