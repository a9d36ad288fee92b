import type { Access, ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { readDecision } from '#domain/approvals/decision-form.ts';
import { DecisionHandoverError } from '#domain/approvals/errors.ts';
import { verifyPageNonce } from '#domain/approvals/page-nonce.ts';
import {
  type ApprovalDependencies,
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
