import { createHash } from 'node:crypto';
import { pageNonceLifetimeMs } from '#domain/signed-links/page-nonce.ts';
import { html, type SafeHtml, trustedHtml } from '#rendering/html.ts';

/**
 * What every page an emailed link opens shares: one layout rendered on the server with no script
 * at all (nothing on a page acts by itself, so a mail scanner that opens the link cannot act),
 * one style block allowed by its hash in the Content-Security-Policy, and the same headers.
 * Every value is escaped by the `html` tag.
 */

const styles = `
body{margin:0;background:#f0f4f8;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933;}
header{background:#243b53;color:#fff;padding:14px 24px;font-weight:600;}
main{max-width:760px;margin:24px auto;background:#fff;border:1px solid #d9e2ec;padding:24px;}
h1{font-size:22px;margin:0 0 12px;} h2{font-size:17px;margin:24px 0 8px;}
table{border-collapse:collapse;width:100%;} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top;font-size:14px;} td{white-space:pre-line;}
th{width:34%;color:#52606d;font-weight:600;}
.deadline{padding:12px;border-left:4px solid #0b69a3;background:#f5f7fa;margin:12px 0;}
.overdue{border-left-color:#c62828;}
.verdict{padding:12px;background:#fffbea;border:1px solid #f0d78c;}
form{border:1px solid #d9e2ec;padding:12px;margin:12px 0;}
label{display:block;font-size:14px;margin-bottom:6px;}
textarea{width:100%;box-sizing:border-box;min-height:64px;font:inherit;}
select{display:block;width:100%;max-width:100%;box-sizing:border-box;font:inherit;padding:6px;margin-bottom:8px;}
button{margin-top:8px;padding:8px 16px;font-size:15px;border:0;color:#fff;background:#0b69a3;cursor:pointer;}
button.reject{background:#c62828;} button.info{background:#52606d;}
.notice{padding:12px;background:#f5f7fa;border-left:4px solid #52606d;white-space:pre-line;}
small{color:#616e7c;}
`;

/** The Content-Security-Policy of every page: no script, no external anything. */
export const pageCsp = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(styles).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The headers every page carries: no caching, no framing, no referrer. */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': pageCsp,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The link token is in the URL: never send it to another site.
  'referrer-policy': 'no-referrer',
};

/** A whole Dealreg page in the one layout and style block `pageCsp` allows. */
export function renderPage(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} · Dealreg</title>
<style>${trustedHtml(styles)}</style>
</head>
<body>
<header>Dealreg · Partner deal registration</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

/** Any refusal without a page of its own (403, 400, 404, 413, 415, 500): what is wrong and what to do. */
export function renderProblemPage(title: string, message: string, details: readonly string[] = []): string {
  return renderPage(
    title,
    html`<p class="notice" id="problem">${message}</p>${details.length > 0 && html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>`}`,
  );
}

/** A row of a details table; nothing when there is no value. */
export function tableRow(label: string, value: string | undefined): SafeHtml {
  return value === undefined || value === '' ? html`` : html`<tr><th>${label}</th><td>${value}</td></tr>`;
}

/** The hidden fields every form of a page sends back: the link token and the page's nonce. */
export function signedFormFields(token: string, nonce: string): SafeHtml {
  return html`<input type="hidden" name="t" value="${token}"><input type="hidden" name="nonce" value="${nonce}">`;
}

/** How long a page with a form may stay open, said under the form. */
export function pageExpiryNote(prefix = ''): SafeHtml {
  return html`<p><small>${prefix}This page expires ${pageNonceLifetimeMs / 60_000} minutes after it was opened; open the link from your email again if it does.</small></p>`;
}
