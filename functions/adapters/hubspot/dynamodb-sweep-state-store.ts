import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ItemKind, parseItem } from '#adapters/dynamodb/parse-item.ts';
import { type SweepState, SweepStateConflictError, type SweepStateStore } from '#ports/sweep-state.ts';

/** A form's sweep state as `save` writes it (`watermarkIso` and `updatedAt` are for people). */
const sweepStateItemSchema = z.object({
  formGuid: z.string().min(1),
  version: z.int().min(1),
  watermark: z.number().optional(),
  retryFrom: z.number().optional(),
  resumeAfter: z.string().optional(),
  resumeNewestSeen: z.number().optional(),
  resumeOldestFailed: z.number().optional(),
});

const sweepStateItem: ItemKind<typeof sweepStateItemSchema> = {
  schema: sweepStateItemSchema,
  what: 'a sweep state',
  key: ['formGuid'],
};

/**
 * The backfill sweeper's state in DynamoDB (table `SweeperState`), one item per form. Saves are
 * conditional on the version read, so two overlapping runs of one form cannot both move it.
 */
export class DynamoDbSweepStateStore implements SweepStateStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #now: () => Date;

  constructor(client: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#tableName = tableName;
    this.#now = now;
  }

  async load(formGuid: string): Promise<SweepState | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { formGuid }, ConsistentRead: true }),
    );
    if (result.Item === undefined) return undefined;
    const item = parseItem(sweepStateItem, this.#tableName, result.Item);
    return {
      formGuid,
      version: item.version,
      watermark: typeof item.watermark === 'number' ? item.watermark : undefined,
      retryFrom: item.retryFrom,
      resume:
        typeof item.resumeAfter === 'string' && typeof item.resumeNewestSeen === 'number'
          ? {
              after: item.resumeAfter,
              newestSeen: item.resumeNewestSeen,
              oldestFailed: typeof item.resumeOldestFailed === 'number' ? item.resumeOldestFailed : undefined,
            }
          : undefined,
    };
  }

  async save(state: Omit<SweepState, 'version'>, expectedVersion: number): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            formGuid: state.formGuid,
            version: expectedVersion + 1,
            updatedAt: this.#now().toISOString(),
            watermark: state.watermark,
            watermarkIso: state.watermark === undefined ? undefined : new Date(state.watermark).toISOString(),
            retryFrom: state.retryFrom,
            resumeAfter: state.resume?.after,
            resumeNewestSeen: state.resume?.newestSeen,
            resumeOldestFailed: state.resume?.oldestFailed,
          },
          ConditionExpression:
            expectedVersion === 0 ? 'attribute_not_exists(formGuid)' : '#version = :expected',
          ...(expectedVersion === 0
            ? {}
            : {
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new SweepStateConflictError(
          `another sweep of form ${state.formGuid} saved its state first (expected version ${expectedVersion})`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
