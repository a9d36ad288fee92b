import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { customerDomainIndexAttributes, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { receiveSubmission } from '#use-cases/receive-submission.ts';

let tables: TestTables;
let tableName: string;
let book: DynamoDbRegistrationBook;
let mailbox: LocalMailbox;
/** Write units each request spent on the customer-domain index, in the order they were sent. */
const indexWrites: number[] = [];

beforeAll(async () => {
  tables = await createTestTables([registrationsTable]);
  tableName = tables.tableName(registrationsTable.logicalName);
  tables.client.middlewareStack.add(
    (next) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { GlobalSecondaryIndexes?: unknown } })
        .ConsumedCapacity;
      const indexes = consumed?.GlobalSecondaryIndexes as
        | Record<string, { CapacityUnits?: number }>
        | undefined;
      indexWrites.push(indexes?.byCustomerReceipt?.CapacityUnits ?? 0);
      return result;
    },
    { step: 'initialize', name: 'indexCapacity' },
  );
  book = new DynamoDbRegistrationBook(tables.documentClient, tableName);
  mailbox = new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-index-mail-')));
});

/**
 * Stores a submission through the intake, as a partner's form would, received at `receivedAt`
 * (and claiming that time, unless told otherwise), and returns its id.
 */
async function submit(
  customerDomain: string,
  receivedAt: string,
  partnerDomain = 'northwind-partners.com',
  claimedAt = receivedAt,
) {
  const result = await receiveSubmission(
    {
      inbox: new DynamoDbRegistrationInbox(tables.documentClient, tableName),
      workflow: new LocalRegistrationWorkflow(),
      mailer: mailbox,
      formFieldMapping: defaultFormFieldMapping,
      now: () => new Date(receivedAt),
    },
    formSubmission({
      submittedAt: Date.parse(claimedAt),
      fields: {
        customer_domain: customerDomain,
        partner_company_domain: partnerDomain,
        expected_close_date: '2027-12-31',
      },
    }),
    'webhook',
  );
  return result.registrationId;
}

const inReview: RegistrationProgress = {
  status: 'in-review',
  partnerId: '201',
  partnerName: 'Northwind Partners',
  amountUsdMinor: 1_200_000,
  updatedAt: '2026-11-24T09:00:01.000Z',
};

