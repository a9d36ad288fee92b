import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { evaluateSubmission } from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import { CorruptItemError } from '#ports/corrupt-item-error.ts';
import { formSubmission } from '#test/support/submissions.ts';

const tableName = 'Registrations';

function storedItem(): Record<string, unknown> {
  const submission = formSubmission();
  const evaluation = evaluateSubmission(
    submission,
    defaultFormFieldMapping,
    new Date('2026-11-24T09:00:05Z'),
  );
  if (!evaluation.valid) throw new Error('the sample submission should be valid');
  return {
    registrationId: registrationIdFor(submission.conversionId),
    conversionId: submission.conversionId,
    submittedAt: '2026-11-24T09:00:00.000Z',
    receivedAt: '2026-11-24T09:00:05.000Z',
    receivedVia: 'webhook',
    status: 'received',
    submission,
    details: evaluation.details,
    customerDomain: evaluation.details.customerDomain,
    informationCallbackToken: 'token-kept-by-the-workflow',
  };
}

/** A document client whose every read answers with `item`, as a get and as a one-page query. */
function clientReturning(item: Record<string, unknown>): DynamoDBDocumentClient {
  return { send: async () => ({ Item: item, Items: [item] }) } as unknown as DynamoDBDocumentClient;
}

describe('reading a stored registration back', () => {
  it('returns the item with the attributes other parts of Dealreg keep beside it', async () => {
    // prepare
    const item = storedItem();
    const book = new DynamoDbRegistrationBook(clientReturning(item), tableName);
    // act
    const record = await book.get(String(item.registrationId));
    // assess
    expect(record).toEqual(item);
    expect(record?.informationCallbackToken).toBe('token-kept-by-the-workflow');
  });

  it('refuses an item that is not a stored registration, naming the table, the key and the problem', async () => {
    // prepare
    const valid = storedItem();
    const item: Record<string, unknown> = {
      ...valid,
      details: { ...(valid.details as object), estimatedAmount: 12 },
    };
    const inbox = new DynamoDbRegistrationInbox(clientReturning(item), tableName);
    const book = new DynamoDbRegistrationBook(clientReturning(item), tableName);
    const registrationId = String(item.registrationId);
    // act
    const read = inbox.get(registrationId);
    const query = book.byCustomerDomain('contoso.com', '2026-01-01T00:00:00.000Z');
    // assess
    await expect(read).rejects.toThrow(CorruptItemError);
    await expect(read).rejects.toThrow(
      `item ${registrationId} of table ${tableName} is not a stored registration: details.estimatedAmount:`,
    );
    await expect(query).rejects.toThrow(CorruptItemError);
  });
});
