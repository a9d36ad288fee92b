import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type {
  RegistrationWorkflow,
  RegistrationWorkflowInput,
  WorkflowStart,
} from '#ports/registration-workflow.ts';

/**
 * Starts the registration state machine with the registration id as execution name. Step
 * Functions refuses a second execution of the same name (or returns the running one for the
 * same input), which is what makes the start idempotent.
 */
export class StepFunctionsRegistrationWorkflow implements RegistrationWorkflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(client: SFNClient, stateMachineArn: string) {
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
  }

  async start(input: RegistrationWorkflowInput): Promise<WorkflowStart> {
    try {
      const result = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: input.registrationId,
          input: JSON.stringify(input),
        }),
      );
      return {
        execution: result.executionArn ?? this.#executionArn(input.registrationId),
        alreadyStarted: false,
      };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return { execution: this.#executionArn(input.registrationId), alreadyStarted: true };
      }
      throw error;
    }
  }

  #executionArn(name: string): string {
    return `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}
