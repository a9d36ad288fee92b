import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** The item after a conditional update, or as it was when the condition failed (none: no item). */
type ConditionalUpdateResult =
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
