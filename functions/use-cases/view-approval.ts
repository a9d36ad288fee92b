import type { Access, ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import { sameApprover } from '#domain/approvals/approval-task.ts';
import {
  ApprovalAlreadyDecidedError,
  ApprovalLinkRejectedError,
  ApprovalNotFoundError,
  ApprovalSupersededError,
} from '#domain/approvals/errors.ts';
import { verifyLinkToken } from '#domain/approvals/link-token.ts';
import { issuePageNonce } from '#domain/approvals/page-nonce.ts';
import type { ApprovalSigningKey } from '#domain/approvals/signing-key.ts';
import type { ApprovalStore, DecisionCallback } from '#ports/approvals.ts';

export interface ApprovalLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface ApprovalDependencies {
  readonly store: ApprovalStore;
  readonly callback: DecisionCallback;
  /** The link-signing key; in AWS read (and cached) from Secrets Manager. */
  readonly signingKey: () => Promise<ApprovalSigningKey>;
  readonly now: () => Date;
  readonly logger: ApprovalLogger;
}

/** What the confirmation page shows. */
export type ApprovalView =
  | { readonly state: 'pending'; readonly task: ApprovalTask; readonly token: string; readonly nonce: string }
  | { readonly state: 'decided'; readonly task: ApprovalTask; readonly decision: RecordedDecision };

/**
 * Loads the task behind a link and checks the link is this approver's: signed by Dealreg, for
 * this approval, not expired, naming the task's approver. Throws 404/403-mapped errors.
 */
export async function authoriseLink(
  deps: ApprovalDependencies,
  approvalId: string,
  token: string | undefined,
): Promise<ApprovalTask> {
  if (token === undefined || token === '') {
    throw new ApprovalLinkRejectedError('malformed', 'the approval link has no token');
  }
  const claims = verifyLinkToken(await deps.signingKey(), token, { approvalId, now: deps.now() });
  const task = await deps.store.get(approvalId);
  if (task === undefined) throw new ApprovalNotFoundError(approvalId);
  if (!sameApprover(claims.approverEmail, task.approver.email) || claims.step !== task.step) {
    throw new ApprovalLinkRejectedError('wrong-approver', 'the approval link was issued to another approver');
  }
  return task;
}

/** The superseded task's 410, for GET and POST alike. */
export function refuseSuperseded(task: ApprovalTask): void {
  if (task.status === 'superseded' && task.supersededBy !== undefined) {
    throw new ApprovalSupersededError(task.approvalId, task.supersededBy);
  }
}

/**
 * How long after a decision its hand-over counts as still under way; a decided task opened later
 * than this without a recorded hand-over is handed over again.
 */
export const handOverGraceMs = 60_000;

/** Hands a recorded decision to the waiting workflow and notes that it did. */
export async function handOver(deps: ApprovalDependencies, task: ApprovalTask): Promise<void> {
  if (task.decision === undefined || task.handedOverAt !== undefined) return;
  await deps.callback.resume(task.approvalId, task.decision);
  await deps.store.recordHandedOver(task.approvalId, deps.now());
}

/**
 * Retries the hand-over of a decision that was recorded but, a grace period later, still not
 * handed over (the workflow was unreachable). Within the grace period the decider's own request
 * is still handing it over, and a second hand-over would race it. Failures are logged only.
 */
export async function retryStalledHandOver(deps: ApprovalDependencies, task: ApprovalTask): Promise<void> {
  if (task.decision === undefined || task.handedOverAt !== undefined) return;
  if (deps.now().getTime() - Date.parse(task.decision.decidedAt) < handOverGraceMs) return;
  try {
    await handOver(deps, task);
  } catch (error) {
    deps.logger.error('decision hand-over retry failed', { approvalId: task.approvalId, error });
  }
}

/**
 * `GET /approvals/{approvalId}?t=…`: checks the link and renders the confirmation page state.
 * Changes no decision: mail scanners fetch these links. Steps:
 * 1. authorise the link (403 forged, expired or another approver's; 404 unknown approval);
 * 2. log the view with user agent and source IP;
 * 3. superseded by escalation → 410 naming the new approver;
 * 4. decided → show who decided and when (retrying a stalled hand-over to the workflow);
 * 5. pending → issue a page nonce for the decision form.
 */
export async function viewApproval(
  deps: ApprovalDependencies,
  request: { approvalId: string; token: string | undefined; access: Omit<Access, 'at'> },
): Promise<ApprovalView> {
  const task = await authoriseLink(deps, request.approvalId, request.token);
  const now = deps.now();
  const access: Access = { ...request.access, at: now.toISOString() };
  await deps.store.recordView(task.approvalId, access);
  deps.logger.info('approval page viewed', { approvalId: task.approvalId, status: task.status, ...access });
  refuseSuperseded(task);
  if (task.decision !== undefined) {
    await retryStalledHandOver(deps, task);
    return { state: 'decided', task, decision: task.decision };
  }
  const token = request.token ?? '';
  return {
    state: 'pending',
    task,
    token,
    nonce: issuePageNonce(await deps.signingKey(), task.approvalId, token, now),
  };
}

/** The 409 of a decided task. */
export function refuseDecided(task: ApprovalTask): void {
  if (task.decision !== undefined)
    throw new ApprovalAlreadyDecidedError(task.approvalId, task.decision, task.approver.timeZone);
}
