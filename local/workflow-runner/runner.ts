import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import canonicalize from 'canonicalize';
import type { ClockTimer, VirtualClock } from '../clock.ts';
import { SaveSoon } from '../save-soon.ts';
import {
  type CompiledStateMachine,
  compileStateMachine,
  type OverrideInput,
  type TaskStateSpec,
} from './compile.ts';
import {
  type ChildOutcome,
  type DistributedMapInput,
  type DistributedMapSpec,
  runMapRun,
} from './distributed-map.ts';
import {
  isStatesTimeout,
  prepareEngineErrors,
  StateFailure,
  StatesRuntimeFailure,
  statesTimeout,
} from './engine-errors.ts';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  ExecutionNotRedrivableError,
  InvalidDefinitionError,
  InvalidExecutionNameError,
  InvalidJsonPayloadError,
  InvalidTokenError,
  RunnerClosedError,
  RunnerStateFileError,
  TaskTimedOutError,
} from './errors.ts';
import type { LocalObjectStore } from './object-store.ts';
import { RunnerStateFile, type SavedExecution, type SavedRunner, type SavedTask } from './persistence.ts';
import { decideRetry } from './retry-pause.ts';

/** What a local task handler is told besides its input. */
export interface TaskContext {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateName: string;
  /** The Resource of the Task state as deployed. */
  readonly resource: string;
  /** The callback token of a `.waitForTaskToken` task (also in its Parameters via `$$.Task.Token`). */
  readonly taskToken?: string | undefined;
  /** The virtual time. */
  now(): Date;
}

/**
 * Runs one Task resource locally. For `arn:aws:states:::lambda:invoke` it gets the `Payload`
 * and its result becomes the response's `Payload`; a thrown error is the function's error.
 */
export type TaskHandler = (input: unknown, context: TaskContext) => Promise<unknown>;

/** How a retry pause elapses (see `LocalWorkflowRunnerOptions.retryPauses`). */
export type RetryPauses = 'clock' | 'clock-or-real-time' | 'none';

/** How the function behind a handler is deployed, as far as the runner imitates it. */
export interface HandlerOptions {
  /**
   * The function's reserved concurrency as the stack deploys it: at most this many invocations
   * run at once, and one more is refused with `Lambda.TooManyRequestsException` (see `#invoke`).
   * Unset: no limit.
   */
  readonly reservedConcurrency?: number | undefined;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A state machine's type ("Choosing workflow type in Step Functions"). */
export type WorkflowType = 'STANDARD' | 'EXPRESS';

export interface RegisterStateMachineOptions {
  /** The state machine's name: a Task's `StateMachineArn` names it as its last part. */
  readonly name: string;
  /** @default 'STANDARD' */
  readonly type?: WorkflowType;
}

/**
 * What an Express execution is billed for ("Step Functions pricing": per request, and per
 * GB-second of its duration): one request each, and how long it ran.
 */
export interface ExpressExecutionUsage {
  readonly executionArn: string;
  readonly stateMachineName: string;
  readonly status: ExecutionStatus;
  /** Its duration on the virtual clock, in milliseconds (0 while the clock stood still). */
  readonly durationMs: number;
  /** Its duration in real time, in milliseconds. */
  readonly realDurationMs: number;
  /** The states it entered (each a transition, not billed for Express). */
  readonly statesEntered: number;
}

/** One entry of an execution's history, stamped with the virtual time. */
export interface HistoryEvent {
  readonly id: number;
  readonly timestamp: string;
  /**
   * The package's events (`ExecutionStarted`, `StateEntered`, `StateExited`, `StateFailed`,
   * `StateRetried`, `StateCaught`, `ParallelBranch…`, `MapIteration…`, `Execution…`) and the
   * runner's (`TaskScheduled`, `TaskSubmitted`, `TaskSucceeded`, `TaskFailed`, `TaskTimedOut`,
   * `WaitScheduled`, `ExecutionAborted`, `ExecutionTimedOut`).
   */
  readonly type: string;
  readonly stateName?: string | undefined;
  /** The state's type as defined (a Wait state is `Wait` here). */
  readonly stateType?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}

/** `DescribeExecution`'s `redriveStatus`: whether `redriveExecution` would accept the execution now. */
export type RedriveStatus = 'REDRIVABLE' | 'NOT_REDRIVABLE';

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineName: string;
  /** Standard, or Express (an execution of a state machine registered as Express). */
  readonly type: WorkflowType;
  /** The execution whose Task started it (`states:startExecution.sync`), if one did. */
  readonly startedBy?: string | undefined;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  readonly startDate: string;
  readonly stopDate?: string | undefined;
  /** How often the execution was redriven (0 when never). */
  readonly redriveCount: number;
  /** When it was last redriven. */
  readonly redriveDate?: string | undefined;
  readonly redriveStatus: RedriveStatus;
  /** Why it cannot be redriven, in Step Functions' words, when `redriveStatus` is `NOT_REDRIVABLE`. */
  readonly redriveStatusReason?: string | undefined;
}

/** A `.waitForTaskToken` task waiting for its callback. */
export interface OpenTask {
  readonly taskToken: string;
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateName: string;
  /** What the task's resource was invoked with (its Parameters). */
  readonly input: unknown;
  readonly issuedAt: string;
  readonly timeoutAt?: string | undefined;
}

export interface StartExecutionOptions {
  /** Execution name, unique per state machine; default a UUID. */
  readonly name?: string;
  /** Execution input (JSON); default `{}`. */
  readonly input?: unknown;
  /** Names the state machine in ARNs and scopes execution names; default derived from the definition. */
  readonly stateMachineName?: string;
}

export interface LocalWorkflowRunnerOptions {
  readonly clock: VirtualClock;
  /** Handlers by resource ARN, Lambda function ARN or function name. */
  readonly handlers?: Readonly<Record<string, TaskHandler>>;
  /** Told of every execution that closes (for logging failures on the local stack). */
  readonly onExecutionClosed?: (execution: ExecutionDescription) => void;
  /** The S3 buckets a Distributed Map reads its items from and writes its results to. */
  readonly objectStore?: LocalObjectStore;
  /**
   * A directory where the runner keeps its executions (`executions.json`), so that a runner built
   * on it later, after `resume()`, continues them: see "Persistence" in the README. Without it,
   * executions live as long as the runner.
   */
  readonly persistTo?: string | undefined;
  /** How long the runner lets changes gather before it saves them (real milliseconds); default 50. */
  readonly persistDelayMs?: number | undefined;
  /**
   * How a retry pause elapses. `clock` (default): when the virtual clock is moved past its end,
   * like a Wait state. `clock-or-real-time`: also once as long has passed in real time, whichever
   * comes first — the local stack's clock stands still between moves, while Step Functions'
   * pauses pass in real time. `none`: at once, for tests of what a workflow does after its
   * retries, where the pauses are not what is tested and the clock must not move.
   */
  readonly retryPauses?: RetryPauses | undefined;
}

/** Which state a redriven or resumed execution continues at, and how. */
/** What decides whether an event of a continued attempt is left out of the history. */
interface HiddenCandidate {
  readonly type: string;
  readonly stateName?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}

interface Continuation {
  readonly kind: 'redrive' | 'resume';
  /** A state at the top level of the definition. */
  readonly stateName: string;
  /** The state's input when it was entered. */
  readonly input: unknown;
  /** The state was entered before (its StateEntered is in the history): a resume does not enter it again. */
  readonly reentered: boolean;
  /** A callback task waiting for its token: resumed with the same token, timeout and heartbeat. */
  task?: TokenEntry | undefined;
  /** A Wait state: resumed with the same due time. */
  waitDueAt?: Date | undefined;
  /**
   * Events of the stand-ins for the branches and iterations of a Parallel or Map state that
   * finished before the redrive or restart: left out of the history.
   */
  hidden?: ((event: HiddenCandidate) => boolean) | undefined;
}

/** Whose Context object it is: the execution or one of its Map children. */
interface ExecutionContextOf {
  readonly arn: string;
  readonly name: string;
  readonly input: unknown;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly startDate: Date;
}

/** A local function: its handler, its reserved concurrency and the invocations running now. */
interface LocalFunction {
  readonly handler: TaskHandler;
  readonly reservedConcurrency?: number | undefined;
  inFlight: number;
}

/** One visit of a state with a Retry field: its retriers' retries so far and the pause before the next attempt. */
interface RetryingVisit {
  readonly attempts: number[];
  pause?: { readonly dueAt: Date; readonly pauseMs: number } | undefined;
}

/** What the package is told for every run of a machine and of its Map children. */
interface RunOptions {
  readonly overrides: {
    readonly taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>>;
    readonly retryIntervalOverrides: Record<string, number>;
  };
}

interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineName: string;
  readonly type: WorkflowType;
  /** The execution whose Task started it. */
  readonly startedBy?: string | undefined;
  /** Resolves when it closes (a Task that started it waits for this). */
  readonly closed: PromiseWithResolvers<void>;
  /** `performance.now()` when it started (in this process), and how long it ran in real time. */
  readonly realStart: number;
  realDurationMs?: number | undefined;
  readonly inputKey: string;
  readonly input: unknown;
  readonly startDate: Date;
  readonly compiled: CompiledStateMachine;
  /** The key of the definition in the saved state. */
  readonly definitionKey: string;
  readonly history: HistoryEvent[];
  redriveCount: number;
  redriveDate?: Date | undefined;
  /** The package's run of the current attempt; the settlement of an earlier one is ignored. */
  attempt?: object | undefined;
  /** Resolves once the current attempt's events are all in the history. */
  eventsRecorded?: Promise<void> | undefined;
  /** Consumed by the first Task or Wait override of a redriven or resumed attempt. */
  continuation?: Continuation | undefined;
  /** A Wait state at the top level being waited in. */
  waiting?: { readonly stateName: string; readonly dueAt: Date } | undefined;
  /** Restored from disk as RUNNING and not yet resumed: nothing of it runs. */
  dormant: boolean;
  /** Ends every task or wait still open (stop, timeout, a failed Parallel branch). */
  readonly releases: Set<{ readonly stateName: string; readonly release: (reason: Error) => void }>;
  status: ExecutionStatus;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  stopDate?: Date | undefined;
  /** Overrides running handler code (not waiting for the clock or a callback). */
  busy: number;
  /** Overrides waiting for the clock or a callback. */
  blocked: number;
  /** Retry pauses under way that also end in real time (`retryPauses: 'clock-or-real-time'`). */
  realTimePauses: number;
  mintedToken?: string | undefined;
  abort?: () => void;
  /** Aborts the running child workflow executions of its Distributed Map states. */
  readonly childAborts: Set<() => void>;
  timeoutTimer?: ClockTimer;
  /**
   * The visits of states with a Retry field that failed and are to be retried, by the state's
   * name, the Map child running it and the input of an inline Map iteration.
   */
  readonly retrying: Map<string, RetryingVisit>;
}

