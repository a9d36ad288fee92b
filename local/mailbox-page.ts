import type { MailboxEntry } from '#adapters/mail/local-mailbox.ts';
import { html, safeUrl, trustedHtml } from '#rendering/html.ts';

/**
 * The page has no script. Each mail's HTML is shown in an iframe with an empty `sandbox`
 * (no scripts, no forms, no top navigation, an opaque origin) via `srcdoc`, so nothing a mail
 * contains can act on this page or on the local API.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:; base-uri 'none'; form-action 'none'";

const PAGE_STYLE = trustedHtml(`<style>
body{margin:0;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:#f0f4f8;color:#1f2933}
header{padding:16px 24px;background:#243b53;color:#fff}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;font-size:14px;color:#d9e2ec}
header a{color:#fff}
main{padding:16px 24px;max-width:1100px}
.empty{color:#52606d}
details.mail{background:#fff;border:1px solid #d9e2ec;border-radius:4px;margin:0 0 8px}
details.mail>summary{cursor:pointer;padding:10px 14px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
summary .time{font-family:Consolas,'Courier New',monospace;font-size:13px;color:#52606d}
summary .to{color:#52606d;font-size:14px}
summary .subject{font-weight:600}
summary .template{font-size:12px;background:#e4e7eb;border-radius:3px;padding:1px 6px}
.body{padding:0 14px 14px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:14px}
dt{color:#52606d}
dd{margin:0;word-break:break-all}
h3{font-size:14px;margin:16px 0 6px}
ul{margin:0;padding-left:20px;font-size:14px;word-break:break-all}
iframe{width:100%;height:520px;border:1px solid #d9e2ec;resize:vertical;background:#fff}
pre{white-space:pre-wrap;word-break:break-word;background:#f5f7fa;border:1px solid #e4e7eb;padding:12px;font-size:13px}
</style>`);

/**
 * The HTML of `GET /_local/mail/ui`: every mail in the local mailbox, newest first, each
 * expandable to its HTML part (rendered, sandboxed), its text part, its links and attachments.
 *
 * @param entries the mails in send order, as `LocalMailbox.list()` returns them
 */
export function renderMailboxPage(entries: readonly MailboxEntry[]): string {
  const newestFirst = [...entries].reverse();
  const count = entries.length === 1 ? '1 mail' : `${entries.length} mails`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>Dealreg local mailbox (${entries.length})</title>
${PAGE_STYLE}
</head>
<body>
<header>
<h1>Dealreg local mailbox</h1>
<p>${count}, newest first. Reload to see new mail. As JSON: <a href="/_local/mail">/_local/mail</a></p>
</header>
<main>
${
  newestFirst.length === 0
    ? html`<p class="empty">No mail has been sent yet.</p>`
    : newestFirst.map((entry, index) => renderEntry(entry, entries.length - index))
}
</main>
</body>
</html>
`.value;
}

function renderEntry(entry: MailboxEntry, number: number) {
  return html`<details class="mail" id="mail-${number}">
<summary><span class="time">${entry.sentAt}</span><span class="to">${entry.to.join(', ')}</span><span class="subject">${entry.subject}</span><span class="template">${entry.template}</span></summary>
<div class="body">
<dl>
<dt>From</dt><dd>${entry.from}</dd>
<dt>To</dt><dd>${entry.to.join(', ')}</dd>
<dt>Sent</dt><dd>${entry.sentAt}</dd>
<dt>Message-ID</dt><dd>${entry.messageId}</dd>
<dt>File</dt><dd>${entry.emlFile}</dd>
</dl>
<h3>Links (${entry.links.length})</h3>
${
  entry.links.length === 0
    ? html`<p>None.</p>`
    : html`<ul>${entry.links.map((link) => html`<li>${renderLink(link)}</li>`)}</ul>`
}
${
  entry.attachments.length > 0 &&
  html`<h3>Attachments (${entry.attachments.length})</h3>
<ul>${entry.attachments.map(
    (attachment) =>
      html`<li>${attachment.filename} (${attachment.contentType}, ${formatSize(attachment.size)}${
        attachment.contentId === undefined ? '' : `, inline as cid:${attachment.contentId}`
      })</li>`,
  )}</ul>`
}
<h3>HTML part</h3>
<iframe sandbox="" srcdoc="${entry.html}" title="HTML part of ${entry.subject}" loading="lazy"></iframe>
<h3>Text part</h3>
<pre>${entry.text}</pre>
</div>
</details>
`;
}

/** Links open in a new tab; anything but http, https and mailto is shown, not linked. */
function renderLink(link: string) {
  const url = safeUrl(link);
  return url === undefined
    ? html`<code>${link}</code> (not a web link)`
    : html`<a href="${url}" target="_blank" rel="noopener noreferrer">${link}</a>`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
