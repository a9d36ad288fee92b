import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnceOnlyMailer } from '#adapters/dynamodb/once-only-mailer.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { approvalsTable } from '#lib/tables/index.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';

let tables: TestTables;
let directory: string;

beforeAll(async () => {
  tables = await createTestTables([approvalsTable]);
  directory = await mkdtemp(join(tmpdir(), 'dealreg-once-only-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const reminder = (onceKey?: string): OutgoingEmail => ({
  to: ['casey@vendor.example'],
  subject: 'Reminder: approve DR-1',
  text: 'Please decide.',
  html: '<p>Please decide.</p>',
  template: 'approval-reminder',
  ...(onceKey === undefined ? {} : { onceKey }),
});

describe('once-only mailer over the approvals table', () => {
  it('sends an email with a once-key once, however often the step runs, and answers with the first message id', async () => {
    const mailbox = new LocalMailbox(join(directory, 'a'));
    const mailer = new OnceOnlyMailer(
      mailbox,
      tables.documentClient,
      tables.tableName(approvalsTable.logicalName),
    );

    const first = await mailer.send(reminder('DR-1#first-level:reminder:1'));
    const repeated = await mailer.send(reminder('DR-1#first-level:reminder:1'));
    const next = await mailer.send(reminder('DR-1#first-level:reminder:2'));

    expect(repeated.messageId).toBe(first.messageId);
    expect(next.messageId).not.toBe(first.messageId);
    expect(await mailbox.list()).toHaveLength(2);
  });

  it('passes an email without a once-key straight through, every time', async () => {
    const mailbox = new LocalMailbox(join(directory, 'b'));
    const mailer = new OnceOnlyMailer(
      mailbox,
      tables.documentClient,
      tables.tableName(approvalsTable.logicalName),
    );

    await mailer.send(reminder());
    await mailer.send(reminder());

    expect(await mailbox.list()).toHaveLength(2);
  });

  it('records nothing when the hand-over fails, so the repeated step sends it', async () => {
    const mailbox = new LocalMailbox(join(directory, 'c'));
    let failNext = true;
    const flaky = {
      send: async (email: OutgoingEmail) => {
        if (failNext) {
          failNext = false;
          throw new Error('SES throttled');
        }
        return mailbox.send(email);
      },
    };
    const mailer = new OnceOnlyMailer(
      flaky,
      tables.documentClient,
      tables.tableName(approvalsTable.logicalName),
    );

    await expect(mailer.send(reminder('DR-2:declined'))).rejects.toThrow('SES throttled');
    await mailer.send(reminder('DR-2:declined'));

    expect(await mailbox.list()).toHaveLength(1);
  });
});
