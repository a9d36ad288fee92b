import type { Access, ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { readDecision } from '#domain/approvals/decision-form.ts';
import { DecisionHandoverError } from '#domain/approvals/errors.ts';
import { verifyPageNonce } from '#domain/approvals/page-nonce.ts';
import type { ApprovalStore, DecisionCallback } from '#ports/approvals.ts';
import {
  type ApprovalDependencies,
  type ApprovalLogger,
  authoriseLink,
  handOver,
  refuseDecided,
  refuseSuperseded,
  retryStalledHandOver,
} from './view-approval.ts';

export interface DecisionRequest {
  readonly approvalId: string;
  readonly token: string | undefined;
  readonly nonce: string | undefined;
  readonly fields: { decision?: string; reason?: string; question?: string };
  readonly access: Omit<Access, 'at'>;
}

/**
 * `POST /approvals/{approvalId}`: records the approver's decision and hands it to the workflow.
 * Steps:
 * 1. authorise the link token (403/404) and the page nonce (403: not from this page, or stale);
 * 2. superseded → 410 naming the new approver; decided → 409 naming who decided and when;
 * 3. read the choice (400 when a required reason or question is missing);
 * 4. write it conditionally on the task still pending — a racing decision or escalation wins
 *    or loses as a whole, and the loser gets the 409 or 410;
 * 5. hand it to the waiting workflow; if that fails the decision stays recorded and the
 *    hand-over is retried when the task is opened after `handOverGraceMs`.
 */
export async function decideApproval(
  deps: ApprovalDependencies,
  request: DecisionRequest,
): Promise<ApprovalTask> {
  const task = await authoriseLink(deps, request.approvalId, request.token);
  const now = deps.now();
  verifyPageNonce(await deps.signingKey(), request.nonce ?? '', {
    approvalId: task.approvalId,
    token: request.token ?? '',
    now,
  });
  refuseSuperseded(task);
  if (task.decision !== undefined) {
    await retryStalledHandOver(deps, task);
    refuseDecided(task);
  }

  const { choice, exception } = readDecision(request.fields, task.subject.verdict);
  const access: Access = { ...request.access, at: now.toISOString() };
  const decision: RecordedDecision = {
    choice,
    decidedBy: { email: task.approver.email, name: task.approver.name },
    decidedAt: now.toISOString(),
    channel: 'page',
    policyVersion: task.subject.verdict.policyVersion,
    exception,
    access,
  };
  const written = await deps.store.decide(task.approvalId, decision);
  if (!written.applied) {
    deps.logger.warn('approval decision lost a race', { approvalId: task.approvalId, ...access });
    refuseSuperseded(written.task);
    refuseDecided(written.task);
    throw new Error(
      `approval ${task.approvalId} is ${written.task.status} without a decision or supersession`,
    );
  }
  deps.logger.info('approval decided', {
    approvalId: task.approvalId,
    registrationId: task.registrationId,
    outcome: choice.outcome,
    exception,
    ...access,
  });

  try {
    await handOver(deps, written.task);
  } catch (error) {
    throw new DecisionHandoverError(task.approvalId, { cause: error });
  }
  return written.task;
}

/** What the waiting "Wait for approver decision" task receives as its output. */
export interface DecisionTaskOutput {
  readonly approvalId: string;
  readonly decision: RecordedDecision;
}

/**
 * A `DecisionCallback` that ends the workflow's current wait on the approval: it looks up the
 * callback token the workflow attached to the task and calls `sendTaskSuccess` with it —
 * Step Functions' `SendTaskSuccess` in AWS, the local runner's `sendTaskSuccess` locally. A
 * token whose task is already closed (`TaskTimedOut`: the wait ran out and the workflow moved on
 * to escalation or the SLA default) counts as handed over: the workflow finds the decision when
 * its conditional supersede fails.
 */
export function taskTokenDecisionCallback(
  store: ApprovalStore,
  sendTaskSuccess: (taskToken: string, output: DecisionTaskOutput) => Promise<void>,
  logger: Pick<ApprovalLogger, 'warn'>,
): DecisionCallback {
  return {
    async resume(approvalId, decision) {
      const task = await store.get(approvalId);
      if (task?.callbackToken === undefined) {
        throw new Error(`approval ${approvalId} has no workflow callback token to resume`);
      }
      try {
        await sendTaskSuccess(task.callbackToken, { approvalId, decision });
      } catch (error) {
        if (error instanceof Error && error.name === 'TaskTimedOut') {
          logger.warn('the workflow wait already closed; the decision stays recorded', { approvalId });
          return;
        }
        throw error;
      }
    },
  };
}