describe('the customer-domain index', () => {
  it('reads only the registrations received from the given time on, first received first', async () => {
    // prepare
    const old = await submit('tailspin.com', '2026-01-05T10:00:00.000Z');
    const recent = await submit('tailspin.com', '2026-11-20T10:00:00.000Z');
    const latest = await submit('tailspin.com', '2026-11-24T10:00:00.000Z', 'fabrikam-partners.com');
    await submit('other-customer.com', '2026-11-24T10:00:00.000Z');
    // act
    const rows = await book.byCustomerDomain('tailspin.com', '2026-06-01T00:00:00.000Z');
    // assess
    expect(rows.map((row) => row.registrationId)).toEqual([recent, latest]);
    expect(rows.map((row) => row.registrationId)).not.toContain(old);
    expect(rows[1]).toEqual({
      registrationId: latest,
      receivedAt: '2026-11-24T10:00:00.000Z',
      customerDomain: 'tailspin.com',
      partnerDomain: 'fabrikam-partners.com',
      customerCompanyKey: 'contoso',
      standing: {},
    });
  });

  it('orders and bounds by the receipt, whatever time a submission claims', async () => {
    // prepare: one received at 10:00 claiming 07:00 (within the tolerance), one received honestly at 09:30
    const claimingEarlier = await submit(
      'northwind-traders.com',
      '2026-11-24T10:00:00.000Z',
      'fabrikam-partners.com',
      '2026-11-24T07:00:00.000Z',
    );
    const honest = await submit('northwind-traders.com', '2026-11-24T09:30:00.000Z');
    // act
    const all = await book.byCustomerDomain('northwind-traders.com', '2026-11-24T00:00:00.000Z');
    const fromNineFortyFive = await book.byCustomerDomain(
      'northwind-traders.com',
      '2026-11-24T09:45:00.000Z',
    );
    // assess
    expect(all.map((row) => row.registrationId)).toEqual([honest, claimingEarlier]);
    expect(fromNineFortyFive.map((row) => row.registrationId)).toEqual([claimingEarlier]);
  });

  it('still reads a registration stored before the index carried its own copies, from the whole item', async () => {
    // prepare: as an earlier version stored it, its progress inline and no top-level partner
    // domain, company key or standing
    const registrationId = await submit('adventure-works.com', '2026-11-24T10:00:00.000Z');
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { registrationId },
        UpdateExpression: 'SET progress = :progress REMOVE partnerDomain, customerCompanyKey, standing',
        ExpressionAttributeValues: { ':progress': inReview },
      }),
    );
    // act
    const rows = await book.byCustomerDomain('adventure-works.com', '2026-06-01T00:00:00.000Z');
    // assess
    expect(rows).toEqual([
      {
        registrationId,
        receivedAt: '2026-11-24T10:00:00.000Z',
        customerDomain: 'adventure-works.com',
        partnerDomain: 'northwind-partners.com',
        customerCompanyKey: 'contoso',
        standing: { status: 'in-review', partnerId: '201', partnerName: 'Northwind Partners' },
      },
    ]);
  });

  it('holds only the keys and the projected attributes, never the submission, details or progress', async () => {
    // prepare
    const indexed = ['registrationId', 'customerDomain', 'receivedAt', ...customerDomainIndexAttributes];
    const registrationId = await submit('wingtip.com', '2026-11-24T10:00:00.000Z');
    await book.saveProgress(registrationId, inReview);
    // act
    const page = await tables.documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byCustomerReceipt',
        KeyConditionExpression: 'customerDomain = :domain',
        ExpressionAttributeValues: { ':domain': 'wingtip.com' },
      }),
    );
    // assess: one row, the progress item's, which has the standing (the registration item's row
    // went when the progress item was written)
    const rows = page.Items ?? [];
    expect(rows.map((row) => row.registrationId)).toEqual([`${registrationId}#progress`]);
    for (const row of rows) {
      expect(Object.keys(row).every((key) => indexed.includes(key))).toBe(true);
    }
    const row = rows.find((item) => item.registrationId === `${registrationId}#progress`);
    expect(Object.keys(row ?? {}).sort()).toEqual([...indexed].sort());
    expect(row?.standing).toEqual({
      status: 'in-review',
      partnerId: '201',
      partnerName: 'Northwind Partners',
    });
  });

  it('costs no index write for a progress write that leaves the standing as it is', async () => {
    // prepare
    const registrationId = await submit('litware.com', '2026-11-24T10:00:00.000Z');
    await book.saveProgress(registrationId, inReview);
    const before = indexWrites.length;
    // act
    await book.saveProgress(registrationId, {
      ...inReview,
      amountUsdMinor: 900_000,
      updatedAt: '2026-11-24T09:05:00.000Z',
    });
    await book.saveProgress(registrationId, {
      ...inReview,
      status: 'approved',
      approvedAt: '2026-11-24T09:10:00.000Z',
      expiresAt: '2027-02-22T09:10:00.000Z',
      updatedAt: '2026-11-24T09:10:00.000Z',
    });
    // assess
    expect(indexWrites.slice(before)).toEqual([0, 1]);
    const [row] = await book.byCustomerDomain('litware.com', '2026-11-01T00:00:00.000Z');
    expect(row?.standing).toEqual({
      status: 'approved',
      partnerId: '201',
      partnerName: 'Northwind Partners',
      approvedAt: '2026-11-24T09:10:00.000Z',
      expiresAt: '2027-02-22T09:10:00.000Z',
    });
  });

  it('keeps only the registrations that can still hold the customer: one row each, none once ended', async () => {
    // prepare: one waiting for its workflow, one in review, one declined, one approved then expired
    const waiting = await submit('contoso-pharma.com', '2026-11-24T10:00:00.000Z');
    const inReviewId = await submit('contoso-pharma.com', '2026-11-24T10:01:00.000Z');
    const declined = await submit('contoso-pharma.com', '2026-11-24T10:02:00.000Z');
    const expired = await submit('contoso-pharma.com', '2026-11-24T10:03:00.000Z');
    await book.saveProgress(inReviewId, inReview);
    await book.saveProgress(declined, inReview);
    await book.saveProgress(declined, {
      ...inReview,
      status: 'declined',
      updatedAt: '2026-11-24T10:05:00.000Z',
    });
    // Declined at its first step (an unknown partner): its progress item never enters the index.
    const declinedAtOnce = await submit('contoso-pharma.com', '2026-11-24T10:04:00.000Z');
    await book.saveProgress(declinedAtOnce, { status: 'declined', updatedAt: '2026-11-24T10:05:00.000Z' });
    const approvedProgress: RegistrationProgress = {
      ...inReview,
      status: 'approved',
      approvedAt: '2026-11-24T10:06:00.000Z',
      expiresAt: '2027-02-22T10:06:00.000Z',
    };
    await book.saveProgress(expired, approvedProgress);
    await book.saveProgress(expired, {
      ...approvedProgress,
      status: 'expired',
      updatedAt: '2027-02-22T10:06:00.000Z',
    });
    // act
    const page = await tables.documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byCustomerReceipt',
        KeyConditionExpression: 'customerDomain = :domain',
        ExpressionAttributeValues: { ':domain': 'contoso-pharma.com' },
      }),
    );
    const rows = await book.byCustomerDomain('contoso-pharma.com', '2026-11-01T00:00:00.000Z');
    // assess
    expect((page.Items ?? []).map((row) => row.registrationId).sort()).toEqual(
      [waiting, `${inReviewId}#progress`].sort(),
    );
    expect(rows.map((row) => [row.registrationId, row.standing.status])).toEqual([
      [waiting, undefined],
      [inReviewId, 'in-review'],
    ]);
  });

  it('reads past a registration row left behind by a write that failed after the progress was written', async () => {
    // prepare: the first progress write stored the progress item, then failed before the
    // registration item left the index; the registration later ended, or is still in review
    const ended = await submit('margies-travel.com', '2026-11-24T10:00:00.000Z');
    const holding = await submit('margies-travel.com', '2026-11-24T10:01:00.000Z');
    for (const registrationId of [ended, holding]) await book.saveProgress(registrationId, inReview);
    await book.saveProgress(ended, {
      ...inReview,
      status: 'declined',
      updatedAt: '2026-11-24T10:05:00.000Z',
    });
    for (const registrationId of [ended, holding]) {
      await tables.documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { registrationId },
          UpdateExpression: 'SET customerDomain = :domain',
          ExpressionAttributeValues: { ':domain': 'margies-travel.com' },
        }),
      );
    }
    // act
    const rows = await book.byCustomerDomain('margies-travel.com', '2026-11-01T00:00:00.000Z');
    // assess: the ended one is left out (its progress item says so); the other is read as its progress stands
    expect(rows.map((row) => [row.registrationId, row.standing.status])).toEqual([[holding, 'in-review']]);
  });
});
