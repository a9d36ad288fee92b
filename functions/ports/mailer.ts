/** An attachment or inline image of an outgoing email. */
export interface EmailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Uint8Array | string;
  /** Content-ID for inline images referenced as `cid:…` from the HTML part. */
  readonly contentId?: string;
}

/** A rendered email, ready to send: every template produces one of these. */
export interface OutgoingEmail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments?: readonly EmailAttachment[];
  /** What the email is about, for logs and the local mailbox (e.g. `invalid-submission`). */
  readonly template: string;
  /**
   * Sent at most once per key: a step that is tried again (a timeout, throttling after the
   * email went out) finds the key and does not send it a second time. Name what makes the email
   * unique, e.g. `<approval id>:reminder:2`.
   */
  readonly onceKey?: string;
}

export interface SentEmail {
  readonly messageId: string;
}

/** Port: sends an email. SES v2 in AWS, the local mailbox on one machine. */
export interface Mailer {
  /** @throws EmailDeliveryError when the email could not be handed over for delivery. */
  send(email: OutgoingEmail): Promise<SentEmail>;
}

/**
 * The email could not be handed over for delivery. Declared with the port so use cases can
 * handle it without knowing which adapter is behind the port.
 */
export class EmailDeliveryError extends Error {
  override readonly name: string = 'EmailDeliveryError';
  /** The template of the email that failed, e.g. `invalid-submission`. */
  readonly template: string;
  /** True when trying again later may succeed (throttling, a transient service error). */
  readonly retryable: boolean;

  constructor(message: string, options: { template: string; retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.template = options.template;
    this.retryable = options.retryable;
  }
}

/**
 * The message is larger than the mail service accepts; nothing was sent. Trying again cannot
 * help: the caller sends less (the same email without its attached files) or fails loudly.
 */
export class EmailTooLargeError extends EmailDeliveryError {
  override readonly name: string = 'EmailTooLargeError';
  /** The message's size as it would be sent (MIME, attachments base64-encoded), in bytes. */
  readonly size: number;
  /** The most the service accepts, in bytes. */
  readonly limit: number;

  constructor(options: { template: string; size: number; limit: number }) {
    super(
      `The ${options.template} email is ${megabytes(options.size)}, over the ${megabytes(options.limit)} a message may have; it was not sent`,
      { template: options.template, retryable: false },
    );
    this.size = options.size;
    this.limit = options.limit;
  }
}

/** Bytes in megabytes as the SES quotas count them (1 MB = 1,000,000 bytes), one decimal. */
export function megabytes(bytes: number): string {
  return `${(Math.ceil(bytes / 100_000) / 10).toLocaleString('en-US')} MB`;
}

/** The email itself is unusable (no recipient, a malformed address, a bad attachment). */
export class InvalidEmailError extends Error {
  override readonly name = 'InvalidEmailError';
  /** The part of the email that is wrong, e.g. `to[1]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
