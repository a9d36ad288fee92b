import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { standingOf } from '#domain/registration-standing.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { clearVerdict } from '#test/support/verdicts.ts';
import { receiveSubmission } from '#use-cases/receive-submission.ts';

let tables: TestTables;
let tableName: string;
let book: DynamoDbRegistrationBook;
let mailbox: LocalMailbox;
/** Write units each write spent on the table itself (its index apart), in the order they were sent. */
const writeUnits: number[] = [];

beforeAll(async () => {
  tables = await createTestTables([registrationsTable]);
  tableName = tables.tableName(registrationsTable.logicalName);
  tables.client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { Table?: { CapacityUnits?: number } } })
        .ConsumedCapacity;
      if (/Put|Update/.test(context.commandName ?? '')) writeUnits.push(consumed?.Table?.CapacityUnits ?? 0);
      return result;
    },
    { step: 'initialize', name: 'writeCapacity' },
  );
  book = new DynamoDbRegistrationBook(tables.documentClient, tableName);
  mailbox = new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-progress-mail-')));
});

/** Stores a submission through the intake, as a partner's form would, and returns its id. */
async function submit(customerDomain: string) {
  const result = await receiveSubmission(
    {
      inbox: new DynamoDbRegistrationInbox(tables.documentClient, tableName),
      workflow: new LocalRegistrationWorkflow(),
      mailer: mailbox,
      formFieldMapping: defaultFormFieldMapping,
      now: () => new Date('2026-11-24T10:00:00.000Z'),
    },
    formSubmission({
      submittedAt: Date.parse('2026-11-24T10:00:00.000Z'),
      fields: { customer_domain: customerDomain, expected_close_date: '2027-12-31' },
    }),
    'webhook',
  );
  return result.registrationId;
}

async function rawItem(registrationId: string) {
  const result = await tables.documentClient.send(
    new GetCommand({ TableName: tableName, Key: { registrationId }, ConsistentRead: true }),
  );
  return result.Item;
}

const inReview: RegistrationProgress = {
  status: 'in-review',
  partnerId: '201',
  partnerName: 'Northwind Partners',
  amountUsdMinor: 1_200_000,
  updatedAt: '2026-11-24T10:00:01.000Z',
};
const approved: RegistrationProgress = {
  ...inReview,
  status: 'approved',
  approvedAt: '2026-11-24T10:05:00.000Z',
  expiresAt: '2027-02-22T10:05:00.000Z',
  updatedAt: '2026-11-24T10:05:00.000Z',
};

const verdict = clearVerdict;

