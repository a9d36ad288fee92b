import type {
  RegistrationWorkflow,
  RegistrationWorkflowInput,
  WorkflowStart,
} from '#ports/registration-workflow.ts';
import { ExecutionAlreadyExistsError } from './errors.ts';
import type { LocalWorkflowRunner } from './runner.ts';

/**
 * The registration workflow port on the local runner: starts the given definition (the
 * deployed ASL) with the registration id as execution name, as the Step Functions adapter does,
 * so a second start for the same registration never creates a second execution.
 */
export class RunnerRegistrationWorkflow implements RegistrationWorkflow {
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
}
