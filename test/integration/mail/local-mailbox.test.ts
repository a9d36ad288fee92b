import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractLinks } from '#adapters/mail/links.ts';
import { LocalMailbox, LocalMailboxError } from '#adapters/mail/local-mailbox.ts';
import { renderInvalidSubmissionEmail } from '#emails/invalid-submission.ts';
import { EmailDeliveryError, type OutgoingEmail } from '#ports/mailer.ts';
import { mimeTree, shape } from './mime-tree.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dealreg-mailbox-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function mail(subject: string, overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: ['approver@vendor.example'],
    subject,
    text: `Open https://dealreg.example/approvals/ap-1?t=abc&x=1. Thanks!`,
    html: `<p><a href="https://dealreg.example/approvals/ap-1?t=abc&amp;x=1">Review</a> <a href='mailto:help@vendor.example'>help</a></p>`,
    template: 'approval-request',
    ...overrides,
  };
}

describe('the local mailbox', () => {
  it('lists sent mails in send order with their parts, links and attachments', async () => {
    const mailbox = new LocalMailbox({
      directory,
      from: 'Dealreg <deals@vendor.example>',
      now: () => new Date('2026-11-24T08:00:00.000Z'),
    });

    const first = await mailbox.send(mail('first'));
    await mailbox.send(mail('second'));
    await mailbox.send(
      mail('third', {
        attachments: [
          { filename: 'report.csv', contentType: 'text/csv', content: 'a,b\r\n1,2\r\n' },
          {
            filename: 'chart.png',
            contentType: 'image/png',
            content: new Uint8Array(2048),
            contentId: 'chart@dealreg',
          },
        ],
      }),
    );
    const entries = await mailbox.list();

    expect(entries.map((entry) => entry.subject)).toEqual(['first', 'second', 'third']);
    expect(entries[0]).toMatchObject({
      messageId: first.messageId,
      sentAt: '2026-11-24T08:00:00.000Z',
      from: 'Dealreg <deals@vendor.example>',
      to: ['approver@vendor.example'],
      template: 'approval-request',
      text: mail('first').text,
      html: mail('first').html,
      links: ['https://dealreg.example/approvals/ap-1?t=abc&x=1', 'mailto:help@vendor.example'],
      attachments: [],
    });
    expect(first.messageId).toMatch(/^<[0-9a-f-]{36}@vendor\.example>$/);
    expect(entries[2]?.attachments).toEqual([
      { filename: 'report.csv', contentType: 'text/csv', size: 10 },
      { filename: 'chart.png', contentType: 'image/png', size: 2048, contentId: 'chart@dealreg' },
    ]);
  });

  it('writes each mail as <timestamp>-<id>.json and .eml, and nothing else', async () => {
    const mailbox = new LocalMailbox({ directory, now: () => new Date('2026-11-24T08:09:10.123Z') });

    await mailbox.send(mail('one'));

    const files = (await readdir(directory)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^20261124T080910\.123\d{3}Z-[0-9a-f-]{36}\.eml$/);
    expect(files[1]).toBe(files[0]?.replace(/\.eml$/, '.json'));
  });

  it('keeps send order across many mails sent within the same millisecond', async () => {
    const mailbox = new LocalMailbox({ directory, now: () => new Date('2026-11-24T08:00:00.000Z') });
    const subjects = Array.from({ length: 30 }, (_, index) => `mail ${index}`);

    for (const subject of subjects) await mailbox.send(mail(subject));

    expect((await mailbox.list()).map((entry) => entry.subject)).toEqual(subjects);
  });

  it('lists concurrent sends in the order they were called, however long each takes to build', async () => {
    const mailbox = new LocalMailbox({ directory });
    const big = [
      { filename: 'big.bin', contentType: 'application/octet-stream', content: new Uint8Array(4_000_000) },
    ];

    await Promise.all([mailbox.send(mail('slow', { attachments: big })), mailbox.send(mail('fast'))]);

    expect((await mailbox.list()).map((entry) => entry.subject)).toEqual(['slow', 'fast']);
  });

  it('stores the exact MIME message beside each entry', async () => {
    const mailbox = new LocalMailbox({ directory, from: 'deals@vendor.example' });
    const email = renderInvalidSubmissionEmail({
      to: 'pat@partner.example',
      registrationId: 'reg-1',
      receivedAt: '2026-11-24T08:00:00Z',
      problems: [{ field: 'Customer domain', formField: 'customer_domain', message: 'Required.' }],
    });

    await mailbox.send({
      ...email,
      attachments: [
        {
          filename: 'logo.png',
          contentType: 'image/png',
          content: new Uint8Array([1, 2]),
          contentId: 'logo',
        },
      ],
    });
    const [entry] = await mailbox.list();
    if (entry === undefined) throw new Error('no mail listed');
    const eml = await mailbox.readEml(entry);
    const parsed = await PostalMime.parse(eml);

    expect(shape(mimeTree(eml.toString('utf8')))).toBe(
      'multipart/alternative(text/plain,multipart/related(text/html,image/png))',
    );
    expect(parsed.messageId).toBe(entry.messageId);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text?.trimEnd()).toBe(email.text.trimEnd());
    expect(parsed.html?.trimEnd()).toBe(email.html.trimEnd());
    expect(parsed.attachments[0]).toMatchObject({ contentId: '<logo>', disposition: 'inline' });
  });

  it('is empty before the first mail, even when its directory does not exist yet', async () => {
    const mailbox = new LocalMailbox(join(directory, 'not-yet'));

    expect(await mailbox.list()).toEqual([]);
    await mailbox.send(mail('created'));
    expect((await mailbox.list()).map((entry) => entry.subject)).toEqual(['created']);
  });

  it('does not list a mail whose JSON is still being written', async () => {
    const mailbox = new LocalMailbox({ directory });
    await mailbox.send(mail('complete'));
    const [name] = (await readdir(directory)).filter((file) => file.endsWith('.json'));
    await writeFile(join(directory, `.${name}.tmp-0123abcd`), '{"messageId": "<half');

    expect((await mailbox.list()).map((entry) => entry.subject)).toEqual(['complete']);
  });

  it('clear() removes every mail and leftover temporary file, and only those', async () => {
    const mailbox = new LocalMailbox({ directory });
    await mailbox.send(mail('one'));
    await mailbox.send(mail('two'));
    await writeFile(
      join(directory, '.20261124T080000.000000Z-00000000-0000-0000-0000-000000000000.json.tmp-ab'),
      '',
    );
    await writeFile(join(directory, 'notes.txt'), 'keep me');

    await mailbox.clear();

    expect(await mailbox.list()).toEqual([]);
    expect(await readdir(directory)).toEqual(['notes.txt']);
  });

  it('names the file it cannot read instead of returning a half-typed entry', async () => {
    const mailbox = new LocalMailbox({ directory });
    await mailbox.send(mail('one'));
    const [name] = (await readdir(directory)).filter((file) => file.endsWith('.json'));
    const path = join(directory, name ?? '');
    const entry = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...entry, to: 'not-a-list' }));

    await expect(mailbox.list()).rejects.toThrow(LocalMailboxError);
    await expect(mailbox.list()).rejects.toThrow(/to/);
  });

  it('refuses an unsendable mail with nothing written', async () => {
    const mailbox = new LocalMailbox({ directory });

    await expect(mailbox.send(mail('nobody', { to: [] }))).rejects.toMatchObject({
      name: 'InvalidEmailError',
    });
    expect(await readdir(directory)).toEqual([]);
  });

  it('reports a mailbox it cannot write to as a delivery error', async () => {
    const blocker = join(directory, 'a-file');
    await writeFile(blocker, '');
    const mailbox = new LocalMailbox({ directory: join(blocker, 'mailbox') });

    const sending = mailbox.send(mail('blocked'));

    await expect(sending).rejects.toThrow(EmailDeliveryError);
    await expect(sending).rejects.toMatchObject({ template: 'approval-request', retryable: false });
  });
});

describe('extractLinks', () => {
  it('decodes entities in hrefs so the link is the one a click opens', () => {
    expect(extractLinks('<a href="https://x.example/?a=1&amp;b=&#50;&#x33;">x</a>', '')).toEqual([
      'https://x.example/?a=1&b=23',
    ]);
  });

  it('ignores href-like text that was escaped into the body', () => {
    expect(extractLinks('<p>&lt;a href=&quot;https://evil.example&quot;&gt;</p>', '')).toEqual([]);
  });

  it('finds URLs written in the text part without the sentence punctuation after them', () => {
    expect(
      extractLinks('', 'See https://a.example/x, then (https://b.example/y). Done: http://c.example'),
    ).toEqual(['https://a.example/x', 'https://b.example/y', 'http://c.example']);
  });

  it('lists each link once, HTML links first', () => {
    expect(
      extractLinks(
        '<a href="https://a.example/1">1</a><a class="b" href=\'https://a.example/2\'>2</a>',
        'https://a.example/1 https://a.example/3',
      ),
    ).toEqual(['https://a.example/1', 'https://a.example/2', 'https://a.example/3']);
  });
});
