import { createRequire } from 'node:module';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { compileDistributedMap, type DistributedMapSpec } from './distributed-map.ts';
import { InvalidDefinitionError } from './errors.ts';
import type { Retrier } from './retry-pause.ts';

/** asl-validator ships no type declarations; this is the part the runner uses. */
type AslValidator = (definition: unknown) => {
  readonly isValid: boolean;
  readonly errors: ReadonlyArray<{ readonly 'Error code': string; readonly Message: string }>;
};

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/**
 * The longest Task timeout `aws-local-stepfunctions` can arm without its real timer overflowing
 * (setTimeout's 2^31-1 ms). Task and Wait states get it so the package's own timer never fires;
 * the runner enforces the real timeouts on the virtual clock.
 */
const engineTaskTimeoutSeconds = 2_147_483;

/** Starts an execution of another state machine and waits for it ("Run a Job (.sync)"). */
export const startExecutionSync = 'arn:aws:states:::states:startExecution.sync';
export const startExecutionSync2 = 'arn:aws:states:::states:startExecution.sync:2';

/** The resource the rewritten Wait states name; the runner's override answers it. */
const waitResource = 'arn:aws:states:::local:wait';

/** What the runner does in place of the package for one Task state. */
export interface TaskStateSpec {
  readonly kind: 'task';
  readonly stateName: string;
  /** The Resource as deployed, e.g. `arn:aws:states:::lambda:invoke.waitForTaskToken`. */
  readonly resource: string;
  /** `.waitForTaskToken`: the task ends on `sendTaskSuccess`/`sendTaskFailure` with its token. */
  readonly callback: boolean;
  /**
   * `states:startExecution.sync` or `.sync:2`: the task starts an execution of a state machine
   * registered with the runner and ends when it does (`.sync` answers its input and output as
   * JSON text, `.sync:2` as JSON).
   */
  readonly nested?: 'sync' | 'sync:2' | undefined;
  /** The `StateMachineArn` of a nested execution task, when it is written in the definition. */
  readonly stateMachineArn?: string | undefined;
  /** The `FunctionName` of a `lambda:invoke` task, when it is written in the definition. */
  readonly functionName?: string | undefined;
  readonly timeoutSeconds?: number | undefined;
  /** The state has `TimeoutSecondsPath`; its value arrives as `timeoutSeconds` in the wrapper. */
  readonly dynamicTimeout: boolean;
  readonly heartbeatSeconds?: number | undefined;
  /** The state has `HeartbeatSecondsPath`; its value arrives as `heartbeatSeconds` in the wrapper. */
  readonly dynamicHeartbeat: boolean;
  /** The state has `Parameters`; the handler gets them rather than the effective input. */
  readonly hasParameters: boolean;
  /** The state runs in the iterations of an inline Map, several visits at once. */
  readonly inInlineMap: boolean;
}

/** A Wait state, run on the virtual clock. */
export interface WaitStateSpec {
  readonly kind: 'wait';
  readonly stateName: string;
}

export type StateSpec = TaskStateSpec | WaitStateSpec | DistributedMapSpec;

/**
 * What the package hands the runner's override of a rewritten state: the effective input (after
 * InputPath), the evaluated Parameters, and the evaluated wait or timeout fields.
 */
export interface OverrideInput {
  readonly input: unknown;
  readonly parameters?: unknown;
  readonly timeoutSeconds?: unknown;
  readonly heartbeatSeconds?: unknown;
  readonly seconds?: unknown;
  readonly timestamp?: unknown;
}

export interface CompiledStateMachine {
  /** The definition as given (deployed). */
  readonly definition: Record<string, unknown>;
  /** The same machine with Task and Wait states handed to the runner (never deployed). */
  readonly executable: StateMachineDefinition;
  readonly states: ReadonlyMap<string, StateSpec>;
  /** The original type of every state, Wait states included. */
  readonly stateTypes: ReadonlyMap<string, string>;
  /** The Parallel and Map states around each state (a failed one abandons what runs inside). */
  readonly enclosing: ReadonlyMap<string, readonly string[]>;
  /**
   * States with a Retry field, with their retriers as the package runs them. The package's own
   * pauses are set to none; the runner pauses on the virtual clock instead.
   */
  readonly retryingStates: readonly string[];
  readonly retriers: ReadonlyMap<string, readonly Retrier[]>;
  readonly executionTimeoutSeconds?: number | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `aws-local-stepfunctions` stamps `$$.Execution.StartTime` with the real time, and
 * `$$.Execution.Input` with the input of the run, which for a redriven or resumed execution is
 * the input of the state it continues at; the runner supplies the virtual start time and the
 * execution's own input under other names and points the paths at them.
 */
function pointContextAtExecution(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .split('$$.Execution.StartTime')
      .join('$$.Execution.VirtualStartTime')
      .split('$$.Execution.Input')
      .join('$$.Execution.OriginalInput');
  }
  if (Array.isArray(value)) return value.map(pointContextAtExecution);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, pointContextAtExecution(inner)]),
    );
  }
  return value;
}

function without(state: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(state).filter(([key]) => !keys.includes(key)));
}