describe("a registration's progress", () => {
  it('is written to a small item of its own, and read back with the registration', async () => {
    // prepare
    const registrationId = await submit('fourth-coffee.com');
    const registrationBefore = await rawItem(registrationId);
    // act
    const first = await book.saveProgress(registrationId, inReview, { precondition: { statusIn: ['none'] } });
    const registrationAfterFirst = await rawItem(registrationId);
    const writesBefore = writeUnits.length;
    const second = await book.saveProgress(registrationId, approved, {
      precondition: { statusIn: ['in-review'] },
      sideEffects: { set: { extensionCallbackToken: 'token-1' } },
    });
    // assess
    expect([first, second]).toEqual([true, true]);
    // One unit: the progress item is under 1 KB; the registration item is not written.
    expect(writeUnits.slice(writesBefore)).toEqual([1]);
    // The first progress write took the registration item's row out of the customer-domain index
    // (the progress item's row stands for the registration from then on); nothing else changed.
    const { customerDomain: _indexKey, ...unindexed } = registrationBefore ?? {};
    expect(registrationAfterFirst).toEqual(unindexed);
    expect(await rawItem(registrationId)).toEqual(registrationAfterFirst);
    // What the standing holds (status, partner, approval, expiry) is stored there only.
    expect(await rawItem(`${registrationId}#progress`)).toMatchObject({
      progress: { amountUsdMinor: approved.amountUsdMinor, updatedAt: approved.updatedAt },
      standing: standingOf(approved),
      extensionCallbackToken: 'token-1',
      customerDomain: 'fourth-coffee.com',
    });
    expect((await rawItem(`${registrationId}#progress`))?.progress).not.toHaveProperty('status');
    const stored = await book.get(registrationId);
    expect(stored).toMatchObject({ registrationId, progress: approved, extensionCallbackToken: 'token-1' });
    expect(stored?.details?.customerDomain).toBe('fourth-coffee.com');
    const scanned = (await scanStoredRegistrations(tables.documentClient, tableName)).filter(
      (registration) => registration.registrationId === registrationId,
    );
    expect(scanned.map((registration) => registration.progress)).toEqual([approved]);
    const history = await new DynamoDbRegistrationHistory(
      tables.documentClient,
      tableName,
    ).listRegistrations();
    expect(history.filter((registration) => registration.registrationId === registrationId)).toHaveLength(1);
    expect(
      history.find((registration) => registration.registrationId === registrationId)?.progress?.status,
    ).toBe('approved');
    const [row, ...others] = await book.byCustomerDomain('fourth-coffee.com', '2026-11-01T00:00:00.000Z');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ registrationId, standing: { status: 'approved' } });
  });

  it('keeps the precondition: a write that expects another status writes nothing', async () => {
    // prepare
    const registrationId = await submit('lucerne-publishing.com');
    await book.saveProgress(registrationId, inReview, { precondition: { statusIn: ['none'] } });
    // act
    const again = await book.saveProgress(registrationId, approved, { precondition: { statusIn: ['none'] } });
    const wrongStatus = await book.saveProgress(registrationId, approved, {
      precondition: { statusIn: ['approved'] },
    });
    const unknown = await book.saveProgress('DR-NOSUCHREGISTRATION', inReview);
    // assess
    expect([again, wrongStatus, unknown]).toEqual([false, false, false]);
    expect((await book.get(registrationId))?.progress).toEqual(inReview);
    expect(await rawItem('DR-NOSUCHREGISTRATION#progress')).toBeUndefined();
    expect(await book.get('DR-NOSUCHREGISTRATION')).toBeUndefined();
  });

  it('stored inline by an earlier version is still read, written and claimed there', async () => {
    // prepare: as an earlier version stored it, the progress and the callback token on the registration item
    const registrationId = await submit('margies-travel.com');
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { registrationId },
        UpdateExpression: 'SET progress = :progress, standing = :standing, extensionCallbackToken = :token',
        ExpressionAttributeValues: {
          ':progress': inReview,
          ':standing': { status: 'in-review', partnerId: '201', partnerName: 'Northwind Partners' },
          ':token': 'token-2',
        },
      }),
    );
    // act
    const read = await book.get(registrationId);
    const written = await book.saveProgress(registrationId, approved, {
      precondition: { statusIn: ['in-review'] },
    });
    const claimed = await book.claim(
      registrationId,
      { attribute: 'extensionCallbackToken', equals: 'token-2' },
      { remove: ['extensionCallbackToken'] },
    );
    // assess
    expect(read?.progress).toEqual(inReview);
    expect([written, claimed]).toEqual([true, true]);
    expect(await rawItem(`${registrationId}#progress`)).toBeUndefined();
    const item = await rawItem(registrationId);
    expect(item?.progress).toEqual(approved);
    expect(item?.extensionCallbackToken).toBeUndefined();
    expect((await book.get(registrationId))?.progress).toEqual(approved);
    const [row] = await book.byCustomerDomain('margies-travel.com', '2026-11-01T00:00:00.000Z');
    expect(row?.standing.status).toBe('approved');
    const extension = await new DynamoDbExtensionRequestStore(tables.documentClient, tableName).get(
      registrationId,
    );
    expect(extension).toMatchObject({ registrationId, expiresAt: approved.expiresAt });
  });

  it('claims on the progress item, once', async () => {
    // prepare
    const registrationId = await submit('trey-research.com');
    await book.saveProgress(registrationId, inReview, {
      sideEffects: { set: { informationCallbackToken: 'token-3' } },
    });
    // act
    const claim = () =>
      book.claim(
        registrationId,
        { attribute: 'informationCallbackToken', equals: 'token-3' },
        {
          set: { informationAnswer: { at: '2026-11-25T09:00:00.000Z' } },
          remove: ['informationCallbackToken'],
        },
      );
    const results = [await claim(), await claim()];
    // assess
    expect(results).toEqual([true, false]);
    expect(await book.get(registrationId)).toMatchObject({
      progress: inReview,
      informationAnswer: { at: '2026-11-25T09:00:00.000Z' },
    });
    expect((await rawItem(registrationId))?.informationAnswer).toBeUndefined();
  });

  it("keeps the check's verdict in an item of its own, written once and read with the progress", async () => {
    // prepare
    const registrationId = await submit('wide-world-importers.com');
    await book.saveProgress(registrationId, inReview, { precondition: { statusIn: ['none'] } });
    const writesBefore = writeUnits.length;
    // act
    await book.saveCheckFindings(registrationId, { verdict, checkedAt: '2026-11-24T10:00:02.000Z' });
    const checked = await book.get(registrationId);
    const written = await book.saveProgress(
      registrationId,
      { ...(checked?.progress ?? inReview), ...approved, verdict },
      { precondition: { statusIn: ['in-review'] } },
    );
    // assess
    expect(written).toBe(true);
    // The check writes the verdict item; the approval writes the progress item without the verdict.
    expect(writeUnits.slice(writesBefore)).toEqual([1, 1]);
    expect(checked?.progress).toEqual({ ...inReview, verdict, updatedAt: '2026-11-24T10:00:02.000Z' });
    expect((await rawItem(`${registrationId}#progress`))?.progress).not.toHaveProperty('verdict');
    expect(await rawItem(`${registrationId}#verdict`)).toMatchObject({ verdict });
    expect((await book.get(registrationId))?.progress).toEqual({ ...approved, verdict });
    const scanned = (await scanStoredRegistrations(tables.documentClient, tableName)).filter(
      (registration) => registration.registrationId === registrationId,
    );
    expect(scanned.map((registration) => registration.progress)).toEqual([{ ...approved, verdict }]);
    // A step that does not read the verdict writes its progress back without losing it.
    const withoutVerdict = await book.get(registrationId, { withVerdict: false });
    expect(withoutVerdict?.progress).toEqual(approved);
    const expired = { ...approved, status: 'expired' as const, updatedAt: '2027-02-22T10:05:00.000Z' };
    expect(await book.saveProgress(registrationId, expired)).toBe(true);
    expect((await book.get(registrationId))?.progress).toEqual({ ...expired, verdict });
    // Expired, it never holds its customer again: it has left the customer-domain index.
    const rows = await book.byCustomerDomain('wide-world-importers.com', '2026-11-01T00:00:00.000Z');
    expect(rows.map((row) => row.registrationId)).toEqual([]);
    expect(await rawItem(`${registrationId}#progress`)).not.toHaveProperty('customerDomain');
  });

  it('stored with the verdict inline by an earlier version is still read and written whole there', async () => {
    // prepare: as an earlier version stored it, the whole progress with its verdict on the progress item
    const registrationId = await submit('tailspin-toys.com');
    await book.saveProgress(registrationId, inReview, { precondition: { statusIn: ['none'] } });
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { registrationId: `${registrationId}#progress` },
        UpdateExpression: 'SET progress = :progress',
        ExpressionAttributeValues: { ':progress': { ...inReview, verdict } },
      }),
    );
    // act
    const read = await book.get(registrationId);
    const readWithoutVerdictItem = await book.get(registrationId, { withVerdict: false });
    const written = await book.saveProgress(
      registrationId,
      { ...approved, verdict },
      { precondition: { statusIn: ['in-review'] } },
    );
    const wrongStatus = await book.saveProgress(registrationId, inReview, {
      precondition: { statusIn: ['in-review'] },
    });
    // assess
    expect(read?.progress).toEqual({ ...inReview, verdict });
    expect(readWithoutVerdictItem?.progress).toEqual({ ...inReview, verdict });
    expect([written, wrongStatus]).toEqual([true, false]);
    expect((await rawItem(`${registrationId}#progress`))?.progress).toEqual({ ...approved, verdict });
    expect((await book.get(registrationId))?.progress).toEqual({ ...approved, verdict });
  });
});
