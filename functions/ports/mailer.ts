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
}

export interface SentEmail {
  readonly messageId: string;
}

/** Port: sends an email. SES v2 in AWS, the local mailbox on one machine. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<SentEmail>;
}
