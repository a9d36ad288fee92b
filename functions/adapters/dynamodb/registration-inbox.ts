import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import type { RegistrationInbox, StoreResult } from '#ports/registration-inbox.ts';
import { parseItem } from './parse-item.ts';
import { progressItemKey } from './registration-items.ts';
import { storedRegistrationItem } from './stored-registration-item.ts';

/**
 * The registration inbox in DynamoDB: a conditional put on the registration id makes the first
 * delivery win; the losing delivery gets the stored item back from the failed condition itself.
 */
export class DynamoDbRegistrationInbox implements RegistrationInbox {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async storeIfNew(record: StoredRegistration): Promise<StoreResult> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(registrationId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { stored: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item
        ? parseItem(storedRegistrationItem, this.#tableName, unmarshall(error.Item))
        : await this.get(record.registrationId);
      if (existing === undefined)
        throw new Error(`registration ${record.registrationId} vanished after a conflicting write`, {
          cause: error,
        });
      return { stored: false, existing };
    }
  }

  async get(
    registrationId: string,
    options: { readonly eventuallyConsistent?: boolean } = {},
  ): Promise<StoredRegistration | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { registrationId },
        ConsistentRead: options.eventuallyConsistent !== true,
      }),
    );
    return result.Item === undefined
      ? undefined
      : parseItem(storedRegistrationItem, this.#tableName, result.Item);
  }

  /** Reads the key of the progress item alone, eventually consistent: half a read unit. */
  async workflowHasRun(registrationId: string): Promise<boolean> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: progressItemKey(registrationId),
        ProjectionExpression: 'registrationId',
      }),
    );
    return result.Item !== undefined;
  }

  async claimSubmitterNotification(registrationId: string, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { registrationId },
          UpdateExpression: 'SET notificationClaimedAt = :now',
          ConditionExpression:
            'attribute_exists(registrationId) AND attribute_not_exists(submitterNotifiedAt) AND ' +
            '(attribute_not_exists(notificationClaimedAt) OR notificationClaimedAt < :staleBefore)',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':staleBefore': new Date(now.getTime() - leaseMs).toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordSubmitterNotified(registrationId: string, at: Date): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { registrationId },
        UpdateExpression: 'SET submitterNotifiedAt = if_not_exists(submitterNotifiedAt, :at)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }
}
