import { type LinkPurpose, signedLink } from '#domain/signed-links/link-token.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import type { ApprovalStep } from './approval-task.ts';

/** Approval links: `GET /approvals/{approvalId}?t=…`, for one approver at one step. */
export const approvalLinks: LinkPurpose = {
  name: 'approval',
  link: 'approval link',
  page: 'approval page',
  act: 'decision',
  subject: 'approval',
  otherHolder: 'another approver',
  wrongHolder: 'wrong-approver',
  path: (approvalId) => `approvals/${encodeURIComponent(approvalId)}`,
};

/**
 * The emailed link for a task: signed for its approval, approver and step, valid until
 * `expiresAt` (the workflow passes the final deadline of the step, after which the link has no
 * use).
 */
export function approvalLinkFor(
  key: ApprovalSigningKey,
  apiBaseUrl: string,
  task: { approvalId: string; approver: { email: string }; step: ApprovalStep },
  expiresAt: Date,
): Promise<string> {
  return signedLink(key, approvalLinks, apiBaseUrl, {
    subject: task.approvalId,
    holder: task.approver.email,
    scope: task.step,
    expiresAt,
  });
}
