import { approvalLinks } from '#domain/approvals/approval-link.ts';
import type { ApprovalTask, ApprovalView } from '#domain/approvals/approval-task.ts';
import { ApprovalAlreadyDecidedError, ApprovalSupersededError } from '#domain/approvals/errors.ts';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { accessAt } from '#domain/signed-links/access.ts';
import { LinkRefusedError, NotFoundError } from '#domain/signed-links/errors.ts';
import { checkLinkHolder, type LinkClaims } from '#domain/signed-links/link-token.ts';
import type { ApprovalStore, DecisionCallback } from '#ports/approvals.ts';
import {
  type LinkOpening,
  type LinkPage,
  linkPage,
  type SignedLinkDependencies,
} from './signed-link-pages.ts';

export interface ApprovalDependencies extends SignedLinkDependencies {
  readonly store: ApprovalStore;
  readonly callback: DecisionCallback;
}

/** An authentic approval link whose time ran out: what happened to its task is told on opening. */
class ApprovalLinkExpired extends Error {
  readonly claims: LinkClaims;

  constructor(claims: LinkClaims) {
    super(`the approval link of ${claims.subject} expired`);
    this.name = 'ApprovalLinkExpired';
    this.claims = claims;
  }
}

async function loadTask(deps: ApprovalDependencies, approvalId: string): Promise<ApprovalTask> {
  const task = await deps.store.get(approvalId);
  if (task === undefined) throw new NotFoundError(`there is no approval ${approvalId}`);
  return task;
}

const holderOf = (task: ApprovalTask) => ({ email: task.approver.email, scope: task.step });

/**
 * The page an approval link opens: the task, whose link names its approver and step. An expired
 * link still opens the task it was sent for once it was decided (the page says who decided, when
 * and what; deciding again is refused as usual) or passed on by escalation (410 naming the new
 * approver: no newer email of theirs holds a working link); otherwise it is refused (403), its
 * expiry told in the approver's time zone.
 */
export function approvalPage(deps: ApprovalDependencies): LinkPage<ApprovalTask> {
  const page = linkPage(deps, approvalLinks, {
    load: (approvalId) => loadTask(deps, approvalId),
    holder: holderOf,
    whenExpired: (claims) => new ApprovalLinkExpired(claims),
  });
  return {
    ...page,
    async open(link) {
      try {
        return await page.open(link);
      } catch (error) {
        if (!(error instanceof ApprovalLinkExpired)) throw error;
        const { claims } = error;
        const task = await loadTask(deps, claims.subject);
        checkLinkHolder(approvalLinks, claims, holderOf(task));
        if (task.decision !== undefined || task.status === 'superseded') return task;
        throw new LinkRefusedError(
          'expired',
          `the approval link expired on ${formatDeadline(claims.expiresAt, task.approver.timeZone)}`,
        );
      }
    },
  };
}

/** The superseded task's 410, for GET and POST alike. */
export function refuseSuperseded(task: ApprovalTask): void {
  if (task.status === 'superseded' && task.supersededBy !== undefined) {
    throw new ApprovalSupersededError(task.approvalId, task.supersededBy, task.approver.timeZone);
  }
}

/** The 409 of a decided task. */
export function refuseDecided(task: ApprovalTask): void {
  if (task.decision !== undefined)
    throw new ApprovalAlreadyDecidedError(
      task.approvalId,
      task.decision,
      task.approver.timeZone,
      task.subject.request?.kind === 'extension',
    );
}

/** Hands a recorded decision to the waiting workflow and notes that it did. */
export async function handOver(deps: ApprovalDependencies, task: ApprovalTask): Promise<void> {
  if (task.decision === undefined || task.handedOverAt !== undefined) return;
  await deps.callback.resume(task.approvalId, task.decision);
  await deps.store.recordHandedOver(task.approvalId, deps.now());
}

/** Hands over a decision the workflow did not get when it was made (see `retryStalledHandOver`). */
export async function retryDecisionHandOver(
  deps: ApprovalDependencies,
  page: LinkPage<ApprovalTask>,
  task: ApprovalTask,
): Promise<void> {
  if (task.decision === undefined) return;
  await page.retryStalledHandOver(
    { subject: task.approvalId, recordedAt: task.decision.decidedAt, handedOverAt: task.handedOverAt },
    () => handOver(deps, task),
  );
}

/**
 * `GET /approvals/{approvalId}?t=…` (the approval id is the link's subject): checks the link
 * and renders the confirmation page state. Changes no decision: mail scanners fetch these
 * links. Steps:
 * 1. open the link (403 forged, expired or another approver's; 404 unknown approval);
 * 2. log the view with user agent and source IP;
 * 3. superseded by escalation → 410 naming the new approver;
 * 4. decided → show who decided and when (retrying a stalled hand-over to the workflow);
 * 5. pending → issue a page nonce for the decision form.
 */
export async function viewApproval(deps: ApprovalDependencies, opening: LinkOpening): Promise<ApprovalView> {
  const page = approvalPage(deps);
  const task = await page.open(opening);
  const access = accessAt(opening.access, deps.now());
  await deps.store.recordView(task.approvalId, access);
  deps.logger.info('approval page viewed', { approvalId: task.approvalId, status: task.status, ...access });
  refuseSuperseded(task);
  if (task.decision !== undefined) {
    await retryDecisionHandOver(deps, page, task);
    return { state: 'decided', task, decision: task.decision };
  }
  const token = opening.token ?? '';
  return {
    state: 'pending',
    task,
    token,
    nonce: await page.nonce({ subject: task.approvalId, token }),
  };
}
