import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { EmailDeliveryError, type Mailer, type OutgoingEmail, type SentEmail } from '#ports/mailer.ts';
import { extractLinks } from './links.ts';
import {
  assertMessageSize,
  assertValidFrom,
  attachmentSize,
  bareAddress,
  buildMimeMessage,
} from './mime-message.ts';

const mailboxEntrySchema = z.object({
  messageId: z.string(),
  sentAt: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  links: z.array(z.string()),
  template: z.string(),
  attachments: z.array(
    z.object({
      filename: z.string(),
      contentType: z.string(),
      size: z.number().int().nonnegative(),
      contentId: z.string().optional(),
    }),
  ),
  /** File name of the `.eml` beside the JSON file, in the mailbox directory. */
  emlFile: z.string(),
});

/** One mail in the local mailbox, as `list()` returns it and `GET /_local/mail` serves it. */
export type MailboxEntry = z.infer<typeof mailboxEntrySchema>;

/** The mailbox directory holds a file it cannot read as a mail. */
export class LocalMailboxError extends Error {
  override readonly name = 'LocalMailboxError';
}

interface LocalMailboxOptions {
  /** Where the mails are written (created if missing), e.g. `.dealreg/mail`. */
  readonly directory: string;
  /** @default 'Dealreg <dealreg@dealreg.local>' */
  readonly from?: string;
  /** The clock stamped on each mail; the local stack passes its virtual clock. @default real time */
  readonly now?: () => Date;
}

const ENTRY_FILE = /^\d{8}T\d{6}\.\d{6}Z-[0-9a-f-]{36}\.json$/;
const OWN_FILE = /^(\.?\d{8}T\d{6}\.\d{6}Z-[0-9a-f-]{36}\.(json|eml))(\.tmp-[0-9a-f]+)?$/;

/** Last stamp handed out in this process, in microseconds, so file names sort in send order. */
let lastStampMicros = 0;

/**
 * The local mailbox: each mail becomes `<timestamp>-<id>.eml` (the exact MIME message SES would
 * get) and `<timestamp>-<id>.json` (its parts, links and attachments, for tests and the inbox
 * page). Both are written to a temporary file and renamed, the JSON last, so a reader never sees
 * half a mail.
 */
export class LocalMailbox implements Mailer {
  readonly directory: string;
  readonly from: string;
  private readonly now: () => Date;

  /** @param options the options, or just the directory for the defaults */
  constructor(options: LocalMailboxOptions | string) {
    const resolved = typeof options === 'string' ? { directory: options } : options;
    if (resolved.directory.trim() === '') throw new LocalMailboxError('The mailbox directory is required');
    this.directory = resolved.directory;
    this.from = resolved.from ?? 'Dealreg <dealreg@dealreg.local>';
    assertValidFrom(this.from);
    this.now = resolved.now ?? (() => new Date());
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    const sentAt = this.now();
    const id = randomUUID();
    const messageId = `<${id}@${bareAddress(this.from).split('@')[1] ?? 'dealreg.local'}>`;
    // Stamped before the first await, so concurrent sends list in the order they were called.
    const base = `${sortableStamp(sentAt)}-${id}`;
    const eml = await buildMimeMessage(email, { from: this.from, messageId, date: sentAt });
    // SES refuses a message over its size quota; so does the mailbox that stands in for it.
    assertMessageSize(email, eml);
    const entry: MailboxEntry = {
      messageId,
      sentAt: sentAt.toISOString(),
      from: this.from,
      to: [...email.to],
      subject: email.subject,
      text: email.text,
      html: email.html,
      links: extractLinks(email.html, email.text),
      template: email.template,
      attachments: (email.attachments ?? []).map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachmentSize(attachment),
        contentId: attachment.contentId,
      })),
      emlFile: `${base}.eml`,
    };
    try {
      await mkdir(this.directory, { recursive: true });
      await writeAtomically(join(this.directory, `${base}.eml`), eml);
      await writeAtomically(join(this.directory, `${base}.json`), `${JSON.stringify(entry, null, 2)}\n`);
    } catch (error) {
      throw new EmailDeliveryError(`Could not write the mail to the local mailbox ${this.directory}`, {
        template: email.template,
        retryable: false,
        cause: error,
      });
    }
    return { messageId };
  }

  /** Every mail in the mailbox, in the order it was sent. */
  async list(): Promise<MailboxEntry[]> {
    const names = (await this.fileNames()).filter((name) => ENTRY_FILE.test(name)).sort();
    return Promise.all(names.map((name) => this.readEntry(name)));
  }

  /** The `.eml` of a mail: the raw MIME message. */
  async readEml(entry: Pick<MailboxEntry, 'emlFile'>): Promise<Buffer> {
    return readFile(join(this.directory, entry.emlFile));
  }

  /** Deletes every mail (and any leftover temporary file); other files are left alone. */
  async clear(): Promise<void> {
    const names = (await this.fileNames()).filter((name) => OWN_FILE.test(name));
    await Promise.all(names.map((name) => rm(join(this.directory, name), { force: true })));
  }

  private async fileNames(): Promise<string[]> {
    try {
      return await readdir(this.directory);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  private async readEntry(name: string): Promise<MailboxEntry> {
    const path = join(this.directory, name);
    let content: unknown;
    try {
      content = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new LocalMailboxError(`${path} is not a readable mail: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const parsed = mailboxEntrySchema.safeParse(content);
    if (!parsed.success) {
      throw new LocalMailboxError(`${path} is not a mail: ${z.prettifyError(parsed.error)}`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

/**
 * `YYYYMMDDTHHMMSS.ffffffZ`: the send time to the millisecond, then a three-digit counter for
 * mails sent within the same millisecond, so names sort in send order even on a frozen clock.
 */
function sortableStamp(sentAt: Date): string {
  lastStampMicros = Math.max(sentAt.getTime() * 1000, lastStampMicros + 1);
  const millis = Math.floor(lastStampMicros / 1000);
  const micros = lastStampMicros % 1000;
  const iso = new Date(millis).toISOString(); // 2026-11-24T08:06:24.123Z
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}.${iso.slice(20, 23)}${String(micros).padStart(3, '0')}Z`;
}

async function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  // A dot-file in the same directory: rename is atomic only within one file system.
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
