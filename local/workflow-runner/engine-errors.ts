import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';

/**
 * A failure handed to `aws-local-stepfunctions` as a state's error: `name` is the States
 * language `Error` matched by Retry and Catch, `message` its `Cause` (the package reads both
 * from there, so the original error is kept as `origin` rather than `cause`).
 */
export class StateFailure extends Error {
  readonly origin: unknown;

  constructor(error: string, cause: string, origin?: unknown) {
    super(cause);
    this.name = error;
    this.origin = origin;
  }
}

/**
 * `States.Runtime`: a fault of the definition or of the local wiring (no handler for a
 * resource, a wait time that is not a number). Like in Step Functions no Retry or Catch takes it.
 */
export class StatesRuntimeFailure extends StateFailure {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}

let timeoutPrototype: Promise<object | undefined> | undefined;
let knownTimeoutPrototype: object | undefined;

/**
 * The package's own `States.Timeout` class, which it does not export but needs: its Retry and
 * Catch let `States.TaskFailed` match every error except instances of it, as Step Functions does.
 * One task of a probe machine is timed out after 1 ms to learn the class.
 */
function statesTimeoutPrototype(): Promise<object | undefined> {
  timeoutPrototype ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: {
          Probe: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
            TimeoutSeconds: 0.001,
            End: true,
          },
        },
      },
      { validationOptions: { noValidate: true } },
    );
    const never = new Promise<null>(() => undefined);
    try {
      await probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => never } } }).result;
    } catch (error) {
      if (
        error instanceof ExecutionError &&
        error.cause instanceof Error &&
        error.cause.name === 'States.Timeout'
      ) {
        knownTimeoutPrototype = Object.getPrototypeOf(error.cause) as object;
        return knownTimeoutPrototype;
      }
    }
    return undefined;
  })();
  return timeoutPrototype;
}

/**
 * A `States.Timeout` (or `States.HeartbeatTimeout`) the package treats as its own timeout, not
 * matched by `States.TaskFailed`, once
 * `prepareEngineErrors()` has run.
 */
export function statesTimeout(
  cause: string,
  error: 'States.Timeout' | 'States.HeartbeatTimeout' = 'States.Timeout',
): Error {
  const failure = new StateFailure(error, cause);
  if (knownTimeoutPrototype !== undefined) Object.setPrototypeOf(failure, knownTimeoutPrototype);
  return failure;
}

/** Whether the package takes `error` for its own timeout (not matched by `States.TaskFailed`). */
export function isStatesTimeout(error: Error): boolean {
  return (
    knownTimeoutPrototype !== undefined && Object.prototype.isPrototypeOf.call(knownTimeoutPrototype, error)
  );
}

/** Learns the timeout class ahead of the first timeout, so firing one needs no real time. */
export async function prepareEngineErrors(): Promise<void> {
  await statesTimeoutPrototype();
}
