import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import type { RecordedDecision } from '#domain/approvals/approval-task.ts';
import { approvalsTable } from '#lib/tables/index.ts';
import { createTestTables } from '#test/support/dynamodb.ts';
import { newApprovalTask } from '#test/unit/approvals/approval-fixtures.ts';
import { type DecisionTaskOutput, taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';

let store: DynamoDbApprovalStore;

beforeAll(async () => {
  const tables = await createTestTables([approvalsTable]);
  store = new DynamoDbApprovalStore(tables.documentClient, tables.tableName(approvalsTable.logicalName));
});

const decision: RecordedDecision = {
  choice: { outcome: 'approve', relationshipType: 'sourced' },
  decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
  decidedAt: '2026-11-24T09:00:00.000Z',
  channel: 'page',
  policyVersion: 'p1',
  exception: false,
};

const quiet = { warn: () => undefined };

describe('handing a decision over through the task token', () => {
  it('sends the decision with the token of the current wait, after a reminder replaced the first', async () => {
    const task = await store.create(newApprovalTask());
    await store.attachCallbackToken(task.approvalId, 'token-of-first-wait');
    await store.attachCallbackToken(task.approvalId, 'token-after-reminder');
    const sent: [string, DecisionTaskOutput][] = [];

    await taskTokenDecisionCallback(
      store,
      async (token, output) => void sent.push([token, output]),
      quiet,
    ).resume(task.approvalId, decision);

    expect(sent).toEqual([['token-after-reminder', { approvalId: task.approvalId, decision }]]);
  });

  it('refuses to hand over when the workflow attached no token', async () => {
    const task = await store.create(newApprovalTask());

    const resume = taskTokenDecisionCallback(store, async () => undefined, quiet).resume(
      task.approvalId,
      decision,
    );

    await expect(resume).rejects.toThrow(/no workflow callback token/);
  });

  it('counts a closed wait (TaskTimedOut) as handed over and lets other failures through', async () => {
    const task = await store.create(newApprovalTask());
    await store.attachCallbackToken(task.approvalId, 'closed');
    const failWith = (name: string) => async () => {
      const error = new Error(`${name}: token closed`);
      error.name = name;
      throw error;
    };

    const timedOut = taskTokenDecisionCallback(store, failWith('TaskTimedOut'), quiet).resume(
      task.approvalId,
      decision,
    );
    const invalid = taskTokenDecisionCallback(store, failWith('InvalidToken'), quiet).resume(
      task.approvalId,
      decision,
    );

    // Both awaited at once: neither rejection may go unhandled while the other is awaited.
    await Promise.all([
      expect(timedOut).resolves.toBeUndefined(),
      expect(invalid).rejects.toThrow(/InvalidToken/),
    ]);
  });
});