type TaskOutcome = { readonly output: unknown } | { readonly error: string; readonly cause: string };

interface TokenEntry {
  readonly task: OpenTask;
  readonly execution: Execution;
  open: boolean;
  /** The task's handler returned (the token was handed over). */
  submitted: boolean;
  heartbeatSeconds?: number | undefined;
  heartbeatDueAt?: Date | undefined;
  /** What was sent for the token, until the execution has taken it. */
  outcome?: TaskOutcome | undefined;
  heartbeat: () => void;
  settle: (outcome: TaskOutcome) => void;
}

const lambdaInvoke = 'arn:aws:states:::lambda:invoke';
/**
 * "Step Functions service quotas", "Choosing workflow type in Step Functions": an Express
 * execution runs at most 5 minutes.
 */
const expressMaxSeconds = 300;
const stateMachineArnPattern = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:([^:]+)$/;

/** A state machine registered with the runner, which Tasks start by ARN or name. */
interface RegisteredStateMachine {
  readonly name: string;
  readonly type: WorkflowType;
  readonly compiled: CompiledStateMachine;
  readonly definitionKey: string;
}
const dayMs = 86_400_000;
/** "Redriving state machines in Step Functions": an execution is redrivable 14 days after it stopped. */
const redrivablePeriodMs = 14 * dayMs;
/** "Quotas related to state machine executions": a Standard execution is open at most one year. */
const maxOpenTimeMs = 365 * dayMs;
/**
 * "RedriveExecution" API reference: the history must hold fewer than 24,999 events, to leave room
 * for `ExecutionRedriven` and at least one more event.
 */
const maxHistoryBeforeRedrive = 24_999;
const lambdaArn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
const forbiddenNameCharacters = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

function toJson(value: unknown, what: string): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new InvalidJsonPayloadError(`${what} must be JSON`, { cause: error });
  }
}

function functionName(reference: string): string {
  return lambdaArn.exec(reference)?.[1] ?? reference;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isoOf = (date: Date | undefined) => date?.toISOString();
const dateOf = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));

/** What a thrown handler error becomes, shaped like a Lambda function error in Step Functions. */
function handlerFailure(error: unknown): Error {
  // The runner's own failures (a timeout carries the package's class instead of StateFailure).
  if (error instanceof StateFailure || (error instanceof Error && error.name === 'States.Timeout'))
    return error;
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack?.split('\n') ?? []) : [];
  return new StateFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }), error);
}

/**
 * Runs state machine definitions (ASL, JSONPath) on one machine with `aws-local-stepfunctions`
 * and a virtual clock, as Step Functions runs them: Task states call registered local handlers,
 * `.waitForTaskToken` tasks wait for `sendTaskSuccess`/`sendTaskFailure`, and task timeouts,
 * Wait states, execution timeouts and retry pauses end when the clock is moved (see `retryPauses`).
 * A function registered with a reserved concurrency runs at most that many invocations at once.
 */
export class LocalWorkflowRunner {
  readonly #clock: VirtualClock;
  readonly #functions = new Map<string, LocalFunction>();
  readonly #retryPauses: RetryPauses;
  readonly #compiled = new Map<string, CompiledStateMachine>();
  readonly #executions = new Map<string, Execution>();
  readonly #tokens = new Map<string, TokenEntry>();
  #changed = Promise.withResolvers<void>();
  readonly #removeSettleHook: () => void;
  readonly #onExecutionClosed: (execution: ExecutionDescription) => void;
  readonly #objectStore: LocalObjectStore | undefined;
  #closed = false;
  readonly #stateFile: RunnerStateFile | undefined;
  /** The definitions given, by key, as they are saved. */
  readonly #definitions = new Map<string, Record<string, unknown>>();
  /** State machines Tasks may start (`states:startExecution.sync`), by name. */
  readonly #stateMachines = new Map<string, RegisteredStateMachine>();
  /** Saves the executions soon after each change, one save at a time. */
  readonly #saves: SaveSoon | undefined;
  #saveFailure: Error | undefined;
  /** Stopped for good (closed with persistence): nothing it does any more is saved or reported. */
  #suspended = false;

  /**
   * With `persistTo`, the executions saved there are read back at once (a file the runner did not
   * write is refused with `RunnerStateFileError`): closed ones can be described and redriven, and
   * running ones continue when `resume()` is called, once their handlers are registered.
   */
  constructor(options: LocalWorkflowRunnerOptions) {
    this.#clock = options.clock;
    this.#objectStore = options.objectStore;
    this.#onExecutionClosed = options.onExecutionClosed ?? (() => undefined);
    this.#retryPauses = options.retryPauses ?? 'clock';
    for (const [resource, handler] of Object.entries(options.handlers ?? {}))
      this.registerHandler(resource, handler);
    this.#stateFile = options.persistTo === undefined ? undefined : new RunnerStateFile(options.persistTo);
    const file = this.#stateFile;
    this.#saves =
      file === undefined
        ? undefined
        : new SaveSoon({
            save: async () => {
              await file.save(this.#snapshot());
              this.#saveFailure = undefined;
            },
            delayMs: options.persistDelayMs ?? 50,
            onError: (error) => {
              this.#saveFailure = new Error(
                `the workflow runner could not save its executions to ${file.path}`,
                {
                  cause: error,
                },
              );
              process.emitWarning(this.#saveFailure.message);
            },
          });
    const saved = this.#stateFile?.load();
    if (saved !== undefined) this.#restore(saved);
    this.#removeSettleHook = this.#clock.addSettleHook(() => this.settle());
  }

  /**
   * Maps a Task resource (an ARN), a Lambda function ARN or a function name to a local handler;
   * `reservedConcurrency` caps the invocations running at once as the deployed function's does.
   */
  registerHandler(resource: string, handler: TaskHandler, options: HandlerOptions = {}): void {
    const { reservedConcurrency } = options;
    if (
      reservedConcurrency !== undefined &&
      (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 0)
    ) {
      throw new RangeError(
        `the reserved concurrency of "${functionName(resource)}" must be a whole number of at least 0, got ${reservedConcurrency}`,
      );
    }
    this.#functions.set(functionName(resource), { handler, reservedConcurrency, inFlight: 0 });
  }

  /**
   * The functions and resources of a definition's Task states that no handler answers yet (a
   * `FunctionName` chosen at run time is not known here): for failing fast at start-up.
   */
  unhandledResources(definition: unknown): string[] {
    const missing = new Set<string>();
    for (const spec of this.#compile(definition).states.values()) {
      if (spec.kind !== 'task') continue;
      if (spec.nested !== undefined) {
        const name =
          spec.stateMachineArn === undefined
            ? undefined
            : (stateMachineArnPattern.exec(spec.stateMachineArn)?.[1] ?? spec.stateMachineArn);
        if (name !== undefined && !this.#stateMachines.has(name)) missing.add(`stateMachine:${name}`);
        continue;
      }
      const resource = spec.resource.replace(/\.waitForTaskToken$/, '');
      const target = resource === lambdaInvoke ? spec.functionName : resource;
      if (target !== undefined && !this.#functions.has(functionName(target)))
        missing.add(functionName(target));
    }
    return [...missing];
  }

  /**
   * Starts an execution, like `StartExecution`: a name already used with the same state machine
   * is refused with `ExecutionAlreadyExists`, except for a running execution started with the
   * same input, which is returned as it is (`alreadyRunning`).
   */
  async startExecution(
    definition: unknown,
    options: StartExecutionOptions = {},
  ): Promise<{ executionArn: string; startDate: string; alreadyRunning: boolean }> {
    const { compiled, key: definitionKey } = this.#compileKeyed(definition);
    const stateMachineName = options.stateMachineName ?? this.#defaultStateMachineName(compiled);
    const input = toJson(options.input ?? {}, 'the execution input');
    const arn = `arn:aws:states:local:000000000000:execution:${stateMachineName}:${options.name}`;
    const existing = options.name === undefined ? undefined : this.#executions.get(arn);
    if (existing?.status === 'RUNNING' && existing.inputKey === (canonicalize(input) ?? 'null')) {
      return { executionArn: arn, startDate: existing.startDate.toISOString(), alreadyRunning: true };
    }
    await prepareEngineErrors();
    const execution = this.#begin({
      compiled,
      definitionKey,
      stateMachineName,
      type: 'STANDARD',
      name: options.name,
      input,
    });
    return {
      executionArn: execution.arn,
      startDate: execution.startDate.toISOString(),
      alreadyRunning: false,
    };
  }

  /**
   * Registers a state machine that Tasks start with `arn:aws:states:::states:startExecution.sync`
   * or `.sync:2` ("Start workflow executions from a task state in Step Functions"), named by the
   * last part of their `StateMachineArn`; answers its ARN. An Express state machine runs only
   * Request Response integrations ("Discover service integration patterns in Step Functions":
   * Express workflows support neither `.sync` nor `.waitForTaskToken`): a definition with either
   * is refused with `InvalidDefinitionError`, as CreateStateMachine refuses it.
   */
  registerStateMachine(
    definition: unknown,
    options: RegisterStateMachineOptions,
  ): { stateMachineArn: string } {
    const type = options.type ?? 'STANDARD';
    if (options.name.length < 1 || options.name.length > 80 || forbiddenNameCharacters.test(options.name)) {
      throw new InvalidExecutionNameError(`invalid state machine name "${options.name}"`);
    }
    const { compiled, key } = this.#compileKeyed(definition);
    if (type === 'EXPRESS') {
      for (const spec of compiled.states.values()) {
        if (spec.kind === 'task' && (spec.callback || spec.nested !== undefined)) {
          throw new InvalidDefinitionError(
            `Express state machine "${options.name}": Task state "${spec.stateName}" uses ${spec.resource}; Express workflows run Request Response integrations only`,
          );
        }
      }
    }
    this.#stateMachines.set(options.name, { name: options.name, type, compiled, definitionKey: key });
    return { stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${options.name}` };
  }

  /** Creates an execution and starts running it. */
  #begin(start: {
    compiled: CompiledStateMachine;
    definitionKey: string;
    stateMachineName: string;
    type: WorkflowType;
    name: string | undefined;
    input: unknown;
    startedBy?: string | undefined;
  }): Execution {
    const name = start.name ?? randomUUID();
    if (name.length < 1 || name.length > 80 || forbiddenNameCharacters.test(name)) {
      throw new InvalidExecutionNameError(
        `invalid execution name "${name}": 1 to 80 characters without spaces, brackets, wildcards or punctuation such as " # % \\ ^ | ~ \` $ & , ; : /`,
      );
    }
    // An Express execution's ARN names it as "express" and ends with an id of its own: its name
    // need not be unique ("StartExecution": not idempotent for Express workflows).
    const arn =
      start.type === 'EXPRESS'
        ? `arn:aws:states:local:000000000000:express:${start.stateMachineName}:${name}:${randomUUID()}`
        : `arn:aws:states:local:000000000000:execution:${start.stateMachineName}:${name}`;
    if (this.#executions.has(arn))
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${arn}'`);
    if (this.#closed) throw new RunnerClosedError(`the workflow runner is closed: ${name} was not started`);
    const execution: Execution = {
      arn,
      name,
      stateMachineName: start.stateMachineName,
      type: start.type,
      startedBy: start.startedBy,
      closed: Promise.withResolvers<void>(),
      realStart: performance.now(),
      inputKey: canonicalize(start.input) ?? 'null',
      input: start.input,
      startDate: this.#clock.now(),
      compiled: start.compiled,
      definitionKey: start.definitionKey,
      history: [],
      redriveCount: 0,
      dormant: false,
      releases: new Set(),
      childAborts: new Set(),
      status: 'RUNNING',
      busy: 0,
      blocked: 0,
      realTimePauses: 0,
      retrying: new Map(),
    };
    this.#executions.set(arn, execution);
    this.#run(execution);
    this.#signal();
    return execution;
  }

  /** `SendTaskSuccess`: ends the waiting task of `taskToken` with `output` (JSON). */
  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    const entry = this.#openToken(taskToken);
    const value = toJson(output, 'the task output');
    entry.open = false;
    entry.outcome = { output: value };
    entry.settle(entry.outcome);
    this.#signal();
  }

  /** `SendTaskFailure`: fails the waiting task of `taskToken` with a States language error and cause. */
  async sendTaskFailure(taskToken: string, error = '', cause = ''): Promise<void> {
    const entry = this.#openToken(taskToken);
    entry.open = false;
    entry.outcome = { error, cause };
    entry.settle(entry.outcome);
    this.#signal();
  }

  /** `SendTaskHeartbeat`: the task of `taskToken` is alive; its HeartbeatSeconds start again. */
  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.#openToken(taskToken).heartbeat();
  }

