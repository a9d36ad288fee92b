import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Mailer, OutgoingEmail, SentEmail } from '#ports/mailer.ts';

/** The approvals table's record kind for an email already sent under its once-key. */
const sentEmailRecord = 'sent-email';

/**
 * A mailer that sends an email with a `onceKey` at most once: before sending, it looks for the
 * key in the approvals table (beside the approval tasks the emails belong to); after SES took
 * the email, it records the key with the message id. A step repeated after its email went out
 * answers with the first message id and sends nothing. Emails without a key pass straight
 * through. Only a crash between the hand-over and the record can still send twice, never zero
 * times: a lost approval request is worse than a repeated one.
 */
export class OnceOnlyMailer implements Mailer {
  readonly #inner: Mailer;
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => Date;

  constructor(
    inner: Mailer,
    client: DynamoDBDocumentClient,
    tableName: string,
    now: () => Date = () => new Date(),
  ) {
    this.#inner = inner;
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    if (email.onceKey === undefined) return this.#inner.send(email);
    const key = { approvalId: `email#${email.onceKey}`, record: sentEmailRecord };
    const found = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    const messageId = found.Item?.messageId;
    if (typeof messageId === 'string') return { messageId };
    const sent = await this.#inner.send(email);
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...key,
          messageId: sent.messageId,
          template: email.template,
          sentAt: this.#now().toISOString(),
        },
      }),
    );
    return sent;
  }
}
