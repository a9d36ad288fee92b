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
  override readonly name = 'EmailDeliveryError';
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
