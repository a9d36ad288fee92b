import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepRequestState } from '#domain/sweep-request.ts';
import type { IntakeTrigger, IntakeTriggerStore, SweepRequestLog } from '#ports/sweep-requests.ts';

/** Keys of the items kept beside the forms' sweep states; none can be a form GUID. */
const sweepRequestKey = 'sweep-request';
const sweepStartedKey = 'sweep-started';
const triggerKeyPrefix = 'intake-trigger#';

/** How long a stored trigger is kept for inspection (`expiresAt`, epoch seconds, for a TTL). */
const triggerRetentionMs = 30 * 86_400_000;

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The intake's triggers and the sweep requests they make, in the SweeperState table beside the
 * forms' sweep states (partition key `formGuid`): `intake-trigger#<id>` per workflow webhook,
 * `sweep-request` (when the intake last asked for a sweep) and `sweep-started` (when a sweep last
 * began). Item reads and conditional puts only, as the table's grants allow.
 */
export class DynamoDbIntakeTriggers implements IntakeTriggerStore, SweepRequestLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async store(trigger: IntakeTrigger): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          formGuid: `${triggerKeyPrefix}${trigger.triggerId}`,
          kind: 'intake-trigger',
          receivedAt: trigger.receivedAt.toISOString(),
          objectId: trigger.objectId,
          rawBody: trigger.rawBody,
          expiresAt: Math.floor((trigger.receivedAt.getTime() + triggerRetentionMs) / 1000),
        },
      }),
    );
  }

  async load(): Promise<SweepRequestState> {
    const [request, started] = await Promise.all(
      [sweepRequestKey, sweepStartedKey].map((formGuid) =>
        this.#client.send(
          new GetCommand({ TableName: this.#tableName, Key: { formGuid }, ConsistentRead: true }),
        ),
      ),
    );
    return {
      requestedAt: finiteNumber(request?.Item?.requestedAt),
      startedAt: finiteNumber(started?.Item?.startedAt),
    };
  }

  async claim(seen: SweepRequestState, requestedAt: number): Promise<boolean> {
    return this.#putRequest(requestedAt, seen.requestedAt);
  }

  async release(seen: SweepRequestState, requestedAt: number): Promise<void> {
    await this.#putRequest(seen.requestedAt ?? 0, requestedAt);
  }

  async recordSweepStarted(startedAt: number): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { formGuid: sweepStartedKey, startedAt, startedAtIso: new Date(startedAt).toISOString() },
          ConditionExpression: 'attribute_not_exists(formGuid) OR startedAt < :startedAt',
          ExpressionAttributeValues: { ':startedAt': startedAt },
        }),
      );
    } catch (error) {
      // A sweep that started later already recorded its start: that one counts.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Writes the request time, if the stored one is still `expected`; false when it is not. */
  async #putRequest(requestedAt: number, expected: number | undefined): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            formGuid: sweepRequestKey,
            requestedAt,
            requestedAtIso: new Date(requestedAt).toISOString(),
          },
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(formGuid)' }
            : {
                ConditionExpression: 'requestedAt = :expected',
                ExpressionAttributeValues: { ':expected': expected },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