interface Collected {
  states: Map<string, StateSpec>;
  stateTypes: Map<string, string>;
  retrying: string[];
  retriers: Map<string, readonly Retrier[]>;
  /** How many inline Map states are around the states being compiled. */
  inlineMaps: number;
  /** Parallel and Map states around each state, innermost last. */
  enclosing: Map<string, readonly string[]>;
  /** The Parallel and Map states being compiled, innermost last. */
  around: string[];
}

/**
 * Step Functions lets `States.Timeout` match a missed heartbeat as well as `States.HeartbeatTimeout`;
 * the package matches names exactly, so a retrier or catcher naming the first names both.
 */
function heartbeatTimeoutsAsTimeouts(state: Json): Json {
  const widen = (handlers: unknown) =>
    Array.isArray(handlers)
      ? handlers.map((handler: unknown) => {
          if (!isObject(handler) || !Array.isArray(handler.ErrorEquals)) return handler;
          const errors = handler.ErrorEquals as unknown[];
          const widened =
            errors.includes('States.Timeout') && !errors.includes('States.HeartbeatTimeout')
              ? [...errors, 'States.HeartbeatTimeout']
              : errors;
          return { ...handler, ErrorEquals: widened };
        })
      : handlers;
  return {
    ...('Retry' in state ? { Retry: widen(state.Retry) } : {}),
    ...('Catch' in state ? { Catch: widen(state.Catch) } : {}),
  };
}

function compileTask(name: string, state: Json, collected: Collected): Json {
  const resource = state.Resource;
  if (typeof resource !== 'string') throw new InvalidDefinitionError(`Task state "${name}" has no Resource`);
  const nested =
    resource === startExecutionSync ? 'sync' : resource === startExecutionSync2 ? 'sync:2' : undefined;
  if (nested === undefined && (resource.endsWith('.sync') || resource.includes('.sync:'))) {
    throw new InvalidDefinitionError(
      `Task state "${name}": the local runner runs no .sync integration but states:startExecution`,
    );
  }
  const timeoutSeconds = state.TimeoutSeconds;
  const heartbeatSeconds = state.HeartbeatSeconds;
  const heartbeats = 'HeartbeatSeconds' in state || 'HeartbeatSecondsPath' in state;
  collected.states.set(name, {
    kind: 'task',
    stateName: name,
    resource,
    callback: resource.endsWith('.waitForTaskToken'),
    nested,
    stateMachineArn:
      nested !== undefined &&
      isObject(state.Parameters) &&
      typeof state.Parameters.StateMachineArn === 'string'
        ? state.Parameters.StateMachineArn
        : undefined,
    functionName:
      isObject(state.Parameters) && typeof state.Parameters.FunctionName === 'string'
        ? state.Parameters.FunctionName
        : undefined,
    timeoutSeconds: typeof timeoutSeconds === 'number' ? timeoutSeconds : undefined,
    dynamicTimeout: typeof state.TimeoutSecondsPath === 'string',
    heartbeatSeconds: typeof heartbeatSeconds === 'number' ? heartbeatSeconds : undefined,
    dynamicHeartbeat: typeof state.HeartbeatSecondsPath === 'string',
    hasParameters: 'Parameters' in state,
    inInlineMap: collected.inlineMaps > 0,
  });
  const timeoutPath = state.TimeoutSecondsPath;
  const heartbeatPath = state.HeartbeatSecondsPath;
  return {
    ...without(state, [
      'TimeoutSeconds',
      'TimeoutSecondsPath',
      'HeartbeatSeconds',
      'HeartbeatSecondsPath',
      'Parameters',
      'Credentials',
    ]),
    ...(heartbeats ? heartbeatTimeoutsAsTimeouts(state) : {}),
    TimeoutSeconds: engineTaskTimeoutSeconds,
    Parameters: {
      'input.$': '$',
      ...('Parameters' in state ? { parameters: state.Parameters } : {}),
      ...(typeof timeoutPath === 'string' ? { 'timeoutSeconds.$': timeoutPath } : {}),
      ...(typeof heartbeatPath === 'string' ? { 'heartbeatSeconds.$': heartbeatPath } : {}),
    },
  };
}

function compileWait(name: string, state: Json, collected: Collected): Json {
  collected.states.set(name, { kind: 'wait', stateName: name });
  const fields: Json = {};
  if ('Seconds' in state) fields.seconds = state.Seconds;
  if ('Timestamp' in state) fields.timestamp = state.Timestamp;
  if (typeof state.SecondsPath === 'string') fields['seconds.$'] = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') fields['timestamp.$'] = state.TimestampPath;
  return {
    ...without(state, ['Type', 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']),
    Type: 'Task',
    Resource: waitResource,
    TimeoutSeconds: engineTaskTimeoutSeconds,
    Parameters: { 'input.$': '$', ...fields },
  };
}

/** `$$.State.Name` is the state's own name: the package has no such field, so it is written in. */
function nameTheState(name: string, state: Json): Json {
  const fillIn = (template: unknown): unknown => {
    if (Array.isArray(template)) return template.map(fillIn);
    if (!isObject(template)) return template;
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) =>
        key.endsWith('.$') && value === '$$.State.Name' ? [key.slice(0, -2), name] : [key, fillIn(value)],
      ),
    );
  };
  const templates = ['Parameters', 'ResultSelector', 'ItemSelector'].filter((field) => field in state);
  return { ...state, ...Object.fromEntries(templates.map((field) => [field, fillIn(state[field])])) };
}

