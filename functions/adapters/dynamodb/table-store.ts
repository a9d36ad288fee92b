import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { z } from 'zod';

/** A stored item that is not what Dealreg writes there. */
export class CorruptItemError extends Error {
  constructor(what: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(`${what} is unreadable: ${problems.join('; ')}`, options);
    this.name = 'CorruptItemError';
  }
}

/** Reads a stored item with `schema`; throws `CorruptItemError` naming `what` and each problem. */
export function parseItem<Schema extends z.ZodType>(
  schema: Schema,
  item: Record<string, unknown>,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptItemError(
      what,
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** The item after a conditional update, or as it was when the condition failed (none: no item). */
export type ConditionalUpdateResult =
  | { readonly applied: true; readonly item: Record<string, unknown> }
  | { readonly applied: false; readonly item: Record<string, unknown> | undefined };

/** A store kept in one DynamoDB table. */
export abstract class DynamoDbTableStore {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /**
   * One conditional update of this table that says whether it applied: of two racing writers
   * exactly one wins, and the loser gets the item that beat it from the failed condition itself
   * (`ReturnValuesOnConditionCheckFailure`), without a second read.
   */
  protected async conditionalUpdate(
    update: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'>,
  ): Promise<ConditionalUpdateResult> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          ...update,
          TableName: this.tableName,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (result.Attributes === undefined) throw new Error(`an update of ${this.tableName} returned no item`);
      return { applied: true, item: result.Attributes };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, item: error.Item === undefined ? undefined : unmarshall(error.Item) };
    }
  }
}
