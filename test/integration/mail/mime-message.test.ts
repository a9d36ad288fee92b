import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage } from '#adapters/mail/mime-message.ts';
import { InvalidEmailError, type OutgoingEmail } from '#ports/mailer.ts';
import { mimeTree, shape } from './mime-tree.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255]);
const envelope = {
  from: 'Dealreg <deals@vendor.example>',
  messageId: '<m1@vendor.example>',
  date: new Date('2026-11-24T08:00:00.000Z'),
};

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: ['pat@partner.example', 'lee@partner.example'],
    subject: 'Pre-QBR report — 2026-Q4 ✓',
    text: 'Plain text part\nwith ünïcödé and a very long line '.repeat(5),
    html: '<p>HTML part <img src="cid:chart-funnel@dealreg" alt="Funnel"></p>',
    template: 'qbr-report',
    attachments: [
      { filename: 'funnel.png', contentType: 'image/png', content: PNG, contentId: 'chart-funnel@dealreg' },
      {
        filename: 'findings.csv',
        contentType: 'text/csv; charset=utf-8',
        content: "code,detail\r\nSLA_BREACH,'=1+1\r\n",
      },
    ],
    ...overrides,
  };
}

describe('the MIME message', () => {
  it('nests text and HTML as alternatives, inline images beside the HTML and files in mixed', async () => {
    const raw = (await buildMimeMessage(email(), envelope)).toString('utf8');

    expect(shape(mimeTree(raw))).toBe(
      'multipart/mixed(multipart/alternative(text/plain,multipart/related(text/html,image/png)),text/csv)',
    );
  });

  it('is only multipart/alternative when there are no attachments', async () => {
    const raw = (await buildMimeMessage(email({ attachments: [] }), envelope)).toString('utf8');

    expect(shape(mimeTree(raw))).toBe('multipart/alternative(text/plain,text/html)');
  });

  it('parses back to the same addresses, subject, parts and attachment bytes', async () => {
    const original = email();

    const parsed = await PostalMime.parse(await buildMimeMessage(original, envelope));

    expect(parsed.from).toMatchObject({ name: 'Dealreg', address: 'deals@vendor.example' });
    expect(parsed.to?.map((to) => ('address' in to ? to.address : undefined))).toEqual(original.to);
    expect(parsed.subject).toBe(original.subject);
    expect(parsed.messageId).toBe('<m1@vendor.example>');
    expect(parsed.date).toBe('2026-11-24T08:00:00.000Z');
    expect(parsed.text?.trimEnd()).toBe(original.text.trimEnd());
    expect(parsed.html?.trim()).toBe(original.html);
    const [image, csv] = parsed.attachments;
    expect(image).toMatchObject({
      filename: 'funnel.png',
      mimeType: 'image/png',
      contentId: '<chart-funnel@dealreg>',
    });
    expect(image?.disposition).toBe('inline');
    expect(new Uint8Array(image?.content as ArrayBuffer)).toEqual(PNG);
    expect(csv).toMatchObject({ filename: 'findings.csv', mimeType: 'text/csv', disposition: 'attachment' });
    expect(new TextDecoder().decode(csv?.content as ArrayBuffer)).toBe("code,detail\r\nSLA_BREACH,'=1+1\r\n");
    expect(parsed.headers.find((header) => header.key === 'x-dealreg-template')?.value).toBe('qbr-report');
  });

  it('uses CRLF line ends throughout', async () => {
    const raw = (await buildMimeMessage(email(), envelope)).toString('utf8');

    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('cannot be made to carry extra headers through the subject', async () => {
    const raw = (
      await buildMimeMessage(email({ subject: 'Hello\r\nBcc: everyone@example.com\r\nX-Evil: 1' }), envelope)
    ).toString('utf8');

    const headers = mimeTree(raw).headers;
    expect(headers.bcc).toBeUndefined();
    expect(headers['x-evil']).toBeUndefined();
  });

  it.each([
    ['no recipient', { to: [] }, 'to'],
    ['a malformed recipient', { to: ['pat@partner.example', 'nobody'] }, 'to[1]'],
    [
      'an attachment without a name',
      { attachments: [{ filename: ' ', contentType: 'text/csv', content: 'x' }] },
      'attachments[0].filename',
    ],
    [
      'a malformed content type',
      { attachments: [{ filename: 'a.csv', contentType: 'csv\r\nX-Evil: 1', content: 'x' }] },
      'attachments[0].contentType',
    ],
    [
      'a Content-ID with brackets',
      { attachments: [{ filename: 'a.png', contentType: 'image/png', content: PNG, contentId: '<a>' }] },
      'attachments[0].contentId',
    ],
  ])('refuses %s, naming the field', async (_case, overrides, field) => {
    await expect(buildMimeMessage(email(overrides), envelope)).rejects.toMatchObject({
      name: 'InvalidEmailError',
      field,
    });
  });

  it('refuses a sender that is not an address', async () => {
    await expect(buildMimeMessage(email(), { ...envelope, from: 'Dealreg' })).rejects.toThrow(
      InvalidEmailError,
    );
  });
});
