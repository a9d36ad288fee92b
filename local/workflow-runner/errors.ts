import { SavedFileError } from '../atomic-file.ts';

export { InvalidDefinitionError } from '#workflows/definition-error.ts';

/** The runner was closed (the local stack is stopping): it starts no execution any more. */
export class RunnerClosedError extends Error {
  override readonly name = 'RunnerClosed';
}

/** Step Functions' `InvalidName`: an execution name it would refuse. */
export class InvalidExecutionNameError extends Error {
  override readonly name = 'InvalidName';
}

/** Step Functions' `ExecutionAlreadyExists`: the name was used before (closed, or another input). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/** Step Functions' `ExecutionDoesNotExist`. */
export class ExecutionDoesNotExistError extends Error {
  override readonly name = 'ExecutionDoesNotExist';
}

/**
 * Step Functions' `ExecutionNotRedrivable` ("RedriveExecution" API reference): the execution is
 * running or succeeded, stopped more than 14 days ago, was open longer than a year, or its
 * history has no room for the redrive.
 */
export class ExecutionNotRedrivableError extends Error {
  override readonly name = 'ExecutionNotRedrivable';
}

/**
 * The runner's saved executions cannot be read back: the file is not what the runner wrote. A
 * `SavedFileError`, like every saved file of the local stack that cannot be read.
 */
export class RunnerStateFileError extends SavedFileError {}

/** Step Functions' `InvalidToken`: no task ever issued this token. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidToken';
}

/** Step Functions' `TaskTimedOut`: the task of this token is closed (decided, failed, timed out or stopped). */
export class TaskTimedOutError extends Error {
  override readonly name = 'TaskTimedOut';
}

/** Step Functions' `InvalidOutput` / `InvalidInput`: a value that is not JSON. */
export class InvalidJsonPayloadError extends Error {
  override readonly name = 'InvalidJsonPayloadError';
}
