import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type Access,
  type ApprovalTask,
  accessSchema,
  approvalTaskSchema,
  type NewApprovalTask,
  type RecordedDecision,
  type Supersession,
} from '#domain/approvals/approval-task.ts';
import { ApprovalNotFoundError, InvalidApprovalTaskError } from '#domain/approvals/errors.ts';
import type { ApprovalStore, ConditionalResult } from '#ports/approvals.ts';

const taskRecord = 'task';
const viewPrefix = 'view#';

/** A stored item that is not a task as Dealreg writes it. */
export class CorruptApprovalItemError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptApprovalItemError';
  }
}

function toTask(item: Record<string, unknown>): ApprovalTask {
  const { record: _record, ...fields } = item;
  const parsed = approvalTaskSchema.safeParse(fields);
  if (!parsed.success) {
    throw new CorruptApprovalItemError(`approval item ${String(item.approvalId)} is not a valid task`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Approval tasks in DynamoDB (table `lib/tables/approvals-table.ts`). Decisions and
 * supersessions are conditional updates on `status = pending`; the losing writer gets the task
 * back from the failed condition itself (`ReturnValuesOnConditionCheckFailure`).
 */
export class DynamoDbApprovalStore implements ApprovalStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(task: NewApprovalTask): Promise<ApprovalTask> {
    const parsed = approvalTaskSchema.safeParse({ ...task, status: 'pending' });
    if (!parsed.success) {
      throw new InvalidApprovalTaskError(
        task.approvalId,
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        { cause: parsed.error },
      );
    }
    const stored = parsed.data;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...stored, record: taskRecord },
          ConditionExpression: 'attribute_not_exists(approvalId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return stored;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || error.Item === undefined) throw error;
      const existing = toTask(unmarshall(error.Item));
      if (existing.registrationId !== task.registrationId || existing.step !== task.step) {
        throw new Error(
          `approval ${task.approvalId} already exists for registration ${existing.registrationId} (${existing.step})`,
          { cause: error },
        );
      }
      return existing;
    }
  }

  async get(approvalId: string): Promise<ApprovalTask | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { approvalId, record: taskRecord },
        ConsistentRead: true,
      }),
    );
    return result.Item === undefined ? undefined : toTask(result.Item);
  }

  async attachCallbackToken(approvalId: string, callbackToken: string): Promise<void> {
    await this.#update(approvalId, {
      UpdateExpression: 'SET callbackToken = :token',
      ExpressionAttributeValues: { ':token': callbackToken },
    });
  }

  async recordView(approvalId: string, access: Access): Promise<void> {
    const view = accessSchema.parse(access);
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { approvalId, record: `${viewPrefix}${view.at}#${randomBytes(6).toString('hex')}`, ...view },
      }),
    );
  }

  async listViews(approvalId: string): Promise<Access[]> {
    const views: Access[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'approvalId = :id AND begins_with(#record, :prefix)',
          ExpressionAttributeNames: { '#record': 'record' },
          ExpressionAttributeValues: { ':id': approvalId, ':prefix': viewPrefix },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) views.push(accessSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return views;
  }

  decide(approvalId: string, decision: RecordedDecision): Promise<ConditionalResult> {
    return this.#whilePending(approvalId, {
      UpdateExpression: 'SET #status = :decided, decision = :decision',
      ExpressionAttributeValues: { ':decided': 'decided', ':decision': decision },
    });
  }

  supersede(approvalId: string, supersession: Supersession): Promise<ConditionalResult> {
    return this.#whilePending(approvalId, {
      UpdateExpression: 'SET #status = :superseded, supersededBy = :supersession',
      ExpressionAttributeValues: { ':superseded': 'superseded', ':supersession': supersession },
    });
  }

  async recordHandedOver(approvalId: string, at: Date): Promise<void> {
    await this.#update(approvalId, {
      UpdateExpression: 'SET handedOverAt = if_not_exists(handedOverAt, :at)',
      ExpressionAttributeValues: { ':at': at.toISOString() },
    });
  }

  async #whilePending(
    approvalId: string,
    change: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<ConditionalResult> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { approvalId, record: taskRecord },
          ...change,
          ConditionExpression: 'attribute_exists(approvalId) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (result.Attributes === undefined) throw new ApprovalNotFoundError(approvalId);
      return { applied: true, task: toTask(result.Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) throw new ApprovalNotFoundError(approvalId, { cause: error });
      return { applied: false, task: toTask(unmarshall(error.Item)) };
    }
  }

  async #update(
    approvalId: string,
    change: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { approvalId, record: taskRecord },
          ...change,
          ConditionExpression: 'attribute_exists(approvalId)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ApprovalNotFoundError(approvalId, { cause: error });
      throw error;
    }
  }
}
