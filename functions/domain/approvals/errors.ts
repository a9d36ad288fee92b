import { AlreadyDoneError, NoLongerOpenError } from '#domain/signed-links/errors.ts';
import type { ApprovalApprover, RecordedDecision } from './approval-task.ts';

/** The approval was decided already: the decision, and the approver's time zone to show it in (409). */
export class ApprovalAlreadyDecidedError extends AlreadyDoneError<{
  decision: RecordedDecision;
  timeZone: string;
  /** The approval was of the partner's extension request. */
  extension: boolean;
}> {
  constructor(approvalId: string, decision: RecordedDecision, timeZone: string, extension = false) {
    const { decidedBy, decidedAt } = decision;
    super(`approval ${approvalId} was already decided by ${decidedBy.name} at ${decidedAt}`, {
      decision,
      timeZone,
      extension,
    });
  }
}

/** The approval was escalated: to whom, and when, told in the earlier approver's time zone (410). */
export class ApprovalSupersededError extends NoLongerOpenError<{
  approver: ApprovalApprover;
  at: string;
  timeZone: string;
}> {
  constructor(
    approvalId: string,
    supersession: { approver: ApprovalApprover; at: string },
    timeZone: string,
  ) {
    super(`approval ${approvalId} was passed on to ${supersession.approver.name} at ${supersession.at}`, {
      approver: supersession.approver,
      at: supersession.at,
      timeZone,
    });
  }
}

/** The workflow asked to open a task with fields that are not a valid task; names each field. */
export class InvalidApprovalTaskError extends Error {
  readonly problems: readonly string[];

  constructor(approvalId: string, problems: readonly string[], options?: { cause?: unknown }) {
    super(`approval ${approvalId} cannot be opened: ${problems.join('; ')}`, options);
    this.name = 'InvalidApprovalTaskError';
    this.problems = problems;
  }
}
