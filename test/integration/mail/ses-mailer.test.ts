import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SesMailer,
  SesMailerConfigurationError,
  sesMailerFromEnvironment,
} from '#adapters/mail/ses-mailer.ts';
import { renderInvalidSubmissionEmail } from '#emails/invalid-submission.ts';
import { EmailDeliveryError, EmailTooLargeError, type OutgoingEmail } from '#ports/mailer.ts';
import { mimeTree, shape } from './mime-tree.ts';

const ses = mockClient(SESv2Client);

beforeEach(() => {
  ses.reset();
});

const email: OutgoingEmail = {
  ...renderInvalidSubmissionEmail({
    to: 'pat@partner.example',
    registrationId: 'reg-1',
    receivedAt: '2026-11-24T08:00:00Z',
    customerCompanyName: 'Globex',
    problems: [{ field: 'Customer domain', formField: 'customer_domain', message: 'Required.' }],
  }),
  attachments: [
    {
      filename: 'chart.png',
      contentType: 'image/png',
      content: new Uint8Array([1, 2, 3]),
      contentId: 'chart',
    },
    { filename: 'rows.csv', contentType: 'text/csv', content: 'a,b\r\n' },
  ],
};

function mailer(configurationSetName?: string): SesMailer {
  return new SesMailer({
    client: new SESv2Client({ region: 'us-east-1' }),
    from: 'Dealreg <deals@vendor.example>',
    now: () => new Date('2026-11-24T08:00:00.000Z'),
    configurationSetName,
  });
}

function sentInput(): SendEmailCommandInput {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  if (input === undefined) throw new Error('SendEmail was not called');
  return input;
}

describe('the SES mailer', () => {
  it('sends the raw MIME message from the configured address to the recipients', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0100019abc-ses' });

    const sent = await mailer().send(email);

    expect(sent).toEqual({ messageId: '0100019abc-ses' });
    const input = sentInput();
    expect(input.FromEmailAddress).toBe('Dealreg <deals@vendor.example>');
    expect(input.Destination).toEqual({ ToAddresses: ['pat@partner.example'] });
    expect(input.Content?.Simple).toBeUndefined();
    expect(input.EmailTags).toEqual([{ Name: 'template', Value: 'invalid-submission' }]);
    expect(input.ConfigurationSetName).toBeUndefined();
    const raw = input.Content?.Raw?.Data;
    if (raw === undefined) throw new Error('no raw content');
    const parsed = await PostalMime.parse(raw);
    expect(parsed.from).toMatchObject({ address: 'deals@vendor.example' });
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text?.trimEnd()).toBe(email.text.trimEnd());
    expect(parsed.html?.trimEnd()).toBe(email.html.trimEnd());
    expect(
      parsed.attachments.map((attachment) => [attachment.filename, attachment.contentId ?? null]),
    ).toEqual([
      ['chart.png', '<chart>'],
      ['rows.csv', null],
    ]);
    expect(shape(mimeTree(new TextDecoder().decode(raw)))).toBe(
      'multipart/mixed(multipart/alternative(text/plain,multipart/related(text/html,image/png)),text/csv)',
    );
  });

  it('passes the configuration set when one is configured', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'id-2' });

    await mailer('dealreg-events').send(email);

    expect(sentInput().ConfigurationSetName).toBe('dealreg-events');
  });

  it('wraps a throttling error as a retryable delivery error with the cause', async () => {
    const throttled = new TooManyRequestsException({
      message: 'Maximum sending rate exceeded.',
      $metadata: {},
    });
    ses.on(SendEmailCommand).rejects(throttled);

    const error = await mailer()
      .send(email)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error).toMatchObject({
      name: 'EmailDeliveryError',
      template: 'invalid-submission',
      retryable: true,
      cause: throttled,
    });
    expect((error as Error).message).toContain('pat@partner.example');
    expect((error as Error).message).toContain('TooManyRequestsException');
  });

  it('wraps a rejected message as a delivery error that is not worth retrying', async () => {
    const rejected = new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });
    ses.on(SendEmailCommand).rejects(rejected);

    await expect(mailer().send(email)).rejects.toMatchObject({
      name: 'EmailDeliveryError',
      retryable: false,
      cause: rejected,
    });
  });

  it('treats an answer without a message id as a failed delivery', async () => {
    ses.on(SendEmailCommand).resolves({});

    await expect(mailer().send(email)).rejects.toThrow(EmailDeliveryError);
  });

  it('refuses an unsendable email before calling SES', async () => {
    await expect(mailer().send({ ...email, to: ['not an address'] })).rejects.toMatchObject({
      name: 'InvalidEmailError',
      field: 'to[0]',
    });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('refuses a message over the 40 MB SES v2 accepts before calling SES, as not worth retrying', async () => {
    // "Service quotas in Amazon SES": 40 MB per message after base64 encoding; 30 MB of CSV is
    // about 41 MB once encoded.
    const big: OutgoingEmail = {
      ...email,
      attachments: [{ filename: 'rows.csv', contentType: 'text/csv', content: 'a'.repeat(30_000_000) }],
    };
    ses.on(SendEmailCommand).resolves({ MessageId: 'never' });

    const error = await mailer()
      .send(big)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(EmailTooLargeError);
    expect(error).toMatchObject({ retryable: false, limit: 40_000_000 });
    expect((error as EmailTooLargeError).size).toBeGreaterThan(40_000_000);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('refuses a sender that is not an address when built', () => {
    expect(() => new SesMailer({ client: new SESv2Client({}), from: 'deals' })).toThrow(/from/);
  });
});

describe('sesMailerFromEnvironment', () => {
  it('fails fast, naming MAIL_FROM, when it is missing', () => {
    expect(() => sesMailerFromEnvironment({ MAIL_FROM: ' ' })).toThrow(SesMailerConfigurationError);
    expect(() => sesMailerFromEnvironment({})).toThrow(/MAIL_FROM/);
  });

  it('builds a mailer that sends from MAIL_FROM through the configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'id-3' });

    await sesMailerFromEnvironment(
      { MAIL_FROM: 'deals@vendor.example', SES_CONFIGURATION_SET: 'events' },
      new SESv2Client({ region: 'us-east-1' }),
    ).send(email);

    expect(sentInput()).toMatchObject({
      FromEmailAddress: 'deals@vendor.example',
      ConfigurationSetName: 'events',
    });
  });
});
