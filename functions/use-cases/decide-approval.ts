import type { ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { type DecisionFields, readDecision } from '#domain/approvals/decision-form.ts';
import { accessAt } from '#domain/signed-links/access.ts';
import { HandoverFailedError } from '#domain/signed-links/errors.ts';
import type { ApprovalStore, DecisionCallback } from '#ports/approvals.ts';
import { type FormSubmission, type PageLogger, waitClosed } from './signed-link-pages.ts';
import {
  type ApprovalDependencies,
  approvalPage,
  handOver,
  refuseDecided,
  refuseSuperseded,
  retryDecisionHandOver,
} from './view-approval.ts';

/**
 * `POST /approvals/{approvalId}` (the approval id is the link's subject): records the approver's
 * decision and hands it to the workflow. Steps:
 * 1. open the link (403/404) and check the page nonce (403: not from this page, or stale);
 * 2. superseded → 410 naming the new approver; decided → 409 naming who decided and when;
 * 3. read the choice (400 when a required reason or question is missing);
 * 4. write it conditionally on the task still pending — a racing decision or escalation wins
 *    or loses as a whole, and the loser gets the 409 or 410;
 * 5. hand it to the waiting workflow; if that fails the decision stays recorded (503) and the
 *    hand-over is retried when the task is opened after `handOverGraceMs`.
 */
export async function decideApproval(
  deps: ApprovalDependencies,
  request: FormSubmission<DecisionFields>,
): Promise<{ task: ApprovalTask; decision: RecordedDecision }> {
  const page = approvalPage(deps);
  const task = await page.open(request);
  await page.checkNonce(request);
  refuseSuperseded(task);
  if (task.decision !== undefined) {
    await retryDecisionHandOver(deps, page, task);
    refuseDecided(task);
  }

  const now = deps.now();
  const { choice, exception } = readDecision(request.fields, task.subject.verdict, task.subject.firstLevel, {
    extension: task.subject.request?.kind === 'extension',
    questionsLeft: task.subject.questionsLeft,
  });
  const access = accessAt(request.access, now);
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
    throw new HandoverFailedError(`the decision on approval ${task.approvalId}`, { cause: error });
  }
  return { task: written.task, decision };
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
 * to escalation or the SLA default; or `TaskDoesNotExist`) counts as handed over: the workflow
 * finds the decision when its conditional supersede fails.
 */
export function taskTokenDecisionCallback(
  store: ApprovalStore,
  sendTaskSuccess: (taskToken: string, output: DecisionTaskOutput) => Promise<void>,
  logger: Pick<PageLogger, 'warn'>,
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
        if (waitClosed(error)) {
          logger.warn('the workflow wait already closed; the decision stays recorded', { approvalId });
          return;
        }
        throw error;
      }
    },
  };
}
