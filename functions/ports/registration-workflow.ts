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

/**
 * Port: starts the registration workflow for a registration. Starting twice for the same
 * registration id never creates a second execution.
 */
export interface RegistrationWorkflow {
  start(input: RegistrationWorkflowInput): Promise<WorkflowStart>;
}

/** A registration's workflow execution that stopped without finishing. */
export interface FailedExecution {
  readonly registrationId: string;
  /** Execution ARN in AWS, a local execution id on one machine; what `redrive` takes. */
  readonly execution: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** When it stopped (ISO instant). */
  readonly stoppedAt: string;
  /** The error it stopped with, when known (Step Functions' execution list does not carry it). */
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
  /**
   * Restarts the execution from its failed step; `redriven: false` with the reason when it cannot
   * be (running, succeeded, stopped too long ago, unknown). Other failures are thrown.
   */
  redrive(execution: string): Promise<{ redriven: boolean; reason?: string }>;
}
