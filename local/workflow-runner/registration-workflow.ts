import type {
  FailedExecution,
  RegistrationWorkflow,
  RegistrationWorkflowInput,
  WorkflowRedrive,
  WorkflowStart,
} from '#ports/registration-workflow.ts';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  ExecutionNotRedrivableError,
} from './errors.ts';
import type { ExecutionStatus, LocalWorkflowRunner } from './runner.ts';

const isUnsuccessful = (status: ExecutionStatus): status is FailedExecution['status'] =>
  status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';

/**
 * The registration workflow port on the local runner: starts the given definition (the
 * deployed ASL) with the registration id as execution name, as the Step Functions adapter does,
 * so a second start for the same registration never creates a second execution; lists the
 * executions that did not succeed and redrives them as the Step Functions adapter does.
 */
export class RunnerRegistrationWorkflow implements RegistrationWorkflow, WorkflowRedrive {
  readonly #runner: LocalWorkflowRunner;
  readonly #definition: Record<string, unknown>;
  readonly #stateMachineName: string;

  constructor(
    runner: LocalWorkflowRunner,
    definition: Record<string, unknown>,
    stateMachineName = 'RegistrationWorkflow',
  ) {
    this.#runner = runner;
    this.#definition = definition;
    this.#stateMachineName = stateMachineName;
  }

  async start(input: RegistrationWorkflowInput): Promise<WorkflowStart> {
    const options = { name: input.registrationId, input, stateMachineName: this.#stateMachineName };
    try {
      const { executionArn, alreadyRunning } = await this.#runner.startExecution(this.#definition, options);
      return { execution: executionArn, alreadyStarted: alreadyRunning };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExistsError)) throw error;
      const execution = `arn:aws:states:local:000000000000:execution:${this.#stateMachineName}:${input.registrationId}`;
      return { execution, alreadyStarted: true };
    }
  }

  async failedExecutions(input: { stoppedAfter: string }): Promise<readonly FailedExecution[]> {
    const since = Date.parse(input.stoppedAfter);
    if (Number.isNaN(since)) {
      throw new RangeError(`stoppedAfter must be an ISO-8601 time, got "${input.stoppedAfter}"`);
    }
    return this.#runner.listExecutions().flatMap((execution): FailedExecution[] => {
      const { status, stopDate } = execution;
      if (
        execution.stateMachineName !== this.#stateMachineName ||
        !isUnsuccessful(status) ||
        stopDate === undefined ||
        Date.parse(stopDate) <= since
      ) {
        return [];
      }
      return [
        {
          registrationId: execution.name,
          execution: execution.executionArn,
          status,
          stoppedAt: stopDate,
          ...(execution.error === undefined ? {} : { error: execution.error }),
          redriveCount: execution.redriveCount,
        },
      ];
    });
  }

  async redrive(execution: string): Promise<{ redriven: boolean; reason?: string }> {
    try {
      await this.#runner.redriveExecution(execution);
      return { redriven: true };
    } catch (error) {
      if (error instanceof ExecutionNotRedrivableError || error instanceof ExecutionDoesNotExistError) {
        return { redriven: false, reason: `${error.name}: ${error.message}` };
      }
      throw error;
    }
  }
}
