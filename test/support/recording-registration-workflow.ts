import type {
  RegistrationWorkflow,
  RegistrationWorkflowInput,
  WorkflowStart,
} from '#ports/registration-workflow.ts';

export interface LocalExecution {
  readonly name: string;
  readonly input: RegistrationWorkflowInput;
  readonly startedAt: string;
}

/**
 * A registration workflow port for tests that only need to see what was started: keeps
 * executions by name and, like Step Functions, never starts a second execution with a name it has
 * seen. The local stack runs the real definition on the local workflow runner instead.
 */
export class LocalRegistrationWorkflow implements RegistrationWorkflow {
  readonly #executions = new Map<string, LocalExecution>();
  readonly #now: () => Date;
  readonly #onStart: (execution: LocalExecution) => void;

  constructor(options: { now?: () => Date; onStart?: (execution: LocalExecution) => void } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#onStart = options.onStart ?? (() => undefined);
  }

  async start(input: RegistrationWorkflowInput): Promise<WorkflowStart> {
    const name = input.registrationId;
    if (this.#executions.has(name)) return { execution: `local:${name}`, alreadyStarted: true };
    const execution = { name, input, startedAt: this.#now().toISOString() };
    this.#executions.set(name, execution);
    this.#onStart(execution);
    return { execution: `local:${name}`, alreadyStarted: false };
  }

  executions(): LocalExecution[] {
    return [...this.#executions.values()];
  }
}
