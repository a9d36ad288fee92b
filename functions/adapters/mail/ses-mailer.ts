import { randomUUID } from 'node:crypto';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { EmailDeliveryError, type Mailer, type OutgoingEmail, type SentEmail } from '#ports/mailer.ts';
import { assertMessageSize, assertValidFrom, bareAddress, buildMimeMessage } from './mime-message.ts';

interface SesMailerOptions {
  /** Built once at module scope by the caller, so warm invocations reuse its connections. */
  readonly client: SESv2Client;
  /** The sender, an SES-verified identity: `deals@example.com` or `Dealreg <deals@example.com>`. */
  readonly from: string;
  /**
   * SES configuration set for event publishing (bounces, complaints, deliveries).
   * @default - none
   */
  readonly configurationSetName?: string | undefined;
  /** @default real time; stamped in the Date header. */
  readonly now?: () => Date;
}

/** The SES mailer's configuration is missing or wrong. */
export class SesMailerConfigurationError extends Error {
  override readonly name = 'SesMailerConfigurationError';
}

/** SES errors worth another try later: throttling and sending-rate limits. */
const RETRYABLE_ERRORS = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
]);
/** Tag values allow letters, digits, `_` and `-` only. */
const TAG_VALUE_UNSAFE = /[^A-Za-z0-9_-]/g;

/**
 * Sends email through SES v2 `SendEmail` with `Content.Raw`: the MIME message is built by the
 * same code as the local mailbox's `.eml`, so attachments and inline images arrive as tested.
 * The caller's role needs `ses:SendEmail` and `ses:SendRawEmail` on the sender identity (and
 * on the configuration set when one is given): raw content is authorised as SendRawEmail.
 */
export class SesMailer implements Mailer {
  private readonly client: SESv2Client;
  private readonly from: string;
  private readonly configurationSetName: string | undefined;
  private readonly now: () => Date;

  constructor(options: SesMailerOptions) {
    assertValidFrom(options.from);
    this.client = options.client;
    this.from = options.from;
    this.configurationSetName = options.configurationSetName;
    this.now = options.now ?? (() => new Date());
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    // SES replaces Message-ID with its own; this one only makes the message well-formed.
    const messageId = `<${randomUUID()}@${bareAddress(this.from).split('@')[1] ?? 'dealreg.invalid'}>`;
    const raw = await buildMimeMessage(email, { from: this.from, messageId, date: this.now() });
    assertMessageSize(email, raw);
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [...email.to] },
          Content: { Raw: { Data: new Uint8Array(raw) } },
          EmailTags: [
            { Name: 'template', Value: email.template.replace(TAG_VALUE_UNSAFE, '_').slice(0, 256) },
          ],
          ConfigurationSetName: this.configurationSetName,
        }),
      );
      if (result.MessageId === undefined) {
        throw new Error('SES accepted the email but returned no message id');
      }
      return { messageId: result.MessageId };
    } catch (error) {
      throw new EmailDeliveryError(
        `SES did not accept the ${email.template} email to ${email.to.join(', ')}: ${errorName(error)}`,
        { template: email.template, retryable: isRetryable(error), cause: error },
      );
    }
  }
}

/**
 * Builds the SES mailer from the function's environment: `MAIL_FROM` (required) and
 * `SES_CONFIGURATION_SET` (optional). Fails fast, naming the missing variable.
 */
export function sesMailerFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
  client: SESv2Client = new SESv2Client({}),
): SesMailer {
  const from = environment.MAIL_FROM?.trim();
  if (!from)
    throw new SesMailerConfigurationError('MAIL_FROM is not set: the sender address of outgoing email');
  const configurationSetName = environment.SES_CONFIGURATION_SET?.trim();
  // An empty setting means no configuration set.
  return new SesMailer({ client, from, configurationSetName: configurationSetName || undefined });
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_ERRORS.has(error.name)) return true;
  const fault = (error as { $fault?: unknown }).$fault;
  const retryable = (error as { $retryable?: unknown }).$retryable;
  return fault === 'server' || (typeof retryable === 'object' && retryable !== null);
}
