import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { approvalLinks } from '#domain/approvals/approval-link.ts';
import type { NewApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { signedLink } from '#domain/signed-links/link-token.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createApprovalsHandler } from '#handlers/approvals-handler.ts';
import { approvalsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import type { DecisionCallback } from '#ports/approvals.ts';
import { createTestTables } from '#test/support/dynamodb.ts';
import { newApprovalTask } from '#test/unit/approvals/approval-fixtures.ts';

/** Stands in for the waiting workflow: records each hand-over, and can refuse the next ones. */
export class RecordingDecisionCallback implements DecisionCallback {
  readonly resumed: { approvalId: string; decision: RecordedDecision }[] = [];
  failures = 0;

  async resume(approvalId: string, decision: RecordedDecision): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('the workflow is unreachable');
    }
    this.resumed.push({ approvalId, decision });
  }
}

export interface ApprovalsApi {
  readonly api: RunningApiServer;
  readonly store: DynamoDbApprovalStore;
  readonly callback: RecordingDecisionCallback;
  readonly key: ApprovalSigningKey;
  /** The DynamoDB Local client the store uses. */
  readonly documentClient: DynamoDBDocumentClient;
  /** The clock the handler reads; tests move it. */
  clock: Date;
  /** Opens a pending task and returns it with the link its approver is emailed. */
  open(overrides?: Partial<NewApprovalTask>): Promise<{ task: NewApprovalTask; link: string; token: string }>;
  /** Signs a link for any claims, to build wrong-approver and expired links. */
  linkFor(
    approvalId: string,
    claims: { approverEmail: string; step?: NewApprovalTask['step']; expiresAt?: Date },
  ): Promise<string>;
}

/** The approvals API over HTTP, on fresh Approvals tables in DynamoDB Local. */
export async function startApprovalsApi(): Promise<ApprovalsApi> {
  const tables = await createTestTables([approvalsTable]);
  const store = new DynamoDbApprovalStore(
    tables.documentClient,
    tables.tableName(approvalsTable.logicalName),
  );
  const callback = new RecordingDecisionCallback();
  const key = new ApprovalSigningKey('integration-test-signing-key-0123456789');
  const clock = { now: new Date('2026-11-24T09:00:00Z') };
  const handler = createApprovalsHandler({
    store,
    callback,
    signingKey: async () => key,
    now: () => clock.now,
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  const api = await startApiServer({
    routes: [
      { method: 'GET', path: '/approvals/{approvalId}', handler },
      { method: 'POST', path: '/approvals/{approvalId}', handler },
    ],
  });
  const linkFor: ApprovalsApi['linkFor'] = (approvalId, claims) =>
    signedLink(key, approvalLinks, api.url, {
      subject: approvalId,
      holder: claims.approverEmail,
      scope: claims.step ?? 'first-level',
      expiresAt: claims.expiresAt ?? new Date('2026-12-24T09:00:00Z'),
    });
  const harness: ApprovalsApi = {
    api,
    store,
    callback,
    key,
    documentClient: tables.documentClient,
    get clock() {
      return clock.now;
    },
    set clock(now: Date) {
      clock.now = now;
    },
    async open(overrides = {}) {
      const task = await store.create(newApprovalTask(overrides));
      const link = await linkFor(task.approvalId, { approverEmail: task.approver.email, step: task.step });
      return { task, link, token: new URL(link).searchParams.get('t') ?? '' };
    },
    linkFor,
  };
  return harness;
}
