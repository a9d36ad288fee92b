import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { type ItemKind, parseItem } from '#adapters/dynamodb/parse-item.ts';
import {
  chainIdSchema,
  type LedgerEntry,
  sha256HexSchema,
  storedInstantSchema,
} from '#domain/ledger/entry.ts';
import type { ChainHead } from '#domain/ledger/seal.ts';
import type { LedgerIndexKey, LedgerStore, RawLedgerItem } from '#ports/ledger.ts';

const chainHeadItemSchema = z.object({
  opportunityId: chainIdSchema,
  sequence: z.int().min(1),
  hash: sha256HexSchema,
  recordedAt: storedInstantSchema.optional(),
});

/** The last entry of a chain, as much of it as the next entry links to. */
const chainHeadItem: ItemKind<typeof chainHeadItemSchema> = {
  schema: chainHeadItemSchema,
  what: 'the head of a ledger chain',
  key: ['opportunityId', 'sequence'],
};

/** A stored item DynamoDB could not even convert (e.g. a number beyond JavaScript's range). */
function toRaw(item: Record<string, AttributeValue>): RawLedgerItem {
  try {
    return unmarshall(item);
  } catch (error) {
    return {
      opportunityId: item.opportunityId?.S,
      sequence: Number(item.sequence?.N),
      unreadable: (error as Error).message,
    };
  }
}

/** The index answering each secondary key (see `lib/tables/ledger-table.ts`). */
const indexByAttribute: Readonly<Record<string, string>> = {
  partnerId: 'byPartner',
  campaignId: 'byCampaign',
  effectiveMonth: 'byEffectiveMonth',
  investmentId: 'byInvestment',
};

/** DynamoDB's limit on the actions of one TransactWriteItems call. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * The ledger in one DynamoDB table (see `lib/tables/ledger-table.ts`). Writes are PutItem with
 * `attribute_not_exists`, so an entry is inserted once and never replaced; everything else reads.
 */
export class DynamoDbLedgerStore implements LedgerStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly maxBatch: number = MAX_TRANSACTION_ITEMS;

  constructor(client: DynamoDBClient, tableName: string) {
    if (tableName.length === 0) throw new Error('ledger table name is empty');
    this.#client = client;
    this.#tableName = tableName;
  }

  async readHead(opportunityId: string): Promise<ChainHead | undefined> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'opportunityId = :id',
        ExpressionAttributeValues: { ':id': { S: opportunityId } },
        ProjectionExpression: 'opportunityId, #sequence, #hash, recordedAt',
        ExpressionAttributeNames: { '#sequence': 'sequence', '#hash': 'hash' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = result.Items?.[0];
    if (item === undefined) return undefined;
    const head = parseItem(chainHeadItem, this.#tableName, unmarshall(item));
    return {
      opportunityId,
      sequence: head.sequence,
      hash: head.hash,
      recordedAt: head.recordedAt,
    };
  }

  async insert(entry: LedgerEntry): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: marshall(entry, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(opportunityId)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Inserts every entry or none, in one transaction of conditional puts (at most 100, DynamoDB's
   * limit). False when any (opportunity, sequence) was taken or another transaction held one of
   * them: nothing was written and the caller re-reads the heads.
   */
  async insertAll(entries: readonly LedgerEntry[]): Promise<boolean> {
    if (entries.length === 0) return true;
    if (entries.length > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(
        `a transaction holds at most ${MAX_TRANSACTION_ITEMS} entries, got ${entries.length}`,
      );
    }
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: entries.map((entry) => ({
            Put: {
              TableName: this.#tableName,
              Item: marshall(entry, { removeUndefinedValues: true }),
              ConditionExpression: 'attribute_not_exists(opportunityId)',
            },
          })),
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        (error.CancellationReasons ?? []).some(
          (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
        )
      )
        return false;
      throw error;
    }
  }

  async readChainRaw(opportunityId: string): Promise<RawLedgerItem[]> {
    return this.#queryAll({
      TableName: this.#tableName,
      KeyConditionExpression: 'opportunityId = :id',
      ExpressionAttributeValues: { ':id': { S: opportunityId } },
      ConsistentRead: true,
    });
  }

  async scanRaw(
    onItems: (items: RawLedgerItem[]) => void | Promise<void>,
    options: { segments?: number } = {},
  ): Promise<void> {
    const segments = options.segments ?? 4;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let startKey: Record<string, AttributeValue> | undefined;
        do {
          const page = await this.#client.send(
            new ScanCommand({
              TableName: this.#tableName,
              Segment: segment,
              TotalSegments: segments,
              ExclusiveStartKey: startKey,
            }),
          );
          await onItems((page.Items ?? []).map(toRaw));
          startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
      }),
    );
  }

  async queryIndexRaw(key: LedgerIndexKey): Promise<RawLedgerItem[]> {
    const [[attribute, value]] = Object.entries(key) as [[string, string]];
    const indexName = indexByAttribute[attribute] ?? 'byEffectiveMonth';
    const query: QueryCommandInput = {
      TableName: this.#tableName,
      IndexName: indexName,
      KeyConditionExpression: '#key = :value',
      ExpressionAttributeNames: { '#key': attribute },
      ExpressionAttributeValues: { ':value': { S: value } },
    };
    return this.#queryAll(query);
  }

  async listChainIds(): Promise<string[]> {
    const items = await this.#queryAll({
      TableName: this.#tableName,
      IndexName: 'chains',
      KeyConditionExpression: 'chainStart = :chain',
      ExpressionAttributeValues: { ':chain': { S: 'CHAIN' } },
      ProjectionExpression: 'opportunityId',
    });
    return items.map((item) => String(item.opportunityId));
  }

  async #queryAll(input: QueryCommandInput): Promise<RawLedgerItem[]> {
    const items: RawLedgerItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) items.push(toRaw(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}
