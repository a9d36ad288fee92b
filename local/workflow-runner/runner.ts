import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import canonicalize from 'canonicalize';
import type { ClockTimer, VirtualClock } from '../clock.ts';
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
import { prepareEngineErrors, StateFailure, StatesRuntimeFailure, statesTimeout } from './engine-errors.ts';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  InvalidExecutionNameError,
  InvalidJsonPayloadError,
  InvalidTokenError,
  RunnerClosedError,
  TaskTimedOutError,
} from './errors.ts';
import type { LocalObjectStore } from './object-store.ts';

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

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineName: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  readonly startDate: string;
  readonly stopDate?: string | undefined;
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
  readonly inputKey: string;
  readonly input: unknown;
  readonly startDate: Date;
  readonly compiled: CompiledStateMachine;
  readonly history: HistoryEvent[];
  /** Ends every task or wait still open (stop, timeout, a failed Parallel branch). */
  readonly releases: Set<{ readonly stateName: string; readonly release: (reason: Error) => void }>;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  stopDate?: Date;
  /** Overrides running handler code (not waiting for the clock or a callback). */
  busy: number;
  /** Overrides waiting for the clock or a callback. */
  blocked: number;
  mintedToken?: string | undefined;
  abort?: () => void;
  /** Aborts the running child workflow executions of its Distributed Map states. */
  readonly childAborts: Set<() => void>;
  timeoutTimer?: ClockTimer;
}

interface TokenEntry {
  readonly task: OpenTask;
  readonly execution: Execution;
  open: boolean;
  heartbeat: () => void;
  settle: (outcome: { output: unknown } | { error: Error }) => void;
}

const lambdaInvoke = 'arn:aws:states:::lambda:invoke';
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
 * Wait states and execution timeouts fire when the clock is moved. Retry pauses elapse at once.
 */
export class LocalWorkflowRunner {
  readonly #clock: VirtualClock;
  readonly #handlers = new Map<string, TaskHandler>();
  readonly #compiled = new Map<string, CompiledStateMachine>();
  readonly #executions = new Map<string, Execution>();
  readonly #tokens = new Map<string, TokenEntry>();
  #changed = Promise.withResolvers<void>();
  readonly #removeSettleHook: () => void;
  readonly #onExecutionClosed: (execution: ExecutionDescription) => void;
  readonly #objectStore: LocalObjectStore | undefined;
  #closed = false;

  constructor(options: LocalWorkflowRunnerOptions) {
    this.#clock = options.clock;
    this.#objectStore = options.objectStore;
    this.#onExecutionClosed = options.onExecutionClosed ?? (() => undefined);
    for (const [resource, handler] of Object.entries(options.handlers ?? {}))
      this.registerHandler(resource, handler);
    this.#removeSettleHook = this.#clock.addSettleHook(() => this.settle());
  }

  /** Maps a Task resource (an ARN), a Lambda function ARN or a function name to a local handler. */
  registerHandler(resource: string, handler: TaskHandler): void {
    this.#handlers.set(functionName(resource), handler);
  }

  /**
   * The functions and resources of a definition's Task states that no handler answers yet (a
   * `FunctionName` chosen at run time is not known here): for failing fast at start-up.
   */
  unhandledResources(definition: unknown): string[] {
    const missing = new Set<string>();
    for (const spec of this.#compile(definition).states.values()) {
      if (spec.kind !== 'task') continue;
      const resource = spec.resource.replace(/\.waitForTaskToken$/, '');
      const target = resource === lambdaInvoke ? spec.functionName : resource;
      if (target !== undefined && !this.#handlers.has(functionName(target)))
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
    const compiled = this.#compile(definition);
    const stateMachineName = options.stateMachineName ?? this.#defaultStateMachineName(compiled);
    const name = options.name ?? randomUUID();
    if (name.length < 1 || name.length > 80 || forbiddenNameCharacters.test(name)) {
      throw new InvalidExecutionNameError(
        `invalid execution name "${name}": 1 to 80 characters without spaces, brackets, wildcards or punctuation such as " # % \\ ^ | ~ \` $ & , ; : /`,
      );
    }
    const input = toJson(options.input ?? {}, 'the execution input');
    const arn = `arn:aws:states:local:000000000000:execution:${stateMachineName}:${name}`;
    const inputKey = canonicalize(input) ?? 'null';
    const existing = this.#executions.get(arn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.inputKey === inputKey) {
        return { executionArn: arn, startDate: existing.startDate.toISOString(), alreadyRunning: true };
      }
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${arn}'`);
    }
    await prepareEngineErrors();
    if (this.#closed) throw new RunnerClosedError(`the workflow runner is closed: ${name} was not started`);
    const execution: Execution = {
      arn,
      name,
      stateMachineName,
      inputKey,
      input,
      startDate: this.#clock.now(),
      compiled,
      history: [],
      releases: new Set(),
      childAborts: new Set(),
      status: 'RUNNING',
      busy: 0,
      blocked: 0,
    };
    this.#executions.set(arn, execution);
    this.#run(execution);
    return { executionArn: arn, startDate: execution.startDate.toISOString(), alreadyRunning: false };
  }

  /** `SendTaskSuccess`: ends the waiting task of `taskToken` with `output` (JSON). */
  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    const entry = this.#openToken(taskToken);
    const value = toJson(output, 'the task output');
    entry.open = false;
    entry.settle({ output: value });
  }

