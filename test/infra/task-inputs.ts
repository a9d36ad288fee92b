import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type Json = Record<string, unknown>;

/** What one Task state hands its function, for a representative state input. */
export interface TaskInput {
  readonly state: string;
  /** The Lambda function the task invokes (its name). */
  readonly functionName: string;
  /** The event the function receives: the `Payload` of `lambda:invoke`, else the task's input. */
  readonly input: unknown;
}

/** A Task whose input cannot even be computed (a path the state input lacks, a Parameters that is not an object). */
export interface TaskInputFailure {
  readonly state: string;
  readonly problem: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const lambdaInvoke = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;
const lambdaArn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
const startExecution = /^arn:aws[a-z-]*:states:::states:startExecution\.sync(:2)?$/;

/**
 * Evaluates `InputPath` and a `Parameters` template on `input` with `aws-local-stepfunctions`
 * (the package the local runner executes definitions with): a Pass state given those two fields
 * produces exactly the effective input a Task state with them computes, JSONPath, `.$` keys,
 * intrinsic functions and the Context object (`$$`) included.
 */
async function evaluate(
  fields: { readonly InputPath?: unknown; readonly Parameters?: unknown },
  input: unknown,
  context: Json,
): Promise<unknown> {
  const pass = {
    Type: 'Pass',
    End: true,
    ...('InputPath' in fields ? { InputPath: fields.InputPath } : {}),
    ...('Parameters' in fields ? { Parameters: fields.Parameters } : {}),
  };
  const machine = new StateMachine(
    { StartAt: 'Evaluate', States: { Evaluate: pass } } as StateMachineDefinition,
    {
      validationOptions: { noValidate: true },
    },
  );
  try {
    return await machine.run(input as never, { context }).result;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(cause instanceof Error ? cause.message : (error as Error).message);
  }
}

/** The Context object a task sees, with a token for callback tasks. */
function contextOf(state: string, map?: { index: number; value: unknown }): Json {
  return {
    Execution: {
      Id: 'arn:aws:states:us-east-1:000000000000:execution:Workflow:representative',
      Name: 'representative',
      StartTime: '2026-11-24T14:00:00.000Z',
      RoleArn: 'arn:aws:iam::000000000000:role/Workflow',
    },
    StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:Workflow', Name: 'Workflow' },
    State: { Name: state, EnteredTime: '2026-11-24T14:00:00.000Z', RetryCount: 0 },
    Task: { Token: 'AQCEAAAAKgAAAAMAAAAAAAAAAT-representative-task-token' },
    ...(map === undefined ? {} : { Map: { Item: { Index: map.index, Value: map.value } } }),
  };
}

export interface RepresentativeInputs {
  /** The state input every Task of the top-level machine is given. */
  readonly stateInput: unknown;
  /** The items a Map state iterates (a Distributed Map's ItemReader reads them from S3). */
  readonly items?: readonly unknown[];
}

/**
 * What every Task state of a definition (in Parallel branches and Map item processors too) hands
 * the Lambda function it invokes, for a representative state input: its InputPath and Parameters
 * evaluated as Step Functions evaluates them. Inside a Map the state input is what the Map gives
 * each iteration: the item after ItemSelector, or with an ItemBatcher `{BatchInput, Items}`.
 */
export async function taskInputs(
  definition: Json,
  representative: RepresentativeInputs,
): Promise<{ inputs: TaskInput[]; failures: TaskInputFailure[] }> {
  const inputs: TaskInput[] = [];
  const failures: TaskInputFailure[] = [];
  const items = representative.items ?? ['item-1', 'item-2'];

  const visit = async (machine: unknown, stateInput: unknown): Promise<void> => {
    const states = isObject(machine) && isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      try {
        if (state.Type === 'Task') inputs.push(await taskInput(name, state, stateInput));
        for (const branch of Array.isArray(state.Branches) ? state.Branches : []) {
          await visit(branch, await evaluate(state, stateInput, contextOf(name)));
        }
        const processor = state.ItemProcessor ?? state.Iterator;
        if (state.Type === 'Map' && processor !== undefined) {
          await visit(processor, await iterationInput(name, state, stateInput));
        }
      } catch (error) {
        failures.push({ state: name, problem: (error as Error).message });
      }
    }
  };

  const taskInput = async (name: string, state: Json, stateInput: unknown): Promise<TaskInput> => {
    if ('Parameters' in state && !isObject(state.Parameters)) {
      throw new Error(`Parameters must be a JSON object, got ${JSON.stringify(state.Parameters)}`);
    }
    const effective = await evaluate(state, stateInput, contextOf(name));
    const resource = String(state.Resource);
    if (lambdaInvoke.test(resource)) {
      const parameters = isObject(effective) ? effective : {};
      const functionName = String(parameters.FunctionName ?? '');
      return {
        state: name,
        functionName: lambdaArn.exec(functionName)?.[1] ?? functionName,
        input: parameters.Payload,
      };
    }
    if (startExecution.test(resource)) {
      // A nested execution: what it is handed is its Input; its state machine is named like a function.
      const parameters = isObject(effective) ? effective : {};
      const stateMachineArn = String(parameters.StateMachineArn ?? '');
      return {
        state: name,
        functionName: `stateMachine:${stateMachineArn.split(':').at(-1)}`,
        input: parameters.Input,
      };
    }
    const direct = lambdaArn.exec(resource);
    if (direct?.[1] === undefined) throw new Error(`invokes ${resource}, not a Lambda function`);
    return { state: name, functionName: direct[1], input: effective };
  };

  const iterationInput = async (name: string, state: Json, stateInput: unknown): Promise<unknown> => {
    const mapInput = await evaluate({ InputPath: state.InputPath ?? '$' }, stateInput, contextOf(name));
    const selector = state.ItemSelector ?? state.Parameters;
    const selected = await Promise.all(
      items.map((item, index) =>
        selector === undefined
          ? item
          : evaluate({ Parameters: selector }, mapInput, contextOf(name, { index, value: item })),
      ),
    );
    const batcher = state.ItemBatcher;
    if (!isObject(batcher)) return selected[0];
    // "ItemBatcher (Map)": each child gets {BatchInput, Items}, BatchInput evaluated on the Map's input.
    const batchInput =
      batcher.BatchInput === undefined
        ? undefined
        : await evaluate({ Parameters: batcher.BatchInput }, mapInput, contextOf(name));
    return batchInput === undefined ? { Items: selected } : { BatchInput: batchInput, Items: selected };
  };

  await visit(definition, representative.stateInput);
  return { inputs, failures };
}

/** The names of every Task state of a definition, at any depth. */
export function taskStateNames(definition: Json): string[] {
  const names: string[] = [];
  const visit = (machine: unknown) => {
    const states = isObject(machine) && isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task') names.push(name);
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) visit(branch);
      visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(definition);
  return names;
}
