import type {
  ApprovalTask,
  NewApprovalTask,
  RecordedDecision,
  Supersession,
} from '#domain/approvals/approval-task.ts';
import type { Access } from '#domain/signed-links/access.ts';

/** The result of a conditional write on a task: whether it applied, and the task as it now is. */
export interface ConditionalResult {
  readonly applied: boolean;
  readonly task: ApprovalTask;
}

/**
 * Port: where approval tasks live. Decisions and supersessions are conditional writes on a
 * pending task, so of two racing writers exactly one wins and the other learns what happened.
 */
export interface ApprovalStore {
  /**
   * Opens a pending task. Opening the same approval id again for the same registration and step
   * returns the stored task (the workflow may retry); for anything else it throws.
   */
  create(task: NewApprovalTask): Promise<ApprovalTask>;
  get(approvalId: string): Promise<ApprovalTask | undefined>;
  /** Remembers the workflow's callback token of the current wait (a new one per wait). */
  attachCallbackToken(approvalId: string, callbackToken: string): Promise<void>;
  /** Logs one rendering of the confirmation page: when, user agent, source IP. */
  recordView(approvalId: string, access: Access): Promise<void>;
  /** The page views of a task, oldest first. */
  listViews(approvalId: string): Promise<Access[]>;
  /** Records the decision if the task is still pending (not decided, not superseded). */
  decide(approvalId: string, decision: RecordedDecision): Promise<ConditionalResult>;
  /** Marks a pending task superseded by escalation to another approver. */
  supersede(approvalId: string, supersession: Supersession): Promise<ConditionalResult>;
  /** Notes that the decision was handed to the waiting workflow. */
  recordHandedOver(approvalId: string, at: Date): Promise<void>;
}

/**
 * Port: hands a decision to the workflow waiting for it (Step Functions `SendTaskSuccess` with
 * the task's current callback token in AWS, the local runner's callback registry locally).
 * Handing the same decision over twice must be harmless.
 */
export interface DecisionCallback {
  resume(approvalId: string, decision: RecordedDecision): Promise<void>;
}