  /** `SendTaskFailure`: fails the waiting task of `taskToken` with a States language error and cause. */
  async sendTaskFailure(taskToken: string, error = '', cause = ''): Promise<void> {
    const entry = this.#openToken(taskToken);
    entry.open = false;
    entry.settle({ error: new StateFailure(error, cause) });
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

  /** `DescribeExecution`, by execution ARN or (when unambiguous) name. */
  describeExecution(executionArnOrName: string): ExecutionDescription {
    return this.#describe(this.#find(executionArnOrName));
  }

  listExecutions(): ExecutionDescription[] {
    return [...this.#executions.values()].map((execution) => this.#describe(execution));
  }

  /** `GetExecutionHistory`: the events so far, oldest first. */
  getExecutionHistory(executionArnOrName: string): HistoryEvent[] {
    return [...this.#find(executionArnOrName).history];
  }

  /** The states entered, in order (each entry is one state transition). */
  statesVisited(executionArnOrName: string): string[] {
    return this.getExecutionHistory(executionArnOrName)
      .filter((event) => event.type === 'StateEntered' && event.stateName !== undefined)
      .map((event) => event.stateName as string);
  }

  /**
   * State transitions as Step Functions bills them: every state entered (in branches and
   * iterations too) and every retry.
   */
  stateTransitions(executionArnOrName: string): number {
    return this.getExecutionHistory(executionArnOrName).filter(
      (event) => event.type === 'StateEntered' || event.type === 'StateRetried',
    ).length;
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
  async settle(): Promise<void> {
    for (;;) {
      const changed = this.#changed.promise;
      await nextTurn();
      const running = [...this.#executions.values()].filter(
        (execution) => execution.status === 'RUNNING' && !(execution.busy === 0 && execution.blocked > 0),
      );
      if (running.length === 0) return;
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 25))]);
    }
  }

  /** Stops every running execution, refuses new ones and detaches from the clock. */
  async close(): Promise<void> {
    this.#closed = true;
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
    const key = canonicalize(definition) ?? '';
    const known = this.#compiled.get(key);
    if (known !== undefined) return known;
    const compiled = compileStateMachine(definition);
    this.#compiled.set(key, compiled);
    return compiled;
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
      status: execution.status,
      input: execution.input,
      output: execution.output,
      error: execution.error,
      cause: execution.cause,
      startDate: execution.startDate.toISOString(),
      stopDate: execution.stopDate?.toISOString(),
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
  }

