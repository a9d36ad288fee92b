import type { Logger } from '@aws-lambda-powertools/logger';
import { approvalLinks } from '#domain/approvals/approval-link.ts';
import { ApprovalAlreadyDecidedError, ApprovalSupersededError } from '#domain/approvals/errors.ts';
import { signedLinkPagesHandler } from '#http/signed-link-pages.ts';
import {
  renderAlreadyDecidedPage,
  renderApprovalView,
  renderDecidedPage,
  renderSupersededPage,
} from '#pages/approval-pages.ts';
import { decideApproval } from '#use-cases/decide-approval.ts';
import { type ApprovalDependencies, viewApproval } from '#use-cases/view-approval.ts';

interface ApprovalsHandlerDependencies extends ApprovalDependencies {
  readonly logger: Logger;
}

/**
 * `GET /approvals/{approvalId}?t=…` renders the confirmation page and changes nothing;
 * `POST /approvals/{approvalId}` (form-encoded from that page) records the decision. Errors
 * become pages with their status: 403 link or page refused, 404, 409 already decided (who and
 * when), 410 escalated (to whom), 400 incomplete decision, 413, 415, 405, 503.
 */
export function createApprovalsHandler(deps: ApprovalsHandlerDependencies) {
  return signedLinkPagesHandler(deps.logger, approvalLinks, {
    subjectParameter: 'approvalId',
    notFoundTitle: 'Approval not found',
    formFields: ['decision', 'relationshipType', 'reason', 'question'],
    view: async (opening) => renderApprovalView(await viewApproval(deps, opening), deps.now()),
    async act(submission) {
      const { task, decision } = await decideApproval(deps, submission);
      return renderDecidedPage(task, decision, true);
    },
    errorPage(error) {
      if (error instanceof ApprovalAlreadyDecidedError) {
        return renderAlreadyDecidedPage(error.detail.decision, error.detail.timeZone, {
          extension: error.detail.extension,
        });
      }
      if (error instanceof ApprovalSupersededError) {
        return renderSupersededPage(error.detail.approver, error.detail.at, error.detail.timeZone);
      }
      return undefined;
    },
  });
}
