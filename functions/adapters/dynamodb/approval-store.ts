import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type ApprovalTask,
  approvalTaskSchema,
  type NewApprovalTask,
  type RecordedDecision,
  type Supersession,
} from '#domain/approvals/approval-task.ts';
import { InvalidApprovalTaskError } from '#domain/approvals/errors.ts';
import { type Access, accessSchema } from '#domain/signed-links/access.ts';
import { NotFoundError } from '#domain/signed-links/errors.ts';
import type { ApprovalStore, ConditionalResult } from '#ports/approvals.ts';
import { type ItemKind, parseItem } from './parse-item.ts';
import { DynamoDbTableStore } from './table-store.ts';

const taskRecord = 'task';
const viewPrefix = 'view#';

const approvalKey = ['approvalId', 'record'];
const taskItem: ItemKind<typeof approvalTaskSchema> = {
  schema: approvalTaskSchema,
  what: 'an approval task',
  key: approvalKey,
};
const viewItem: ItemKind<typeof accessSchema> = {
  schema: accessSchema,
  what: 'a view of an approval page',
  key: approvalKey,
};

function notFound(approvalId: string, options?: { cause?: unknown }): NotFoundError {
  return new NotFoundError(`there is no approval ${approvalId}`, options);
}

/**
 * Approval tasks in DynamoDB (table `lib/tables/approvals-table.ts`). Decisions and
 * supersessions are conditional updates on `status = pending`; the losing writer gets the task
 * back from the failed condition itself (`ReturnValuesOnConditionCheckFailure`).
 */
export class DynamoDbApprovalStore extends DynamoDbTableStore implements ApprovalStore {
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
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...stored, record: taskRecord },
          ConditionExpression: 'attribute_not_exists(approvalId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return stored;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || error.Item === undefined) throw error;
      const existing = parseItem(taskItem, this.tableName, unmarshall(error.Item));
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
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { approvalId, record: taskRecord },
        ConsistentRead: true,
      }),
    );
    return result.Item === undefined ? undefined : parseItem(taskItem, this.tableName, result.Item);
  }

  async attachCallbackToken(approvalId: string, callbackToken: string): Promise<void> {
    await this.#update(approvalId, {
      UpdateExpression: 'SET callbackToken = :token',
      ExpressionAttributeValues: { ':token': callbackToken },
    });
  }

  async recordView(approvalId: string, access: Access): Promise<void> {
    const view = accessSchema.parse(access);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { approvalId, record: `${viewPrefix}${view.at}#${randomBytes(6).toString('hex')}`, ...view },
      }),
    );
  }

  async listViews(approvalId: string): Promise<Access[]> {
    const views: Access[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'approvalId = :id AND begins_with(#record, :prefix)',
          ExpressionAttributeNames: { '#record': 'record' },
          ExpressionAttributeValues: { ':id': approvalId, ':prefix': viewPrefix },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) views.push(parseItem(viewItem, this.tableName, item));
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
    const result = await this.conditionalUpdate({
      Key: { approvalId, record: taskRecord },
      ...change,
      ConditionExpression: 'attribute_exists(approvalId) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ':pending': 'pending' },
    });
    if (result.item === undefined) throw notFound(approvalId);
    return { applied: result.applied, task: parseItem(taskItem, this.tableName, result.item) };
  }

  async #update(
    approvalId: string,
    change: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { approvalId, record: taskRecord },
          ...change,
          ConditionExpression: 'attribute_exists(approvalId)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw notFound(approvalId, { cause: error });
      throw error;
    }
  }
}
