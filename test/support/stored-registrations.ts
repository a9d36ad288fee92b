import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseItem } from '#adapters/dynamodb/parse-item.ts';
import { mergeScannedItems } from '#adapters/dynamodb/registration-items.ts';
import { storedRegistrationItem } from '#adapters/dynamodb/stored-registration-item.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';

/**
 * Every item of a registrations table, read consistently and parsed as Dealreg reads a stored
 * registration back: an item that is not one fails the test with the table, the key and the problem.
 */
export async function scanStoredRegistrations(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<StoredRegistration[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  // Each registration with its progress item merged in, as Dealreg reads it back.
  return mergeScannedItems(items).map((item) => parseItem(storedRegistrationItem, tableName, item));
}
