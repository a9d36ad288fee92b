/** What the registration workflow is started with: it loads the registration itself. */
export interface RegistrationWorkflowInput {
  readonly registrationId: string;
}

export interface WorkflowStart {
  /** Execution ARN in AWS, a local execution id on one machine. */
  readonly execution: string;
  /** True when an execution with this registration id already existed. */
  readonly alreadyStarted: boolean;
}

/** A registration's workflow execution that ended without succeeding. */
export interface FailedExecution {
  readonly registrationId: string;
  /** Execution ARN in AWS, a local execution id on one machine; what `redrive` takes. */
  readonly execution: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** When it stopped (ISO-8601). */
  readonly stoppedAt: string;
  /** The error it failed with, when known (Step Functions' execution list does not carry it). */
  readonly error?: string;
  /** How often it was redriven already. */
  readonly redriveCount: number;
}

/**
 * Port: starts the registration workflow for a registration. Starting twice for the same
 * registration id never creates a second execution.
 */
export interface RegistrationWorkflow {
  start(input: RegistrationWorkflowInput): Promise<WorkflowStart>;
  /** Executions that failed, timed out or were stopped at or after `stoppedAfter` (ISO-8601). */
  failedExecutions(input: { stoppedAfter: string }): Promise<readonly FailedExecution[]>;
  /**
   * Continues a failed, timed-out or stopped execution from the step that did not finish.
   * An execution that cannot be redriven (running, succeeded, stopped too long ago, unknown)
   * answers `redriven: false` with the reason; other failures are thrown.
   */
  redrive(execution: string): Promise<{ redriven: boolean; reason?: string }>;
}

/** A registration's workflow execution that stopped without finishing. */
export interface FailedExecution {
  readonly registrationId: string;
  /** Execution ARN in AWS, a local execution id on one machine. */
  readonly execution: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly stoppedAt: string;
  readonly error?: string;
  /** How often it was redriven already. */
  readonly redriveCount: number;
}

/**
 * Port: finds the workflow executions that stopped without finishing, and restarts one from
 * the step that failed (Step Functions `RedriveExecution`).
 */
export interface WorkflowRedrive {
  /** Executions that failed, timed out or were aborted after `stoppedAfter` (ISO instant). */
  failedExecutions(input: { stoppedAfter: string }): Promise<readonly FailedExecution[]>;
  /** Restarts the execution from its failed step; `redriven: false` with the reason when it cannot be. */
  redrive(execution: string): Promise<{ redriven: boolean; reason?: string }>;
}
