import MailComposer from 'nodemailer/lib/mail-composer';
import * as z from 'zod';
import {
  type EmailAttachment,
  EmailTooLargeError,
  InvalidEmailError,
  type OutgoingEmail,
} from '#ports/mailer.ts';

interface MimeEnvelope {
  /** The From address, e.g. `Dealreg <dealreg@example.com>` or a bare address. */
  readonly from: string;
  /** The Message-ID header, with angle brackets: `<id@domain>`. */
  readonly messageId: string;
  readonly date: Date;
}

const addressSchema = z.email();
/** `Name <address>` or a bare address. */
const FROM_WITH_NAME = /^[^<>\r\n]*<([^<>\r\n]+)>$/;

/**
 * Builds the RFC 5322 message of an email with nodemailer's MailComposer: multipart/alternative
 * (text, then HTML), images with a Content-ID in multipart/related beside the HTML, other
 * attachments in multipart/mixed. CRLF line ends; no file or URL access, so content can never
 * pull in a local file or a remote resource.
 *
 * @throws InvalidEmailError when a recipient, the sender or an attachment is unusable.
 */
export async function buildMimeMessage(email: OutgoingEmail, envelope: MimeEnvelope): Promise<Buffer> {
  assertSendable(email, envelope);
  const composer = new MailComposer({
    from: envelope.from,
    to: [...email.to],
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: envelope.messageId,
    date: envelope.date,
    headers: { 'X-Dealreg-Template': email.template },
    attachments: (email.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: typeof attachment.content === 'string' ? attachment.content : Buffer.from(attachment.content),
      cid: attachment.contentId,
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  });
  return composer.compile().build();
}

/**
 * The largest message SES v2 accepts: "Using the SES v2 API or SMTP - Maximum message size
 * (including attachments): 40 MB per message (after base64 encoding)", not adjustable ("Service
 * quotas in Amazon SES"). Read as 40,000,000 bytes, the smaller reading of "40 MB", so a message
 * this allows is never one SES refuses.
 */
export const MAX_MESSAGE_BYTES = 40_000_000;

/**
 * Refuses a built message larger than SES accepts, before it is handed over (SES would reject
 * the whole message; the local mailbox refuses it as SES would).
 *
 * @throws EmailTooLargeError naming the size and the limit.
 */
export function assertMessageSize(
  email: Pick<OutgoingEmail, 'template'>,
  raw: Uint8Array,
  limit = MAX_MESSAGE_BYTES,
): void {
  if (raw.byteLength > limit) {
    throw new EmailTooLargeError({ template: email.template, size: raw.byteLength, limit });
  }
}

/** The byte size of an attachment's content as it is sent (strings as UTF-8). */
export function attachmentSize(attachment: EmailAttachment): number {
  return typeof attachment.content === 'string'
    ? Buffer.byteLength(attachment.content, 'utf8')
    : attachment.content.byteLength;
}

/** The bare address of a From value (`Name <a@b>` → `a@b`). */
export function bareAddress(from: string): string {
  return FROM_WITH_NAME.exec(from.trim())?.[1]?.trim() ?? from.trim();
}

/** Checks a From value: a valid address, optionally with a display name. */
export function assertValidFrom(from: string): void {
  if (!addressSchema.safeParse(bareAddress(from)).success) {
    throw new InvalidEmailError('from', `"${from}" is not an email address`);
  }
}

function assertSendable(email: OutgoingEmail, envelope: MimeEnvelope): void {
  assertValidFrom(envelope.from);
  if (email.to.length === 0) throw new InvalidEmailError('to', 'an email needs at least one recipient');
  email.to.forEach((recipient, index) => {
    if (!addressSchema.safeParse(recipient).success) {
      throw new InvalidEmailError(`to[${index}]`, `"${recipient}" is not an email address`);
    }
  });
  if (/[\r\n]/.test(email.template)) throw new InvalidEmailError('template', 'must be one line');
  (email.attachments ?? []).forEach((attachment, index) => {
    if (attachment.filename.trim() === '') {
      throw new InvalidEmailError(`attachments[${index}].filename`, 'an attachment needs a file name');
    }
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;[^\r\n]*)?$/.test(attachment.contentType)) {
      throw new InvalidEmailError(
        `attachments[${index}].contentType`,
        `"${attachment.contentType}" is not a MIME type`,
      );
    }
    if (attachment.contentId !== undefined && !/^[^<>\s]+$/.test(attachment.contentId)) {
      throw new InvalidEmailError(
        `attachments[${index}].contentId`,
        'a Content-ID has no spaces or angle brackets (they are added when the mail is built)',
      );
    }
  });
}