function compileStates(states: unknown, collected: Collected): Json {
  if (!isObject(states)) throw new InvalidDefinitionError('a state machine needs a States object');
  const compiled: Json = {};
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) throw new InvalidDefinitionError(`state "${name}" is not an object`);
    if (state.QueryLanguage === 'JSONata') {
      throw new InvalidDefinitionError(`state "${name}": the local runner runs JSONPath states only`);
    }
    if (collected.stateTypes.has(name))
      throw new InvalidDefinitionError(`state name "${name}" is used twice`);
    collected.stateTypes.set(name, String(state.Type));
    collected.enclosing.set(name, [...collected.around]);
    if (Array.isArray(state.Retry)) collected.retrying.push(name);
    const compiledState = compileState(name, nameTheState(name, state), collected);
    if (Array.isArray(compiledState.Retry)) collected.retriers.set(name, compiledState.Retry as Retrier[]);
    compiled[name] = compiledState;
  }
  return compiled;
}

function compileState(name: string, state: Json, collected: Collected): Json {
  switch (state.Type) {
    case 'Task':
      return compileTask(name, state, collected);
    case 'Wait':
      return compileWait(name, state, collected);
    case 'Parallel': {
      const branches = Array.isArray(state.Branches) ? state.Branches : [];
      collected.around.push(name);
      const compiled = { ...state, Branches: branches.map((branch) => compileMachine(branch, collected)) };
      collected.around.pop();
      return compiled;
    }
    case 'Map': {
      const processorKey = 'ItemProcessor' in state ? 'ItemProcessor' : 'Iterator';
      const processor = state[processorKey];
      collected.around.push(name);
      if (
        isObject(processor) &&
        isObject(processor.ProcessorConfig) &&
        processor.ProcessorConfig.Mode === 'DISTRIBUTED'
      ) {
        // Child workflow executions: the ItemProcessor runs as a machine of its own (see distributed-map.ts).
        // Their context has no Map item of an inline Map around the Distributed Map.
        const inlineMaps = collected.inlineMaps;
        collected.inlineMaps = 0;
        const { state: standIn, spec } = compileDistributedMap(name, state, processor, (machine) =>
          compileMachine(machine, collected),
        );
        collected.inlineMaps = inlineMaps;
        collected.around.pop();
        collected.states.set(name, spec);
        return { ...standIn, TimeoutSeconds: engineTaskTimeoutSeconds };
      }
      const { ProcessorConfig: _config, ...inline } = isObject(processor) ? processor : {};
      collected.inlineMaps += 1;
      const compiled = { ...state, [processorKey]: compileMachine(inline, collected) };
      collected.inlineMaps -= 1;
      collected.around.pop();
      return compiled;
    }
    default:
      return state;
  }
}

function compileMachine(machine: unknown, collected: Collected): Json {
  if (!isObject(machine)) throw new InvalidDefinitionError('a branch or item processor is not an object');
  return { ...without(machine, ['QueryLanguage']), States: compileStates(machine.States, collected) };
}

/**
 * Checks the definition with `asl-validator` and prepares the copy the package executes: Task
 * and Wait states become overrides answered by the runner (callbacks, timeouts and waits on the
 * virtual clock), the execution timeout moves to the clock, and `$$.Execution.StartTime` and
 * `$$.Execution.Input` read the execution's virtual start and its own input. The definition itself is not changed.
 */
export function compileStateMachine(definition: unknown): CompiledStateMachine {
  if (!isObject(definition))
    throw new InvalidDefinitionError('a state machine definition must be a JSON object');
  if (definition.QueryLanguage === 'JSONata') {
    throw new InvalidDefinitionError('the local runner runs JSONPath state machines only');
  }
  // On a copy: the validator writes default query languages into its input.
  const { isValid, errors } = aslValidator(structuredClone(definition));
  if (!isValid) {
    const reasons = errors.map((error) => error.Message).join('; ');
    throw new InvalidDefinitionError(`invalid state machine definition: ${reasons}`);
  }
  const collected: Collected = {
    states: new Map(),
    stateTypes: new Map(),
    retrying: [],
    retriers: new Map(),
    inlineMaps: 0,
    enclosing: new Map(),
    around: [],
  };
  const machine = compileMachine(pointContextAtExecution(definition), collected);
  const timeout = definition.TimeoutSeconds;
  return {
    definition,
    executable: without(machine, ['TimeoutSeconds', 'Version']) as unknown as StateMachineDefinition,
    states: collected.states,
    stateTypes: collected.stateTypes,
    retryingStates: collected.retrying,
    retriers: collected.retriers,
    enclosing: collected.enclosing,
    executionTimeoutSeconds: typeof timeout === 'number' ? timeout : undefined,
  };
}
