import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ItemKind, parseItem } from '#adapters/dynamodb/parse-item.ts';
import { mergeScannedItems } from '#adapters/dynamodb/registration-items.ts';
import { type QbrRegistration, qbrRegistrationSchema } from '#domain/qbr/registration-view.ts';
import type { RegistrationHistory } from '#ports/qbr.ts';

const reportedItem: ItemKind<typeof qbrRegistrationSchema> = {
  schema: qbrRegistrationSchema,
  what: 'a registration the pre-QBR report can read',
  key: ['registrationId'],
};

/**
 * The registrations table read whole for the pre-QBR report: a parallel scan (segments run at
 * once), each record checked against the report's view of a registration.
 */
export class DynamoDbRegistrationHistory implements RegistrationHistory {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #segments: number;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: { segments?: number } = {}) {
    if (tableName.length === 0) throw new Error('registrations table name is empty');
    this.#client = client;
    this.#tableName = tableName;
    this.#segments = options.segments ?? 4;
  }

  async listRegistrations(): Promise<QbrRegistration[]> {
    const segments = await Promise.all(
      Array.from({ length: this.#segments }, (_, segment) => this.#scanSegment(segment)),
    );
    // A registration's progress item may come in another segment than the registration item.
    return mergeScannedItems(segments.flat()).map((item) => parseItem(reportedItem, this.#tableName, item));
  }

  async #scanSegment(segment: number): Promise<Record<string, unknown>[]> {
    const records: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          Segment: segment,
          TotalSegments: this.#segments,
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }
}
