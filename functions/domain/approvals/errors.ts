import type { ApprovalApprover, RecordedDecision } from './approval-task.ts';

/** Why an approval link or page was refused. */
export type LinkRejection = 'malformed' | 'forged' | 'expired' | 'wrong-approval' | 'wrong-approver';

/** No approval task has this id. */
export class ApprovalNotFoundError extends Error {
  readonly approvalId: string;

  constructor(approvalId: string, options?: { cause?: unknown }) {
    super(`there is no approval ${approvalId}`, options);
    this.name = 'ApprovalNotFoundError';
    this.approvalId = approvalId;
  }
}

/** The link token or page nonce is forged, tampered with, expired or not this approver's. */
export class ApprovalLinkRejectedError extends Error {
  readonly rejection: LinkRejection;

  constructor(rejection: LinkRejection, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApprovalLinkRejectedError';
    this.rejection = rejection;
  }
}

/** The approval was decided already; carries who decided and when. */
export class ApprovalAlreadyDecidedError extends Error {
  readonly decision: RecordedDecision;
  /** The time zone of the approver the task was for, to show the time of the decision in. */
  readonly timeZone: string;

  constructor(
    approvalId: string,
    decision: RecordedDecision,
    timeZone: string,
    options?: { cause?: unknown },
  ) {
    super(
      `approval ${approvalId} was already decided by ${decision.decidedBy.name} at ${decision.decidedAt}`,
      options,
    );
    this.name = 'ApprovalAlreadyDecidedError';
    this.decision = decision;
    this.timeZone = timeZone;
  }
}

/** The approval was escalated to someone else; carries the new approver. */
export class ApprovalSupersededError extends Error {
  readonly newApprover: ApprovalApprover;
  readonly supersededAt: string;

  constructor(
    approvalId: string,
    supersession: { approver: ApprovalApprover; at: string },
    options?: { cause?: unknown },
  ) {
    super(
      `approval ${approvalId} was passed on to ${supersession.approver.name} at ${supersession.at}`,
      options,
    );
    this.name = 'ApprovalSupersededError';
    this.newApprover = supersession.approver;
    this.supersededAt = supersession.at;
  }
}

/** The decision form is incomplete (e.g. a rejection without a reason); names each field. */
export class InvalidDecisionError extends Error {
  readonly problems: readonly { field: string; message: string }[];

  constructor(problems: readonly { field: string; message: string }[], options?: { cause?: unknown }) {
    super(
      `the decision is incomplete: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      options,
    );
    this.name = 'InvalidDecisionError';
    this.problems = problems;
  }
}

/** The decision is recorded but could not be handed to the waiting workflow yet. */
export class DecisionHandoverError extends Error {
  constructor(approvalId: string, options?: { cause?: unknown }) {
    super(
      `the decision on approval ${approvalId} is recorded but the workflow could not be resumed`,
      options,
    );
    this.name = 'DecisionHandoverError';
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
