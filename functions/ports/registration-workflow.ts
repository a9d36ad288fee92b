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