  /** `StopExecution`: aborts a running execution. */
  async stopExecution(
    executionArnOrName: string,
    reason: { error?: string; cause?: string } = {},
  ): Promise<void> {
    const execution = this.#find(executionArnOrName);
    if (execution.status !== 'RUNNING') return;
    this.#terminate(execution, { status: 'ABORTED', error: reason.error ?? '', cause: reason.cause ?? '' });
  }

  /**
   * `RedriveExecution` ("Redriving state machines in Step Functions"; "RedriveExecution" API
   * reference): a FAILED, TIMED_OUT or ABORTED execution continues from the state that did not
   * finish, with the input that state received, under the same ARN and definition. The states
   * that finished are not run again and their history stays; `ExecutionRedriven` is appended,
   * `redriveCount` goes up by one, the status is RUNNING again and the execution's timeout
   * counts from the redrive. A callback task run again gets a new token. Of a Parallel or inline
   * Map state that did not finish, only the branches and iterations that did not succeed run
   * again; a Distributed Map runs a whole new Map Run (Step Functions reruns only the unsuccessful
   * child executions). Refused with `ExecutionNotRedrivable` (running or succeeded,
   * stopped more than 14 days ago on the clock, open more than a year, history too long) or
   * `ExecutionDoesNotExist`.
   */
  async redriveExecution(executionArnOrName: string): Promise<{ redriveDate: string }> {
    const execution = this.#find(executionArnOrName);
    const refuse = () => {
      const reason = this.#notRedrivable(execution);
      if (reason !== undefined) {
        throw new ExecutionNotRedrivableError(`Execution cannot be redriven: '${execution.arn}': ${reason}`);
      }
    };
    refuse();
    if (this.#closed)
      throw new RunnerClosedError(`the workflow runner is closed: ${execution.name} was not redriven`);
    // The events of the attempt that ended are all recorded before the history is read.
    await execution.eventsRecorded;
    refuse();
    const restart = this.#unfinishedState(execution);
    const redriveDate = this.#clock.now();
    execution.status = 'RUNNING';
    execution.redriveCount += 1;
    execution.redriveDate = redriveDate;
    execution.stopDate = undefined;
    execution.output = undefined;
    execution.error = undefined;
    execution.cause = undefined;
    this.#record(execution, 'ExecutionRedriven', undefined, { redriveCount: execution.redriveCount });
    this.#run(execution, {
      kind: 'redrive',
      stateName: restart?.stateName ?? this.#startAt(execution),
      input: restart === undefined ? execution.input : restart.input,
      reentered: false,
    });
    this.#signal();
    return { redriveDate: redriveDate.toISOString() };
  }

  /**
   * Continues the executions read back from `persistTo` that were running when the runner that
   * saved them stopped: each at the top-level state it was in. A callback task whose handler had
   * returned keeps its token, timeout and heartbeat and is not invoked again; a Wait keeps its
   * due time; any other state runs again (of a Parallel or inline Map state, the branches and
   * iterations that had not finished; a Distributed Map's whole Map Run).
   * Call it once the handlers are registered; answers the names of the executions resumed.
   */
  async resume(): Promise<string[]> {
    if (this.#closed) throw new RunnerClosedError('the workflow runner is closed: nothing was resumed');
    await prepareEngineErrors();
    const resumed: string[] = [];
    for (const execution of this.#executions.values()) {
      if (!execution.dormant) continue;
      execution.dormant = false;
      if (execution.status !== 'RUNNING') continue; // stopped before it was resumed
      if (execution.type === 'EXPRESS') {
        // Not continued: an Express execution is at-least-once ("Choosing workflow type in Step
        // Functions"), and the Task that started it runs again when its execution resumes,
        // starting the segment anew.
        this.#record(execution, 'ExecutionAborted', undefined, {
          error: 'States.Runtime',
          cause: 'the workflow runner stopped while it ran; the Task that started it starts it again',
        });
        this.#close(execution, {
          status: 'ABORTED',
          error: 'States.Runtime',
          cause: 'the workflow runner stopped while it ran; the Task that started it starts it again',
        });
        continue;
      }
      const unfinished = this.#unfinishedState(execution);
      const continuation: Continuation = {
        kind: 'resume',
        stateName: unfinished?.stateName ?? this.#startAt(execution),
        input: unfinished === undefined ? execution.input : unfinished.input,
        reentered: unfinished !== undefined,
      };
      if (unfinished !== undefined) {
        const spec = execution.compiled.states.get(unfinished.stateName);
        if (spec?.kind === 'task' && spec.callback) {
          // The token the state waits on: open, or answered while no runner ran the execution.
          continuation.task = [...this.#tokens.values()]
            .filter(
              (entry) =>
                entry.execution === execution &&
                entry.task.stateName === unfinished.stateName &&
                (entry.open || entry.outcome !== undefined),
            )
            .at(-1);
        }
        if (execution.waiting?.stateName === unfinished.stateName)
          continuation.waitDueAt = execution.waiting.dueAt;
      }
      this.#record(execution, 'ExecutionResumed', continuation.stateName, {
        continues: continuation.task?.submitted
          ? 'waiting for the same task token'
          : continuation.waitDueAt !== undefined
            ? `waiting until ${continuation.waitDueAt.toISOString()}`
            : 'running the state again',
      });
      this.#run(execution, continuation);
      resumed.push(execution.name);
    }
    this.#signal();
    return resumed;
  }

  /**
   * Resolves once everything that happened so far is saved to `persistTo` (at once without it);
   * rejects with the error of a save that failed.
   */
  async persisted(): Promise<void> {
    await this.#saves?.flush();
    if (this.#saveFailure !== undefined) throw this.#saveFailure;
  }

  /** `DescribeExecution`, by execution ARN or (when unambiguous) name. */
  describeExecution(executionArnOrName: string): ExecutionDescription {
    return this.#describe(this.#find(executionArnOrName));
  }

  /**
   * `ListExecutions`, optionally only those of one status (its `statusFilter`): Standard
   * executions, as ListExecutions lists no Express executions (but a Map Run's); those a Task
   * started are listed by `expressExecutions(parent)`.
   */
  listExecutions(filter: { readonly status?: ExecutionStatus } = {}): ExecutionDescription[] {
    return [...this.#executions.values()]
      .filter((execution) => execution.type === 'STANDARD')
      .filter((execution) => filter.status === undefined || execution.status === filter.status)
      .map((execution) => this.#describe(execution));
  }

  /** `GetExecutionHistory`: the events so far, oldest first. */
  getExecutionHistory(executionArnOrName: string): HistoryEvent[] {
    return [...this.#find(executionArnOrName).history];
  }

  /**
   * The states entered, in order (each entry is one state transition). With `nested`, each
   * execution a Task started (`states:startExecution.sync`) follows that Task with the states it
   * entered, nested ones included: the whole path, across state machines.
   */
  statesVisited(executionArnOrName: string, options: { readonly nested?: boolean } = {}): string[] {
    const visited: string[] = [];
    for (const event of this.#find(executionArnOrName).history) {
      if (event.type === 'StateEntered' && event.stateName !== undefined) visited.push(event.stateName);
      const child = event.details?.executionArn;
      if (options.nested === true && event.type === 'TaskStarted' && typeof child === 'string') {
        visited.push(...this.statesVisited(child, options));
      }
    }
    return visited;
  }

  /**
   * State transitions as Step Functions bills them for a Standard execution: every state entered
   * (in branches and iterations too) and every retry. An Express execution is billed per request
   * and duration instead (see `expressExecutions`): none.
   */
  stateTransitions(executionArnOrName: string): number {
    const execution = this.#find(executionArnOrName);
    if (execution.type === 'EXPRESS') return 0;
    return execution.history.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried')
      .length;
  }

  /**
   * The Express executions the execution's Tasks started (`states:startExecution.sync`), each a
   * request billed with its duration ("Step Functions pricing", Express workflows), oldest first.
   */
  expressExecutions(executionArnOrName: string): ExpressExecutionUsage[] {
    const parent = this.#find(executionArnOrName);
    return [...this.#executions.values()]
      .filter((execution) => execution.type === 'EXPRESS' && execution.startedBy === parent.arn)
      .map((execution) => ({
        executionArn: execution.arn,
        stateMachineName: execution.stateMachineName,
        status: execution.status,
        durationMs: (execution.stopDate ?? this.#clock.now()).getTime() - execution.startDate.getTime(),
        realDurationMs: execution.realDurationMs ?? performance.now() - execution.realStart,
        statesEntered: execution.history.filter((event) => event.type === 'StateEntered').length,
      }));
  }

  /** Callback tasks waiting for `sendTaskSuccess`/`sendTaskFailure`, optionally of one execution. */
  openTasks(executionArnOrName?: string): OpenTask[] {
    const execution = executionArnOrName === undefined ? undefined : this.#find(executionArnOrName);
    return [...this.#tokens.values()]
      .filter((entry) => entry.open && (execution === undefined || entry.execution === execution))
      .map((entry) => entry.task);
  }

  /**
   * Resolves once every running execution is waiting for the clock or a callback (or has
   * closed): what can happen without moving the clock has happened.
   */
  async settle(options: { readonly throughRetryPauses?: boolean } = {}): Promise<void> {
    for (;;) {
      const changed = this.#changed.promise;
      await nextTurn();
      const running = [...this.#executions.values()].filter(
        (execution) =>
          execution.status === 'RUNNING' &&
          !execution.dormant &&
          (!(execution.busy === 0 && execution.blocked > 0) ||
            (options.throughRetryPauses === true && execution.realTimePauses > 0)),
      );
      if (running.length === 0) return;
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 25))]);
    }
  }

  /**
   * Refuses new executions and detaches from the clock. Without `persistTo` it stops (aborts)
   * every running execution. With it, running executions stay RUNNING: what they did so far is
   * saved, then this runner stops running them, and a runner built on the same directory resumes
   * them (what they do while the last save is written is lost, as in a crash).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#saves !== undefined) {
      if (this.#suspended) return;
      await this.#saves.close();
      this.#suspended = true;
      for (const execution of this.#executions.values()) {
        if (execution.status !== 'RUNNING' || execution.dormant) continue;
        execution.attempt = undefined;
        execution.timeoutTimer?.cancel();
        for (const abort of [...execution.childAborts]) abort();
        this.#release(execution, new StatesRuntimeFailure('the workflow runner stopped'));
        execution.abort?.();
      }
      this.#removeSettleHook();
      if (this.#saveFailure !== undefined) throw this.#saveFailure;
      return;
    }
    for (const execution of this.#executions.values()) {
      if (execution.status === 'RUNNING') {
        this.#terminate(execution, {
          status: 'ABORTED',
          error: 'RunnerClosed',
          cause: 'the local stack stopped',
        });
      }
    }
    this.#removeSettleHook();
    await this.settle();
  }

  #compile(definition: unknown): CompiledStateMachine {
    return this.#compileKeyed(definition).compiled;
  }

  /** Compiles a definition once; its key (a digest of its canonical JSON) names it in the saved state. */
  #compileKeyed(definition: unknown): { compiled: CompiledStateMachine; key: string } {
    const canonical = canonicalize(definition) ?? '';
    const known = this.#compiled.get(canonical);
    const compiled = known ?? compileStateMachine(definition);
    if (known === undefined) this.#compiled.set(canonical, compiled);
    const key = createHash('sha256').update(canonical).digest('hex');
    if (!this.#definitions.has(key)) this.#definitions.set(key, compiled.definition);
    return { compiled, key };
  }

  #startAt(execution: Execution): string {
    return String(execution.compiled.executable.StartAt);
  }

  /**
   * The top-level state the execution entered last and did not leave, with the input it entered
   * with — where a redrive or a resume continues ("Redriving Map Runs": a state redrives when its
   * Entered event has no Exited event). States inside a Parallel or Map count as that state.
   */
  #unfinishedState(execution: Execution): { stateName: string; input: unknown } | undefined {
    let unfinished: { stateName: string; input: unknown } | undefined;
    for (const event of execution.history) {
      const { stateName } = event;
      if (stateName === undefined || event.details?.childExecution !== undefined) continue;
      if (execution.compiled.enclosing.get(stateName)?.length !== 0) continue;
      if (event.type === 'StateEntered') {
        unfinished = { stateName, input: event.details?.input ?? null };
      } else if (event.type === 'StateExited' && unfinished?.stateName === stateName) {
        unfinished = undefined;
      }
    }
    return unfinished;
  }

  /**
   * Why `RedriveExecution` would refuse the execution now, in the words of `redriveStatusReason`
   * ("DescribeExecution" API reference), or undefined when it would not.
   */
  #notRedrivable(execution: Execution): string | undefined {
    // "Redriving state machines in Step Functions": Standard workflows only.
    if (execution.type === 'EXPRESS') return 'Express executions cannot be redriven';
    if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
      return `Execution is ${execution.status} and cannot be redriven`;
    }
    const now = this.#clock.now().getTime();
    if (now - execution.startDate.getTime() > maxOpenTimeMs)
      return 'Execution has exceeded the max execution time';
    if (execution.stopDate !== undefined && now - execution.stopDate.getTime() > redrivablePeriodMs) {
      return 'Execution redrivable period exceeded';
    }
    if (execution.history.length >= maxHistoryBeforeRedrive) return 'Execution history event limit exceeded';
    return undefined;
  }

  #defaultStateMachineName(compiled: CompiledStateMachine): string {
    const digest = createHash('sha256')
      .update(canonicalize(compiled.definition) ?? '')
      .digest('hex');
    return `StateMachine-${digest.slice(0, 12)}`;
  }

  #find(executionArnOrName: string): Execution {
    const byArn = this.#executions.get(executionArnOrName);
    if (byArn !== undefined) return byArn;
    const byName = [...this.#executions.values()].filter(
      (execution) => execution.name === executionArnOrName,
    );
    if (byName.length === 1 && byName[0] !== undefined) return byName[0];
    if (byName.length > 1) {
      throw new ExecutionDoesNotExistError(
        `execution name "${executionArnOrName}" is used by several state machines; give the execution ARN`,
      );
    }
    throw new ExecutionDoesNotExistError(`Execution Does Not Exist: '${executionArnOrName}'`);
  }

  #describe(execution: Execution): ExecutionDescription {
    return {
      executionArn: execution.arn,
      name: execution.name,
      stateMachineName: execution.stateMachineName,
      type: execution.type,
      ...(execution.startedBy === undefined ? {} : { startedBy: execution.startedBy }),
      status: execution.status,
      input: execution.input,
      output: execution.output,
      error: execution.error,
      cause: execution.cause,
      startDate: execution.startDate.toISOString(),
      stopDate: execution.stopDate?.toISOString(),
      redriveCount: execution.redriveCount,
      redriveDate: isoOf(execution.redriveDate),
      ...(() => {
        const reason = this.#notRedrivable(execution);
        return reason === undefined
          ? { redriveStatus: 'REDRIVABLE' as const }
          : { redriveStatus: 'NOT_REDRIVABLE' as const, redriveStatusReason: reason };
      })(),
    };
  }

  #openToken(taskToken: string): TokenEntry {
    const entry = this.#tokens.get(taskToken);
    if (entry === undefined) throw new InvalidTokenError(`Invalid Token: '${taskToken}'`);
    if (!entry.open) {
      throw new TaskTimedOutError(`Task Timed Out: '${taskToken}' (its task is already closed)`);
    }
    return entry;
  }

  #signal(): void {
    this.#changed.resolve();
    this.#changed = Promise.withResolvers<void>();
    this.#saveSoon();
  }

  /** Saves the executions once changes stop coming for `persistDelayMs`. */
  #saveSoon(): void {
    if (!this.#suspended) this.#saves?.changed();
  }

  /** The executions as they are now, in the form saved to disk. */
  #snapshot(): SavedRunner {
    const executions: SavedExecution[] = [];
    const definitions: Record<string, Record<string, unknown>> = {};
    for (const execution of this.#executions.values()) {
      definitions[execution.definitionKey] ??= this.#definitions.get(execution.definitionKey) ?? {};
      executions.push({
        arn: execution.arn,
        name: execution.name,
        stateMachineName: execution.stateMachineName,
        ...(execution.type === 'EXPRESS' ? { type: execution.type } : {}),
        ...(execution.startedBy === undefined ? {} : { startedBy: execution.startedBy }),
        definition: execution.definitionKey,
        input: execution.input,
        startDate: execution.startDate.toISOString(),
        status: execution.status,
        ...(execution.status === 'SUCCEEDED' ? { output: execution.output } : {}),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate.toISOString() }),
        redriveCount: execution.redriveCount,
        ...(execution.redriveDate === undefined ? {} : { redriveDate: execution.redriveDate.toISOString() }),
        history: execution.history,
        ...(execution.waiting === undefined
          ? {}
          : {
              wait: { stateName: execution.waiting.stateName, dueAt: execution.waiting.dueAt.toISOString() },
            }),
      });
    }
    const tasks: SavedTask[] = [...this.#tokens.values()].map((entry) => ({
      taskToken: entry.task.taskToken,
      executionArn: entry.execution.arn,
      stateName: entry.task.stateName,
      input: entry.task.input,
      issuedAt: entry.task.issuedAt,
      ...(entry.task.timeoutAt === undefined ? {} : { timeoutAt: entry.task.timeoutAt }),
      open: entry.open,
      submitted: entry.submitted,
      ...(entry.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: entry.heartbeatSeconds }),
      ...(entry.heartbeatDueAt === undefined ? {} : { heartbeatDueAt: entry.heartbeatDueAt.toISOString() }),
      ...(entry.outcome === undefined ? {} : { outcome: entry.outcome }),
    }));
    return { version: 1, definitions, executions, tasks };
  }

  /** Takes back the executions and task tokens saved by a runner on the same directory. */
  #restore(saved: SavedRunner): void {
    for (const stored of saved.executions) {
      const definition = saved.definitions[stored.definition];
      if (definition === undefined) {
        throw new RunnerStateFileError(
          `${this.#stateFile?.path}: execution ${stored.arn} names definition ${stored.definition}, which is not saved`,
        );
      }
      const { compiled, key } = this.#compileKeyed(definition);
      const execution: Execution = {
        arn: stored.arn,
        name: stored.name,
        stateMachineName: stored.stateMachineName,
        type: stored.type ?? 'STANDARD',
        startedBy: stored.startedBy,
        closed: Promise.withResolvers<void>(),
        realStart: performance.now(),
        inputKey: canonicalize(stored.input) ?? 'null',
        input: stored.input,
        startDate: new Date(stored.startDate),
        compiled,
        definitionKey: key,
        history: stored.history.map((event) => ({ ...event })),
        redriveCount: stored.redriveCount,
        redriveDate: dateOf(stored.redriveDate),
        waiting:
          stored.wait === undefined
            ? undefined
            : { stateName: stored.wait.stateName, dueAt: new Date(stored.wait.dueAt) },
        dormant: stored.status === 'RUNNING',
        releases: new Set(),
        childAborts: new Set(),
        status: stored.status,
        output: stored.output,
        error: stored.error,
        cause: stored.cause,
        stopDate: dateOf(stored.stopDate),
        busy: 0,
        blocked: 0,
        realTimePauses: 0,
        retrying: new Map(),
      };
      this.#executions.set(execution.arn, execution);
    }
    for (const task of saved.tasks) {
      const execution = this.#executions.get(task.executionArn);
      if (execution === undefined) continue;
      // A task inside a Parallel or Map state is issued anew when its branch runs again on resume.
      const resumable = execution.dormant && execution.compiled.enclosing.get(task.stateName)?.length === 0;
      const entry: TokenEntry = {
        task: {
          taskToken: task.taskToken,
          executionArn: execution.arn,
          executionName: execution.name,
          stateName: task.stateName,
          input: task.input,
          issuedAt: task.issuedAt,
          timeoutAt: task.timeoutAt,
        },
        execution,
        open: task.open && resumable,
        submitted: task.submitted,
        heartbeatSeconds: task.heartbeatSeconds,
        heartbeatDueAt: dateOf(task.heartbeatDueAt),
        outcome: task.outcome,
        // Until the execution resumes, a heartbeat only counts as one and an outcome waits to be taken.
        heartbeat: () => {
          if (entry.heartbeatSeconds !== undefined) {
            entry.heartbeatDueAt = new Date(this.#clock.now().getTime() + entry.heartbeatSeconds * 1000);
            this.#saveSoon();
          }
        },
        settle: () => undefined,
      };
      this.#tokens.set(task.taskToken, entry);
    }
  }

  #record(execution: Execution, type: string, stateName?: string, details?: Record<string, unknown>): void {
    const stateType = stateName === undefined ? undefined : execution.compiled.stateTypes.get(stateName);
    execution.history.push({
      id: execution.history.length + 1,
      timestamp: this.#clock.now().toISOString(),
      type,
      stateName,
      stateType,
      details,
    });
    this.#saveSoon();
  }

  /**
   * Runs an attempt of the execution with the package: from StartAt, or for a redrive or a
   * resume a copy of the definition that starts at the state it continues at.
   */
  #run(execution: Execution, from?: Continuation): void {
    const { compiled } = execution;
    const attempt = {};
    execution.attempt = attempt;
    execution.continuation = from;
    // A resumed callback task is handed the token it was issued (read by `$$.Task.Token`).
    execution.mintedToken = from?.task?.task.taskToken;
    // Retry counters start again with each attempt of the execution ("Redriving state machines").
    execution.retrying.clear();
    // The package retries at once; the runner pauses before the next attempt (`#retrying`).
    const retryIntervalOverrides = Object.fromEntries(compiled.retryingStates.map((name) => [name, 0]));
    /** The overrides of the execution itself (scope '') or of one child of a Distributed Map. */
    const runOptionsFor = (scope: string): RunOptions => {
      const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const spec of compiled.states.values()) {
        const run = (input: unknown): Promise<unknown> => {
          if (spec.kind === 'wait') return this.#wait(execution, spec.stateName, input as OverrideInput);
          if (spec.kind === 'distributedMap') {
            return this.#distributedMap(execution, spec, input as DistributedMapInput, runOptionsFor);
          }
          return this.#task(execution, spec, input as OverrideInput);
        };
        const retriers = compiled.retriers.get(spec.stateName);
        overrides[spec.stateName] =
          retriers === undefined
            ? run
            : (input) => this.#retrying(execution, spec.stateName, scope, input, run);
      }
      return { overrides: { taskResourceLocalHandlers: overrides, retryIntervalOverrides } };
    };
    const runOptions = runOptionsFor('');
    const definition = from === undefined ? compiled.executable : this.#continuedDefinition(execution, from);
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const run = machine.run((from === undefined ? execution.input : from.input) as never, {
      overrides: runOptions.overrides as never,
      context: this.#executionContext(execution),
    });
    execution.abort = run.abort;
    execution.eventsRecorded = this.#recordEvents(execution, run.eventLogs, {}, from);
    // An Express execution runs 5 minutes at most, whatever its TimeoutSeconds.
    const timeoutSeconds =
      execution.type === 'EXPRESS'
        ? Math.min(compiled.executionTimeoutSeconds ?? expressMaxSeconds, expressMaxSeconds)
        : compiled.executionTimeoutSeconds;
    if (timeoutSeconds !== undefined) {
      // "Redriving state machines in Step Functions": a redrive starts the execution's timeout anew.
      const since = execution.redriveDate ?? execution.startDate;
      const timeoutAt = new Date(since.getTime() + timeoutSeconds * 1000);
      execution.timeoutTimer = this.#clock.schedule(timeoutAt, () =>
        this.#terminate(execution, {
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: `the execution ran longer than ${timeoutSeconds} seconds`,
        }),
      );
    }
    const current = () => execution.attempt === attempt && !this.#suspended;
    run.result.then(
      (output) => {
        if (current()) this.#close(execution, { status: 'SUCCEEDED', output });
      },
      (error: unknown) => {
        // A stopped or timed-out execution is closed already; the package then reports the abort.
        if (!current()) return;
        const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
        this.#close(execution, {
          status: 'FAILED',
          error: failure instanceof Error ? failure.name : 'States.Runtime',
          cause: failure instanceof Error ? failure.message : String(failure),
        });
      },
    );
  }

  /**
   * The definition a redrive or a resume runs: the execution's, starting at the state it continues
   * at. A Parallel or inline Map state there keeps the branches and iterations that finished
   * before ("RedriveExecution" API reference: only the iterations and branches that failed or
   * aborted run again): their outputs are answered as they were by Pass states the history leaves out.
   */
  #continuedDefinition(execution: Execution, from: Continuation): StateMachineDefinition {
    const executable = execution.compiled.executable as unknown as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    const name = from.stateName;
    const state = executable.States[name];
    const starting = { ...executable, StartAt: name };
    if (state?.Type === 'Parallel') {
      const kept = this.#finishedBranches(execution, name);
      if (kept.size === 0) return starting as unknown as StateMachineDefinition;
      const synthetic = new Set<string>();
      const branches = (state.Branches as unknown[]).map((branch, index) => {
        if (!kept.has(index)) return branch;
        const pass = `${name} · branch ${index + 1} as it finished before`;
        synthetic.add(pass);
        return { StartAt: pass, States: { [pass]: { Type: 'Pass', Result: kept.get(index), End: true } } };
      });
      from.hidden = (event) => event.stateName !== undefined && synthetic.has(event.stateName);
      return {
        ...starting,
        States: { ...executable.States, [name]: { ...state, Branches: branches } },
      } as unknown as StateMachineDefinition;
    }
    if (state?.Type === 'Map') {
      const kept = this.#finishedIterations(execution, name);
      if (kept.size === 0) return starting as unknown as StateMachineDefinition;
      // Each iteration is handed its index beside its item: a finished one answers its output as
      // it was, any other goes on to the item processor with its item.
      const processorKey = 'ItemProcessor' in state ? 'ItemProcessor' : 'Iterator';
      const processor = state[processorKey] as { StartAt: string; States: Record<string, unknown> };
      const { Parameters: parameters, ItemSelector: itemSelector, ...rest } = state;
      const selector = itemSelector ?? parameters;
      const route = `${name} · iteration finished before?`;
      const unwrap = `${name} · iteration to run again`;
      const answerOf = (index: number) => `${name} · iteration ${index} as it finished before`;
      const answers = Object.fromEntries(
        [...kept].map(([index, output]) => [answerOf(index), { Type: 'Pass', Result: output, End: true }]),
      );
      const synthetic = new Set([route, unwrap, ...Object.keys(answers)]);
      from.hidden = (event) => {
        if (event.stateName !== undefined && synthetic.has(event.stateName)) return true;
        const parent = event.details?.parentState;
        return (
          event.type.startsWith('MapIteration') &&
          isRecord(parent) &&
          parent.name === name &&
          kept.has(Number(event.details?.index))
        );
      };
      return {
        ...starting,
        States: {
          ...executable.States,
          [name]: {
            ...rest,
            ItemSelector: {
              'index.$': '$$.Map.Item.Index',
              ...(selector === undefined ? { 'item.$': '$$.Map.Item.Value' } : { item: selector }),
            },
            [processorKey]: {
              ...processor,
              StartAt: route,
              States: {
                ...processor.States,
                [route]: {
                  Type: 'Choice',
                  Choices: [...kept.keys()].map((index) => ({
                    Variable: '$.index',
                    NumericEquals: index,
                    Next: answerOf(index),
                  })),
                  Default: unwrap,
                },
                [unwrap]: { Type: 'Pass', InputPath: '$.item', Next: processor.StartAt },
                ...answers,
              },
            },
          },
        },
      } as unknown as StateMachineDefinition;
    }
    return starting as unknown as StateMachineDefinition;
  }

  /** The iterations of the inline Map state `name` that succeeded since it was last entered, with their outputs. */
  #finishedIterations(execution: Execution, name: string): Map<number, unknown> {
    const finished = new Map<number, unknown>();
    for (const event of this.#sinceEntered(execution, name)) {
      const parent = event.details?.parentState;
      if (event.type === 'MapIterationSucceeded' && isRecord(parent) && parent.name === name) {
        finished.set(Number(event.details?.index), event.details?.output ?? null);
      }
    }
    return finished;
  }

  /** The history since the top-level state `name` was last entered. */
  #sinceEntered(execution: Execution, name: string): HistoryEvent[] {
    const { history } = execution;
    const entered = history.findLastIndex(
      (event) =>
        event.type === 'StateEntered' &&
        event.stateName === name &&
        event.details?.childExecution === undefined,
    );
    return history.slice(entered + 1);
  }

  /**
   * The branches of the Parallel state `name` that finished since it was last entered, with their
   * outputs: a branch finished when one of its own end states (`End`, or a Succeed state) exited.
   */
  #finishedBranches(execution: Execution, name: string): Map<number, unknown> {
    const parallel = (execution.compiled.definition.States as Record<string, Record<string, unknown>>)[name];
    const branches = Array.isArray(parallel?.Branches)
      ? (parallel.Branches as Record<string, unknown>[])
      : [];
    const endStates = branches.map(
      (branch) =>
        new Set(
          Object.entries((branch.States ?? {}) as Record<string, Record<string, unknown>>)
            .filter(([, state]) => state.End === true || state.Type === 'Succeed')
            .map(([stateName]) => stateName),
        ),
    );
    const finished = new Map<number, unknown>();
    for (const event of this.#sinceEntered(execution, name)) {
      if (event.type !== 'StateExited' || event.stateName === undefined) continue;
      const index = endStates.findIndex((states) => states.has(event.stateName as string));
      if (index >= 0) finished.set(index, event.details?.output ?? null);
    }
    return finished;
  }

  /** The context object (`$$`) of one of this runner's executions. */
  #executionContext(execution: Execution) {
    return this.#context(execution, {
      arn: execution.arn,
      name: execution.name,
      input: execution.input,
      stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${execution.stateMachineName}`,
      stateMachineName: execution.stateMachineName,
      startDate: execution.startDate,
    });
  }

  #context(execution: Execution, of: ExecutionContextOf): Record<string, unknown> {
    const clock = this.#clock;
    const minted = () => {
      execution.mintedToken ??= randomUUID();
      return execution.mintedToken;
    };
    return {
      Execution: {
        Id: of.arn,
        Name: of.name,
        Input: of.input,
        OriginalInput: of.input,
        RoleArn: 'arn:aws:iam::000000000000:role/local-workflow-runner',
        VirtualStartTime: of.startDate.toISOString(),
        // "Context object": how often the execution was redriven, and when last.
        ...(of.arn === execution.arn
          ? {
              RedriveCount: execution.redriveCount,
              ...(execution.redriveDate === undefined
                ? {}
                : { RedriveTime: execution.redriveDate.toISOString() }),
            }
          : // A Map Run's child executions are new ones each time: never redriven.
            { RedriveCount: 0 }),
      },
      StateMachine: { Id: of.stateMachineArn, Name: of.stateMachineName },
      // Paths are evaluated as a state is entered, and the clock does not move meanwhile.
      State: {
        get EnteredTime() {
          return clock.now().toISOString();
        },
      },
      // Read while the Parameters of a Task state are evaluated, just before its override runs.
      Task: {
        get Token() {
          return minted();
        },
      },
    };
  }

  /**
   * A Map state in Distributed mode: one Map Run (see distributed-map.ts), whose child workflow
   * executions run the ItemProcessor with the package and the same overrides, so their Task and
   * Wait states call the registered handlers on the virtual clock. Their events go into this
   * execution's history, marked with the Map Run and the child's name.
   */
  async #distributedMap(
    execution: Execution,
    spec: DistributedMapSpec,
    given: DistributedMapInput,
    runOptionsFor: (scope: string) => RunOptions,
  ): Promise<unknown> {
    const machineName = `${execution.stateMachineName}/${spec.label}`;
    const mapRunId = randomUUID();
    const mapRunArn = `arn:aws:states:local:000000000000:mapRun:${machineName}:${mapRunId}`;
    const childStateMachineArn = `arn:aws:states:local:000000000000:stateMachine:${machineName}`;
    const childArnPrefix =
      spec.executionType === 'EXPRESS'
        ? `arn:aws:states:local:000000000000:express:${machineName}:${mapRunId}`
        : `arn:aws:states:local:000000000000:execution:${machineName}`;
    const busy = async <T>(work: () => Promise<T>): Promise<T> => {
      execution.busy += 1;
      try {
        return await work();
      } finally {
        execution.busy -= 1;
        this.#signal();
      }
    };
    await busy(() => nextTurn()); // lets the history catch up with the package's StateEntered first
    this.#record(execution, 'MapRunStarted', spec.stateName, { mapRunArn });
    try {
      const result = await runMapRun({
        spec,
        given,
        objects: this.#objectStore,
        mapRunArn,
        childArnPrefix,
        childStateMachineArn,
        now: () => this.#clock.now(),
        stopped: () => execution.status !== 'RUNNING',
        busy,
        select: (template, item, index) => this.#select(execution, given.input, template, item, index),
        runChild: (input, name) =>
          this.#runChild(execution, spec, runOptionsFor(name), input, {
            arn: `${childArnPrefix}:${name}`,
            name,
            input,
            stateMachineArn: childStateMachineArn,
            stateMachineName: machineName,
            startDate: this.#clock.now(),
          }),
      });
      this.#record(execution, 'MapRunSucceeded', spec.stateName, { mapRunArn });
      return result;
    } catch (error) {
      const failure = error instanceof Error ? error : new StatesRuntimeFailure(String(error));
      this.#record(execution, 'MapRunFailed', spec.stateName, {
        mapRunArn,
        error: failure.name,
        cause: failure.message,
      });
      throw failure;
    }
  }

  /** Evaluates an ItemSelector with the package: a Pass state's Parameters, `$$.Map.Item` in the context. */
  async #select(
    execution: Execution,
    mapInput: unknown,
    template: unknown,
    item: unknown,
    index: number,
  ): Promise<unknown> {
    const selector = new StateMachine(
      { StartAt: 'Select', States: { Select: { Type: 'Pass', Parameters: template as never, End: true } } },
      { validationOptions: { noValidate: true } },
    );
    const context = {
      ...this.#executionContext(execution),
      Map: { Item: { Index: index, Value: item } },
    };
    try {
      return await selector.run(mapInput as never, { context }).result;
    } catch (error) {
      const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
      throw new StatesRuntimeFailure(`ItemSelector of item ${index}: ${(failure as Error).message}`);
    }
  }

  async #runChild(
    execution: Execution,
    spec: DistributedMapSpec,
    runOptions: RunOptions,
    input: unknown,
    child: ExecutionContextOf,
  ): Promise<ChildOutcome> {
    const machine = new StateMachine(spec.processor as never, { validationOptions: { noValidate: true } });
    const run = machine.run(input as never, {
      overrides: runOptions.overrides as never,
      context: this.#context(execution, child),
    });
    execution.childAborts.add(run.abort);
    void this.#recordEvents(execution, run.eventLogs, { mapRun: spec.stateName, childExecution: child.name });
    try {
      return { status: 'SUCCEEDED', output: await run.result };
    } catch (error) {
      const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
      return {
        status: 'FAILED',
        error: failure instanceof Error ? failure.name : 'States.Runtime',
        cause: failure instanceof Error ? failure.message : String(failure),
      };
    } finally {
      execution.childAborts.delete(run.abort);
    }
  }

  async #recordEvents(
    execution: Execution,
    events: AsyncGenerator<{ type: string }>,
    marks: Record<string, unknown> = {},
    continuing?: Continuation,
  ): Promise<void> {
    // A redrive or a resume continues the execution: the package's start of the run is not one,
    // nor, for a resume, is its entering the state the execution was in.
    let skipStarted = continuing !== undefined;
    let skipEntered =
      continuing?.kind === 'resume' && continuing.reentered ? continuing.stateName : undefined;
    for await (const event of events) {
      const {
        type,
        timestamp: _realTime,
        ...rest
      } = event as { type: string; timestamp?: number } & Record<string, unknown>;
      const state = isRecord(rest.state) ? rest.state : undefined;
      const stateName = typeof state?.name === 'string' ? state.name : undefined;
      if (skipStarted && type === 'ExecutionStarted') {
        skipStarted = false;
        continue;
      }
      if (skipEntered !== undefined && type === 'StateEntered' && stateName === skipEntered) {
        skipEntered = undefined;
        continue;
      }
      const details: Record<string, unknown> = { ...marks };
      for (const [key, value] of Object.entries(rest)) {
        if (key === 'state' && state !== undefined) {
          const { name: _name, type: _type, ...data } = state;
          Object.assign(details, data);
        } else {
          details[key] = value;
        }
      }
      // A child execution's own start and end are not the parent's: they are named as the child's.
      const recorded = 'childExecution' in marks && type.startsWith('Execution') ? `Child${type}` : type;
      const recordedDetails = Object.keys(details).length > 0 ? details : undefined;
      if (continuing?.hidden?.({ type, stateName, details: recordedDetails })) continue;
      this.#record(execution, recorded, stateName, recordedDetails);
      const stateType = stateName === undefined ? undefined : execution.compiled.stateTypes.get(stateName);
      if (type === 'StateFailed' && (stateType === 'Parallel' || stateType === 'Map')) {
        // The package abandons the other branches or iterations; Step Functions stops their tasks.
        this.#release(execution, new StatesRuntimeFailure(`"${stateName}" failed`), stateName);
      }
    }
  }

  #terminate(
    execution: Execution,
    as: { status: 'ABORTED' | 'TIMED_OUT'; error: string; cause: string },
  ): void {
    if (execution.status !== 'RUNNING') return;
    this.#record(execution, as.status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut', undefined, {
      error: as.error,
      cause: as.cause,
    });
    this.#close(execution, as);
    execution.abort?.();
  }

  /** Ends the open waits of an execution, or only those inside a Parallel or Map state. */
  #release(execution: Execution, reason: Error, inside?: string): void {
    for (const wait of [...execution.releases]) {
      if (inside === undefined || execution.compiled.enclosing.get(wait.stateName)?.includes(inside)) {
        wait.release(reason);
      }
    }
  }

  #close(
    execution: Execution,
    end:
      | { status: 'SUCCEEDED'; output: unknown }
      | { status: 'FAILED' | 'ABORTED' | 'TIMED_OUT'; error: string; cause: string },
  ): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = end.status;
    execution.stopDate = this.#clock.now();
    execution.realDurationMs = performance.now() - execution.realStart;
    if (end.status === 'SUCCEEDED') {
      execution.output = end.output;
    } else {
      execution.error = end.error;
      execution.cause = end.cause;
    }
    execution.timeoutTimer?.cancel();
    for (const abort of [...execution.childAborts]) abort();
    // Whatever still waits (nothing, unless the execution was stopped) ends with it.
    this.#release(execution, new StatesRuntimeFailure('the execution closed'));
    // A token read back from disk waits on no task until its execution resumes: it closes here.
    if (execution.dormant) {
      for (const entry of this.#tokens.values()) if (entry.execution === execution) entry.open = false;
    }
    execution.closed.resolve();
    this.#signal();
    this.#onExecutionClosed(this.#describe(execution));
  }

  /**
   * Waits for the clock or a callback: counts the execution as blocked meanwhile, and ends the
   * wait when the execution is stopped.
   */
  async #block<T>(
    execution: Execution,
    stateName: string,
    waiting: Promise<T>,
    onRelease: () => void,
  ): Promise<T> {
    // Stopped while its handler ran: nothing would release the wait any more.
    if (execution.status !== 'RUNNING') throw new StatesRuntimeFailure('the execution closed');
    const released = Promise.withResolvers<never>();
    const release = {
      stateName,
      release: (reason: Error) => {
        onRelease();
        released.reject(reason);
      },
    };
    execution.releases.add(release);
    execution.busy -= 1;
    execution.blocked += 1;
    this.#signal();
    try {
      return await Promise.race([waiting, released.promise]);
    } finally {
      execution.releases.delete(release);
      execution.blocked -= 1;
      execution.busy += 1;
      this.#signal();
    }
  }

  /** The continuation of a redriven or resumed attempt, taken by the first Task or Wait of `stateName`. */
  #continuationFor(execution: Execution, stateName: string): Continuation | undefined {
    const continuation = execution.continuation;
    if (continuation?.stateName !== stateName) return undefined;
    execution.continuation = undefined;
    return continuation;
  }

  async #wait(execution: Execution, stateName: string, given: OverrideInput): Promise<unknown> {
    const resumedDue = this.#continuationFor(execution, stateName)?.waitDueAt;
    const topLevel = execution.compiled.enclosing.get(stateName)?.length === 0;
    execution.busy += 1;
    try {
      await nextTurn(); // lets the history catch up with the package's StateEntered first
      const now = this.#clock.now();
      let due: Date;
      if (resumedDue !== undefined) {
        due = resumedDue;
      } else if (given.seconds !== undefined) {
        if (typeof given.seconds !== 'number' || !Number.isInteger(given.seconds) || given.seconds < 0) {
          throw new StatesRuntimeFailure(`Wait state "${stateName}": seconds must be a non-negative integer`);
        }
        due = new Date(now.getTime() + given.seconds * 1000);
      } else {
        const timestamp = typeof given.timestamp === 'string' ? Date.parse(given.timestamp) : Number.NaN;
        if (Number.isNaN(timestamp)) {
          throw new StatesRuntimeFailure(`Wait state "${stateName}": the timestamp must be an RFC 3339 time`);
        }
        due = new Date(timestamp);
      }
      if (resumedDue === undefined)
        this.#record(execution, 'WaitScheduled', stateName, { until: due.toISOString() });
      if (due.getTime() > now.getTime()) {
        const elapsed = Promise.withResolvers<void>();
        const timer = this.#clock.schedule(due, () => elapsed.resolve());
        if (topLevel) execution.waiting = { stateName, dueAt: due };
        try {
          await this.#block(execution, stateName, elapsed.promise, () => timer.cancel());
        } finally {
          if (execution.waiting?.stateName === stateName) execution.waiting = undefined;
        }
      }
      return given.input;
    } finally {
      execution.busy -= 1;
      this.#signal();
    }
  }

  /**
   * Runs one attempt of a state that has a Retry field. The package retries without pausing; the
   * runner takes the same decision with the same counts ("Handling errors in Step Functions
   * workflows": the first matching retrier, its `MaxAttempts`, `IntervalSeconds × BackoffRate^n`
   * capped by `MaxDelaySeconds`, `JitterStrategy: FULL`) and pauses before the next attempt, on the
   * virtual clock (with `retryPauses: 'clock-or-real-time'` at most as long in real time; with
   * `none` not at all). Meanwhile the
   * execution waits as in a Wait state: other executions run, and `settle()` does not wait for it.
   * A visit is told apart by the state, the Distributed Map child (`scope`) and, in an inline Map,
   * the iteration's input.
   */
  async #retrying(
    execution: Execution,
    stateName: string,
    scope: string,
    input: unknown,
    run: (input: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    // Iterations of an inline Map visit the state at once: each by its own input (the context
    // object of a state has no Map item; iterations with the same input share their pauses).
    const spec = execution.compiled.states.get(stateName);
    const iteration =
      spec?.kind === 'task' && spec.inInlineMap && isRecord(input) ? (canonicalize(input.input) ?? '') : '';
    const key = JSON.stringify([scope, stateName, iteration]);
    const visit = execution.retrying.get(key);
    if (visit?.pause !== undefined && this.#retryPauses !== 'none') {
      const { dueAt, pauseMs } = visit.pause;
      visit.pause = undefined;
      await this.#retryPause(execution, stateName, dueAt, pauseMs);
    }
    try {
      const output = await run(input);
      execution.retrying.delete(key);
      return output;
    } catch (error) {
      const failure = error instanceof Error ? error : new StatesRuntimeFailure(String(error));
      const retriers = execution.compiled.retriers.get(stateName) ?? [];
      const current = visit ?? { attempts: [] };
      const decision = decideRetry(
        retriers,
        current.attempts,
        {
          name: failure.name,
          timeout: isStatesTimeout(failure),
          retryable: (failure as { isRetryable?: boolean }).isRetryable ?? true,
        },
        execution.compiled.stateTypes.get(stateName) ?? 'Task',
      );
      if (decision === undefined) {
        execution.retrying.delete(key);
        throw error;
      }
      const dueAt = new Date(this.#clock.now().getTime() + decision.pauseMs);
      current.pause = { dueAt, pauseMs: decision.pauseMs };
      execution.retrying.set(key, current);
      this.#record(execution, 'RetryScheduled', stateName, {
        error: failure.name,
        retrier: decision.retrier,
        attempt: decision.attempt,
        pauseMs: decision.pauseMs,
        until: dueAt.toISOString(),
      });
      throw error;
    }
  }

  /** Waits out a retry pause: until the virtual clock reaches `dueAt`, or `pauseMs` of real time with `clock-or-real-time`. */
  async #retryPause(execution: Execution, stateName: string, dueAt: Date, pauseMs: number): Promise<void> {
    execution.busy += 1;
    try {
      if (dueAt.getTime() <= this.#clock.now().getTime()) return;
      const elapsed = Promise.withResolvers<void>();
      const timer = this.#clock.schedule(dueAt, () => elapsed.resolve());
      const realTimer =
        this.#retryPauses === 'clock-or-real-time' ? setTimeout(() => elapsed.resolve(), pauseMs) : undefined;
      const stop = () => {
        timer.cancel();
        clearTimeout(realTimer);
      };
      if (realTimer !== undefined) execution.realTimePauses += 1;
      try {
        await this.#block(execution, stateName, elapsed.promise, stop);
      } finally {
        if (realTimer !== undefined) execution.realTimePauses -= 1;
        stop();
      }
    } finally {
      execution.busy -= 1;
      this.#signal();
    }
  }

  async #task(execution: Execution, spec: TaskStateSpec, given: OverrideInput): Promise<unknown> {
    // A callback task of a resumed execution, issued before the runner stopped.
    const restored = this.#continuationFor(execution, spec.stateName)?.task;
    // Synchronously, before anything else runs: the token minted for this task's Parameters.
    const taskToken = spec.callback
      ? (restored?.task.taskToken ?? execution.mintedToken ?? randomUUID())
      : undefined;
    execution.mintedToken = undefined;
    execution.busy += 1;
    const outcome = Promise.withResolvers<unknown>();
    const cleanups: (() => void)[] = [];
    try {
      await nextTurn(); // lets the history catch up with the package's StateEntered first
      const parameters = spec.hasParameters ? given.parameters : given.input;
      let issuedAt: Date;
      let timeoutAt: Date | undefined;
      let heartbeatSeconds: number | undefined;
      if (restored === undefined) {
        const timeoutSeconds = this.#seconds(spec, 'timeout', spec.timeoutSeconds ?? given.timeoutSeconds);
        heartbeatSeconds = spec.callback
          ? this.#seconds(spec, 'heartbeat', spec.heartbeatSeconds ?? given.heartbeatSeconds)
          : undefined;
        issuedAt = this.#clock.now();
        timeoutAt =
          timeoutSeconds === undefined ? undefined : new Date(issuedAt.getTime() + timeoutSeconds * 1000);
      } else {
        // Its clock kept running while the runner was stopped: the same timeout, the same heartbeat.
        issuedAt = new Date(restored.task.issuedAt);
        timeoutAt = dateOf(restored.task.timeoutAt);
        heartbeatSeconds = restored.heartbeatSeconds;
      }
      if (timeoutAt !== undefined) {
        const timer = this.#clock.schedule(timeoutAt, () =>
          outcome.reject(
            statesTimeout(
              `the task did not finish within ${(timeoutAt.getTime() - issuedAt.getTime()) / 1000} seconds`,
            ),
          ),
        );
        cleanups.push(() => timer.cancel());
      }
      // A missed heartbeat fails the task; each heartbeat sent for the token starts the wait again.
      let heartbeatTimer: ClockTimer | undefined;
      let entry: TokenEntry | undefined;
      const awaitHeartbeat = (dueAt?: Date) => {
        if (heartbeatSeconds === undefined) return;
        heartbeatTimer?.cancel();
        const due = dueAt ?? new Date(this.#clock.now().getTime() + heartbeatSeconds * 1000);
        if (entry !== undefined) entry.heartbeatDueAt = due;
        heartbeatTimer = this.#clock.schedule(due, () =>
          outcome.reject(
            statesTimeout(`no heartbeat within ${heartbeatSeconds} seconds`, 'States.HeartbeatTimeout'),
          ),
        );
        this.#saveSoon();
      };
      cleanups.push(() => heartbeatTimer?.cancel());
      const settle = (result: TaskOutcome) =>
        'output' in result
          ? outcome.resolve(result.output)
          : outcome.reject(new StateFailure(result.error, result.cause));
      if (restored === undefined) {
        this.#record(execution, 'TaskScheduled', spec.stateName, {
          resource: spec.resource,
          parameters,
          timeoutAt: timeoutAt?.toISOString(),
        });
      }
      if (taskToken !== undefined) {
        if (restored !== undefined) {
          entry = restored;
          entry.heartbeat = () => awaitHeartbeat();
          entry.settle = settle;
        } else {
          entry = {
            task: {
              taskToken,
              executionArn: execution.arn,
              executionName: execution.name,
              stateName: spec.stateName,
              input: parameters,
              issuedAt: issuedAt.toISOString(),
              timeoutAt: timeoutAt?.toISOString(),
            },
            execution,
            open: true,
            submitted: false,
            heartbeatSeconds,
            heartbeat: () => awaitHeartbeat(),
            settle,
          };
          this.#tokens.set(taskToken, entry);
        }
        const opened = entry;
        cleanups.push(() => {
          opened.open = false;
          opened.outcome = undefined;
        });
      }
      awaitHeartbeat(restored?.heartbeatDueAt);
      // What was sent for the token while the runner was stopped, or before the execution resumed.
      const answered = entry?.outcome !== undefined;
      if (entry?.outcome !== undefined) settle(entry.outcome);
      const context: TaskContext = {
        executionArn: execution.arn,
        executionName: execution.name,
        stateName: spec.stateName,
        resource: spec.resource,
        taskToken,
        now: () => this.#clock.now(),
      };
      if (entry === undefined) {
        const invoked =
          spec.nested === undefined
            ? this.#invoke(spec, parameters, context)
            : this.#runNested(execution, spec, parameters, cleanups);
        // Settled after a timeout already failed the task: nothing waits for it any more.
        invoked.catch(() => undefined);
        const output = await Promise.race([invoked, outcome.promise]);
        this.#record(execution, 'TaskSucceeded', spec.stateName, { output });
        return output;
      }
      if (!entry.submitted && !answered) {
        // Not known to have been handed over (a new task, or one whose handler was cut short): invoke.
        const invoked = this.#invoke(spec, parameters, context);
        await Promise.race([invoked, outcome.promise.then(() => undefined)]);
        entry.submitted = true;
        this.#record(execution, 'TaskSubmitted', spec.stateName, { taskToken });
      }
      const output = await this.#block(execution, spec.stateName, outcome.promise, () => undefined);
      this.#record(execution, 'TaskSucceeded', spec.stateName, { output });
      return output;
    } catch (error) {
      const failure = handlerFailure(error);
      const timedOut = failure.name === 'States.Timeout' || failure.name === 'States.HeartbeatTimeout';
      this.#record(execution, timedOut ? 'TaskTimedOut' : 'TaskFailed', spec.stateName, {
        error: failure.name,
        cause: failure.message,
      });
      throw failure;
    } finally {
      for (const cleanup of cleanups) cleanup();
      execution.busy -= 1;
      this.#signal();
    }
  }

  /**
   * `states:startExecution.sync` / `.sync:2` ("Start a new AWS Step Functions state machine from
   * a running execution"; "Start workflow executions from a task state in Step Functions";
   * "Discover service integration patterns in Step Functions", Run a Job (.sync)): starts an
   * execution of the registered state machine its `StateMachineArn` names, with `Input` (JSON, or
   * JSON text) and `Name`, on this runner and clock, and waits for it to close. It answers the
   * DescribeExecution response (`ExecutionArn`, `StateMachineArn`, `Name`, `Status`, `StartDate`,
   * `StopDate` as epoch milliseconds, `Input`, `Output` with their `…Details`): with `.sync:2` the
   * input and output as JSON, with `.sync` as JSON text. A child that fails, times out or is
   * aborted fails the task with `States.TaskFailed`, the DescribeExecution response (with `Error`
   * and `Cause`) as its cause (the guide names no error: this is Step Functions' behaviour as
   * LocalStack records it); StartExecution refused fails it with `StepFunctions.<Code>Exception`
   * (as Step Functions reports an integrated service's error). While it waits, the execution
   * waits as in a Wait state; when the task ends otherwise (stopped, timed out) the child is
   * stopped, as Step Functions stops it (the task's role holds `states:StopExecution` for that).
   */
  async #runNested(
    execution: Execution,
    spec: TaskStateSpec,
    parameters: unknown,
    cleanups: (() => void)[],
  ): Promise<unknown> {
    const stateMachineArn = isRecord(parameters) ? parameters.StateMachineArn : undefined;
    if (typeof stateMachineArn !== 'string') {
      throw new StatesRuntimeFailure(
        `Task state "${spec.stateName}": states:startExecution needs a StateMachineArn`,
      );
    }
    const machine = this.#stateMachine(stateMachineArn, spec.stateName);
    let input: unknown = isRecord(parameters) && parameters.Input !== undefined ? parameters.Input : {};
    if (typeof input === 'string') {
      try {
        input = JSON.parse(input) as unknown;
      } catch {
        throw new StateFailure(
          'StepFunctions.InvalidExecutionInputException',
          `Invalid State Machine Execution Input: the Input of "${spec.stateName}" is not JSON text`,
        );
      }
    }
    const name = isRecord(parameters) ? parameters.Name : undefined;
    let child: Execution;
    try {
      child = this.#begin({
        compiled: machine.compiled,
        definitionKey: machine.definitionKey,
        stateMachineName: machine.name,
        type: machine.type,
        name: typeof name === 'string' ? name : undefined,
        input: toJson(input, 'the execution input'),
        startedBy: execution.arn,
      });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        throw new StateFailure('StepFunctions.ExecutionAlreadyExistsException', error.message);
      if (error instanceof InvalidExecutionNameError)
        throw new StateFailure('StepFunctions.InvalidNameException', error.message);
      throw error;
    }
    this.#record(execution, 'TaskStarted', spec.stateName, { executionArn: child.arn });
    const stop = () =>
      this.#terminate(child, {
        status: 'ABORTED',
        error: 'States.Aborted',
        cause: `the task "${spec.stateName}" of ${execution.arn} that started it ended first`,
      });
    cleanups.push(stop);
    await this.#block(execution, spec.stateName, child.closed.promise, stop);
    const description = this.#nestedResult(child, spec.nested === 'sync:2');
    if (child.status === 'SUCCEEDED') return description;
    throw new StateFailure('States.TaskFailed', JSON.stringify(description));
  }

  /** DescribeExecution's response for a closed child, as a `.sync` (text) or `.sync:2` (JSON) task answers it. */
  #nestedResult(child: Execution, asJson: boolean): Record<string, unknown> {
    const data = (value: unknown) => (asJson ? value : JSON.stringify(value));
    return {
      ExecutionArn: child.arn,
      StateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${child.stateMachineName}`,
      Name: child.name,
      Status: child.status,
      StartDate: child.startDate.getTime(),
      StopDate: child.stopDate?.getTime(),
      Input: data(child.input),
      InputDetails: { Included: true },
      ...(child.status === 'SUCCEEDED'
        ? { Output: data(child.output), OutputDetails: { Included: true } }
        : { Error: child.error, Cause: child.cause }),
    };
  }

  /** The registered state machine a Task's `StateMachineArn` (or name) names. */
  #stateMachine(reference: string, stateName: string): RegisteredStateMachine {
    const name = stateMachineArnPattern.exec(reference)?.[1] ?? reference;
    const machine = this.#stateMachines.get(name);
    if (machine === undefined) {
      throw new StatesRuntimeFailure(
        `Task state "${stateName}": no state machine "${name}" is registered with the local runner (registerStateMachine)`,
      );
    }
    return machine;
  }

  #seconds(spec: TaskStateSpec, what: 'timeout' | 'heartbeat', value: unknown): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new StatesRuntimeFailure(
        `Task state "${spec.stateName}": the ${what} must be a positive integer`,
      );
    }
    return value;
  }

  /** Calls the handler of a Task resource as Step Functions would call the service. */
  async #invoke(spec: TaskStateSpec, parameters: unknown, context: TaskContext): Promise<unknown> {
    const resource = spec.resource.replace(/\.waitForTaskToken$/, '');
    if (resource === lambdaInvoke) {
      const target = isRecord(parameters) ? parameters.FunctionName : undefined;
      if (typeof target !== 'string') {
        throw new StatesRuntimeFailure(`Task state "${spec.stateName}": lambda:invoke needs a FunctionName`);
      }
      const local = this.#function(target, spec.stateName);
      const payload = isRecord(parameters) && 'Payload' in parameters ? parameters.Payload : {};
      const output = await this.#call(target, local, toJson(payload, 'the Lambda payload'), context);
      return { ExecutedVersion: '$LATEST', Payload: toJson(output, 'the Lambda result'), StatusCode: 200 };
    }
    const local = this.#function(resource, spec.stateName);
    return toJson(
      await this.#call(resource, local, toJson(parameters, 'the task input'), context),
      'the task result',
    );
  }

  /**
   * Invokes a local function within its reserved concurrency. "Configuring reserved concurrency
   * for a function" and "Lambda function scaling" (Lambda Developer Guide): a function with
   * reserved concurrency never runs more instances at once, and an invocation past it is
   * throttled, answered with `TooManyRequestsException` (the "Invoke" API reference: HTTP 429,
   * reason `ReservedFunctionConcurrentInvocationLimitExceeded`) before the function runs. Step
   * Functions reports it as `Lambda.TooManyRequestsException` ("Handle Lambda service
   * exceptions"; "Handling errors in Step Functions workflows"), which a retrier can name. An
   * invocation holds its place until the handler returns, even after its task timed out.
   */
  async #call(
    target: string,
    local: LocalFunction,
    payload: unknown,
    context: TaskContext,
  ): Promise<unknown> {
    const limit = local.reservedConcurrency;
    if (limit !== undefined && local.inFlight >= limit) {
      throw new StateFailure(
        'Lambda.TooManyRequestsException',
        `Rate Exceeded. (Service: Lambda, Status Code: 429, Error Code: TooManyRequestsException, Reason: ReservedFunctionConcurrentInvocationLimitExceeded, Request ID: ${randomUUID()}) — ${functionName(target)} runs ${local.inFlight} of its ${limit} reserved instances`,
      );
    }
    local.inFlight += 1;
    try {
      return await local.handler(payload, context);
    } finally {
      local.inFlight -= 1;
    }
  }

  #function(resource: string, stateName: string): LocalFunction {
    const local = this.#functions.get(functionName(resource));
    if (local === undefined) {
      throw new StatesRuntimeFailure(
        `Task state "${stateName}": no local handler is registered for "${functionName(resource)}"`,
      );
    }
    return local;
  }
}
