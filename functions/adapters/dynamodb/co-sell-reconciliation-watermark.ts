import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ItemKind, parseItem } from '#adapters/dynamodb/parse-item.ts';
import type { CoSellReconciliationWatermarkStore } from '#ports/co-sell-reconciliation.ts';

/**
 * The item of the `SweeperState` table that holds the co-sell reconciliation's watermark. The
 * table is keyed by `formGuid`; this key cannot be a HubSpot form's GUID (those are UUIDs).
 */
export const coSellReconciliationStateKey = 'co-sell-reconciliation';

const watermarkItemSchema = z.object({
  formGuid: z.literal(coSellReconciliationStateKey),
  watermark: z.iso.datetime(),
});

const watermarkItem: ItemKind<typeof watermarkItemSchema> = {
  schema: watermarkItemSchema,
  what: 'the co-sell reconciliation watermark',
  key: ['formGuid'],
};

/** The co-sell reconciliation's watermark, one item in the sweeper's state table. */
export class DynamoDbCoSellReconciliationWatermark implements CoSellReconciliationWatermarkStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => Date;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async load(): Promise<string | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { formGuid: coSellReconciliationStateKey },
        ConsistentRead: true,
      }),
    );
    if (result.Item === undefined) return undefined;
    return parseItem(watermarkItem, this.#tableName, result.Item).watermark;
  }

  async save(watermark: string): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { formGuid: coSellReconciliationStateKey, watermark, updatedAt: this.#now().toISOString() },
      }),
    );
  }
}