  #run(execution: Execution): void {
    const { compiled } = execution;
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    const runOptions: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: overrides,
        retryIntervalOverrides: Object.fromEntries(compiled.retryingStates.map((name) => [name, 0])),
      },
    };
    for (const spec of compiled.states.values()) {
      overrides[spec.stateName] = (input) => {
        if (spec.kind === 'wait') return this.#wait(execution, spec.stateName, input as OverrideInput);
        if (spec.kind === 'distributedMap') {
          return this.#distributedMap(execution, spec, input as DistributedMapInput, runOptions);
        }
        return this.#task(execution, spec, input as OverrideInput);
      };
    }
    const machine = new StateMachine(compiled.executable, { validationOptions: { noValidate: true } });
    const run = machine.run(execution.input as never, {
      overrides: runOptions.overrides as never,
      context: this.#executionContext(execution),
    });
    execution.abort = run.abort;
    void this.#recordEvents(execution, run.eventLogs);
    if (compiled.executionTimeoutSeconds !== undefined) {
      const timeoutAt = new Date(execution.startDate.getTime() + compiled.executionTimeoutSeconds * 1000);
      execution.timeoutTimer = this.#clock.schedule(timeoutAt, () =>
        this.#terminate(execution, {
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: `the execution ran longer than ${compiled.executionTimeoutSeconds} seconds`,
        }),
      );
    }
    run.result.then(
      (output) => this.#close(execution, { status: 'SUCCEEDED', output }),
      (error: unknown) => {
        // A stopped or timed-out execution is closed already; the package then reports the abort.
        const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
        this.#close(execution, {
          status: 'FAILED',
          error: failure instanceof Error ? failure.name : 'States.Runtime',
          cause: failure instanceof Error ? failure.message : String(failure),
        });
      },
    );
  }

  /** The Context object of an execution (or of a Distributed Map's child execution). */
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
        RoleArn: 'arn:aws:iam::000000000000:role/local-workflow-runner',
        VirtualStartTime: of.startDate.toISOString(),
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
    runOptions: RunOptions,
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
          this.#runChild(execution, spec, runOptions, input, {
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
  ): Promise<void> {
    for await (const event of events) {
      const {
        type,
        timestamp: _realTime,
        ...rest
      } = event as { type: string; timestamp?: number } & Record<string, unknown>;
      const state = isRecord(rest.state) ? rest.state : undefined;
      const stateName = typeof state?.name === 'string' ? state.name : undefined;
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
      this.#record(execution, recorded, stateName, Object.keys(details).length > 0 ? details : undefined);
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

  async #wait(execution: Execution, stateName: string, given: OverrideInput): Promise<unknown> {
    execution.busy += 1;
    try {
      await nextTurn(); // lets the history catch up with the package's StateEntered first
      const now = this.#clock.now();
      let due: Date;
      if (given.seconds !== undefined) {
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
      this.#record(execution, 'WaitScheduled', stateName, { until: due.toISOString() });
      if (due.getTime() > now.getTime()) {
        const elapsed = Promise.withResolvers<void>();
        const timer = this.#clock.schedule(due, () => elapsed.resolve());
        await this.#block(execution, stateName, elapsed.promise, () => timer.cancel());
      }
      return given.input;
    } finally {
      execution.busy -= 1;
      this.#signal();
    }
  }

  async #task(execution: Execution, spec: TaskStateSpec, given: OverrideInput): Promise<unknown> {
    // Synchronously, before anything else runs: the token minted for this task's Parameters.
    const taskToken = spec.callback ? (execution.mintedToken ?? randomUUID()) : undefined;
    execution.mintedToken = undefined;
    execution.busy += 1;
    const outcome = Promise.withResolvers<unknown>();
    const cleanups: (() => void)[] = [];
    try {
      await nextTurn(); // lets the history catch up with the package's StateEntered first
      const parameters = spec.hasParameters ? given.parameters : given.input;
      const timeoutSeconds = this.#seconds(spec, 'timeout', spec.timeoutSeconds ?? given.timeoutSeconds);
      const heartbeatSeconds = spec.callback
        ? this.#seconds(spec, 'heartbeat', spec.heartbeatSeconds ?? given.heartbeatSeconds)
        : undefined;
      const issuedAt = this.#clock.now();
      const timeoutAt =
        timeoutSeconds === undefined ? undefined : new Date(issuedAt.getTime() + timeoutSeconds * 1000);
      if (timeoutAt !== undefined) {
        const timer = this.#clock.schedule(timeoutAt, () =>
          outcome.reject(statesTimeout(`the task did not finish within ${timeoutSeconds} seconds`)),
        );
        cleanups.push(() => timer.cancel());
      }
      // A missed heartbeat fails the task; each heartbeat sent for the token starts the wait again.
      let heartbeatTimer: ClockTimer | undefined;
      const awaitHeartbeat = () => {
        if (heartbeatSeconds === undefined) return;
        heartbeatTimer?.cancel();
        heartbeatTimer = this.#clock.schedule(
          new Date(this.#clock.now().getTime() + heartbeatSeconds * 1000),
          () =>
            outcome.reject(
              statesTimeout(`no heartbeat within ${heartbeatSeconds} seconds`, 'States.HeartbeatTimeout'),
            ),
        );
      };
      awaitHeartbeat();
      cleanups.push(() => heartbeatTimer?.cancel());
      this.#record(execution, 'TaskScheduled', spec.stateName, {
        resource: spec.resource,
        parameters,
        timeoutAt: timeoutAt?.toISOString(),
      });
      let entry: TokenEntry | undefined;
      if (taskToken !== undefined) {
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
          heartbeat: awaitHeartbeat,
          settle: (result) =>
            'output' in result ? outcome.resolve(result.output) : outcome.reject(result.error),
        };
        const opened = entry;
        this.#tokens.set(taskToken, opened);
        cleanups.push(() => {
          opened.open = false;
        });
      }
      const context: TaskContext = {
        executionArn: execution.arn,
        executionName: execution.name,
        stateName: spec.stateName,
        resource: spec.resource,
        taskToken,
        now: () => this.#clock.now(),
      };
      const invoked = this.#invoke(spec, parameters, context);
      if (entry === undefined) {
        const output = await Promise.race([invoked, outcome.promise]);
        this.#record(execution, 'TaskSucceeded', spec.stateName, { output });
        return output;
      }
      await Promise.race([invoked, outcome.promise.then(() => undefined)]);
      this.#record(execution, 'TaskSubmitted', spec.stateName, { taskToken });
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
      const handler = this.#handler(target, spec.stateName);
      const payload = isRecord(parameters) && 'Payload' in parameters ? parameters.Payload : {};
      const output = await handler(toJson(payload, 'the Lambda payload'), context);
      return { ExecutedVersion: '$LATEST', Payload: toJson(output, 'the Lambda result'), StatusCode: 200 };
    }
    const handler = this.#handler(resource, spec.stateName);
    return toJson(await handler(toJson(parameters, 'the task input'), context), 'the task result');
  }

  #handler(resource: string, stateName: string): TaskHandler {
    const handler = this.#handlers.get(functionName(resource));
    if (handler === undefined) {
      throw new StatesRuntimeFailure(
        `Task state "${stateName}": no local handler is registered for "${functionName(resource)}"`,
      );
    }
    return handler;
  }
}
