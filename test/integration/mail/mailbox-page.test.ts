import { describe, expect, it } from 'vitest';
import type { MailboxEntry } from '#adapters/mail/local-mailbox.ts';
import { renderMailboxPage } from '#local/mailbox-page.ts';
import { escapeHtml } from '#rendering/html.ts';
import { unexpectedMarkup } from '#test/unit/emails/html-safety.ts';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

function entry(subject: string, overrides: Partial<MailboxEntry> = {}): MailboxEntry {
  return {
    messageId: `<${subject}@dealreg.local>`,
    sentAt: '2026-11-24T08:00:00.000Z',
    from: 'Dealreg <dealreg@dealreg.local>',
    to: ['approver@vendor.example'],
    subject,
    text: `Text of ${subject}`,
    html: `<p style="color:red">HTML of ${subject} <a href="https://dealreg.example/a?x=1&amp;y=2">go</a></p>`,
    links: ['https://dealreg.example/a?x=1&y=2'],
    template: 'approval-request',
    attachments: [],
    emlFile: `20261124T080000.000000Z-${subject}.eml`,
    ...overrides,
  };
}

describe('the local inbox page', () => {
  it('lists mails newest first', () => {
    const page = renderMailboxPage([entry('oldest'), entry('middle'), entry('newest')]);

    const order = ['newest', 'middle', 'oldest'].map((subject) =>
      page.indexOf(`<span class="subject">${subject}</span>`),
    );
    expect(order.every((position) => position > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(page).toContain('3 mails, newest first');
  });

  it('shows each mail expandable, its HTML in a sandboxed srcdoc iframe, its text and its links clickable', () => {
    const mail = entry('approval');

    const page = renderMailboxPage([mail]);

    expect(page).toContain('<details class="mail" id="mail-1">');
    expect(page).toContain(`<iframe sandbox="" srcdoc="${escapeHtml(mail.html)}"`);
    expect(page).toContain(`<pre>Text of approval</pre>`);
    expect(page).toContain(
      '<a href="https://dealreg.example/a?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">https://dealreg.example/a?x=1&amp;y=2</a>',
    );
    expect(page).not.toMatch(/<script/i);
  });

  it('lists attachments with their type, size and Content-ID', () => {
    const page = renderMailboxPage([
      entry('report', {
        attachments: [
          { filename: 'funnel.png', contentType: 'image/png', size: 2048, contentId: 'funnel@dealreg' },
          { filename: 'rows.csv', contentType: 'text/csv', size: 12 },
        ],
      }),
    ]);

    expect(page).toContain('funnel.png (image/png, 2.0 KiB, inline as cid:funnel@dealreg)');
    expect(page).toContain('rows.csv (text/csv, 12 B)');
  });

  it('keeps hostile content of every field inert', () => {
    const page = renderMailboxPage([
      entry(HOSTILE, {
        from: HOSTILE,
        to: [HOSTILE],
        text: HOSTILE,
        html: `<script>alert(1)</script>${HOSTILE}`,
        template: HOSTILE,
        messageId: HOSTILE,
        emlFile: HOSTILE,
        links: ['javascript:alert(1)', HOSTILE],
        attachments: [{ filename: HOSTILE, contentType: HOSTILE, size: 1, contentId: HOSTILE }],
      }),
    ]);

    expect(unexpectedMarkup(page)).toEqual([]);
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('<code>javascript:alert(1)</code> (not a web link)');
  });

  it('says so when no mail has been sent', () => {
    const page = renderMailboxPage([]);

    expect(page).toContain('No mail has been sent yet.');
    expect(page).toContain('<title>Dealreg local mailbox (0)</title>');
  });

  it('forbids scripts on the page itself', () => {
    const page = renderMailboxPage([entry('one')]);

    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  });
});
