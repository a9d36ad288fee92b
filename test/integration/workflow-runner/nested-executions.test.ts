import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExecutionStatus } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import {
  InvalidDefinitionError,
  LocalWorkflowRunner,
  type TaskHandler,
  type WorkflowType,
} from '#local/workflow-runner/index.ts';
import { functionArn } from './machines.ts';

/**
 * A Task `arn:aws:states:::states:startExecution.sync(:2)` starts an execution of a state machine
 * registered with the runner and waits for it, on the same runner and clock, as Step Functions
 * runs a nested workflow ("Start workflow executions from a task state in Step Functions").
 */

const start = '2026-11-24T09:00:00.000Z';
const segmentArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:segment';

let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let registrations: number;
/** How the deal registration handler answers each call, in turn; then it succeeds. */
let registrationAnswers: ('fail' | 'hang')[];

const handlers: Record<string, TaskHandler> = {
  [functionArn('register-deal')]: async (input) => {
    registrations += 1;
    const answer = registrationAnswers.shift();
    if (answer === 'hang') await new Promise(() => undefined);
    if (answer === 'fail') throw Object.assign(new Error('the deal was refused'), { name: 'DealRefused' });
    return { dealId: '9001', for: (input as { registrationId: string }).registrationId };
  },
};

/** The segment: registering the deal, after waiting `waitSeconds` for the CRM when given. */
function segmentMachine(timeoutSeconds?: number, waitSeconds?: number): Record<string, unknown> {
  return {
    StartAt: waitSeconds === undefined ? 'Register deal' : 'Wait for the CRM',
    ...(timeoutSeconds === undefined ? {} : { TimeoutSeconds: timeoutSeconds }),
    States: {
      ...(waitSeconds === undefined
        ? {}
        : { 'Wait for the CRM': { Type: 'Wait', Seconds: waitSeconds, Next: 'Register deal' } }),
      'Register deal': {
        Type: 'Task',
        Resource: functionArn('register-deal'),
        ResultPath: '$.deal',
        End: true,
      },
    },
  };
}

/** The registration: runs the segment and waits for it, then ends. */
function registrationMachine(
  options: { resource?: string; retry?: unknown[]; catchFailure?: boolean } = {},
): Record<string, unknown> {
  return {
    StartAt: 'Run the segment',
    States: {
      'Run the segment': {
        Type: 'Task',
        Resource: options.resource ?? 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn: segmentArn,
          Input: {
            'registrationId.$': '$.registrationId',
            'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
          },
        },
        ...(options.retry === undefined ? {} : { Retry: options.retry }),
        ...(options.catchFailure
          ? {
              Catch: [
                { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Segment failed' },
              ],
            }
          : {}),
        ResultPath: '$.segment',
        Next: 'Registered',
      },
      Registered: { Type: 'Succeed' },
      ...(options.catchFailure ? { 'Segment failed': { Type: 'Pass', End: true } } : {}),
    },
  };
}

function runnerWith(
  type: WorkflowType,
  segment: { timeoutSeconds?: number; waitSeconds?: number } = {},
  persistTo?: string,
): LocalWorkflowRunner {
  const created = new LocalWorkflowRunner({ clock, handlers, persistTo });
  created.registerStateMachine(segmentMachine(segment.timeoutSeconds, segment.waitSeconds), {
    name: 'segment',
    type,
  });
  return created;
}

beforeEach(() => {
  clock = new VirtualClock(start);
  registrations = 0;
  registrationAnswers = [];
  runner = runnerWith('EXPRESS');
});

afterEach(async () => {
  await runner.close();
});

/**
 * The members of DescribeExecution's response in Step Functions' published API model, as the SDK
 * ships it (`@aws-sdk/client-sfn`): `.sync` answers that response, its member names capitalised.
 */
function describeExecutionMembers(): string[] {
  const types = readFileSync(
    join(
      dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-sfn')),
      '../dist-types/ts3.4/models/models_0.d.ts',
    ),
    'utf8',
  );
  const body = /export interface DescribeExecutionOutput \{([^}]*)\}/.exec(types)?.[1] ?? '';
  return [...body.matchAll(/^\s*(\w+)\??:/gm)].map((member) => member[1] ?? '');
}

describe('a nested execution that succeeds', () => {
  it('answers the DescribeExecution response with its input and output as JSON (.sync:2), billed as an Express request', async () => {
    await runner.startExecution(registrationMachine(), { name: 'reg-1', input: { registrationId: 'reg-1' } });
    await runner.settle();

    const parent = runner.describeExecution('reg-1');
    expect(parent.status).toBe('SUCCEEDED');
    const segment = (parent.output as { segment: Record<string, unknown> }).segment;
    const parentArn = parent.executionArn;
    // Held to the API model: every member is one DescribeExecution answers, the status one of its values.
    const members = describeExecutionMembers().map((name) => name[0]?.toUpperCase() + name.slice(1));
    expect(members).toContain('StopDate');
    expect(Object.keys(segment).filter((key) => !members.includes(key))).toEqual([]);
    expect(Object.values(ExecutionStatus)).toContain(segment.Status);
    expect(segment).toEqual({
      ExecutionArn: expect.stringMatching(
        /^arn:aws:states:local:000000000000:express:segment:[\w-]+:[\w-]+$/,
      ),
      StateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:segment',
      Name: expect.any(String),
      Status: 'SUCCEEDED',
      StartDate: Date.parse(start),
      StopDate: Date.parse(start),
      Input: { registrationId: 'reg-1', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parentArn },
      InputDetails: { Included: true },
      Output: {
        registrationId: 'reg-1',
        AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parentArn,
        deal: { dealId: '9001', for: 'reg-1' },
      },
      OutputDetails: { Included: true },
    });
    const child = runner.describeExecution(segment.ExecutionArn as string);
    expect(child).toMatchObject({ type: 'EXPRESS', startedBy: parentArn, status: 'SUCCEEDED' });
    // Billed Standard transitions are the registration's two states; the segment is a request.
    expect(runner.stateTransitions('reg-1')).toBe(2);
    expect(runner.stateTransitions(child.executionArn)).toBe(0);
    expect(runner.expressExecutions('reg-1')).toEqual([
      expect.objectContaining({ executionArn: child.executionArn, status: 'SUCCEEDED', statesEntered: 1 }),
    ]);
    expect(runner.describeExecution(child.executionArn).redriveStatus).toBe('NOT_REDRIVABLE');
  });

  it('answers its input and output as JSON text with .sync', async () => {
    await runner.startExecution(
      registrationMachine({ resource: 'arn:aws:states:::states:startExecution.sync' }),
      { name: 'reg-2', input: { registrationId: 'reg-2' } },
    );
    await runner.settle();

    const { segment } = runner.describeExecution('reg-2').output as {
      segment: { Input: unknown; Output: unknown };
    };
    expect(typeof segment.Input).toBe('string');
    expect(JSON.parse(segment.Output as string)).toMatchObject({ deal: { dealId: '9001' } });
  });
});

describe('a nested execution that does not succeed', () => {
  it('fails the task with States.TaskFailed, the DescribeExecution response of the failed child as its cause', async () => {
    registrationAnswers = ['fail'];
    await runner.startExecution(registrationMachine({ catchFailure: true }), {
      name: 'reg-3',
      input: { registrationId: 'reg-3' },
    });
    await runner.settle();

    const parent = runner.describeExecution('reg-3');
    expect(parent.status).toBe('SUCCEEDED');
    const failure = (parent.output as { failure: { Error: string; Cause: string } }).failure;
    expect(failure.Error).toBe('States.TaskFailed');
    expect(JSON.parse(failure.Cause)).toMatchObject({
      Status: 'FAILED',
      Error: 'DealRefused',
      Cause: expect.stringContaining('the deal was refused'),
      Input: { registrationId: 'reg-3' },
    });
    expect(runner.statesVisited('reg-3')).toEqual(['Run the segment', 'Segment failed']);
  });

  it('fails the execution that started it when nothing catches the failure', async () => {
    registrationAnswers = ['fail'];
    await runner.startExecution(registrationMachine(), { name: 'reg-4', input: { registrationId: 'reg-4' } });
    await runner.settle();

    expect(runner.describeExecution('reg-4')).toMatchObject({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: expect.stringContaining('"Status":"FAILED"'),
    });
  });

  it('runs the segment again, as a new execution, when the task retries States.TaskFailed', async () => {
    registrationAnswers = ['fail', 'fail'];
    await runner.startExecution(
      registrationMachine({
        retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 1 }],
      }),
      { name: 'reg-5', input: { registrationId: 'reg-5' } },
    );
    await runner.settle();
    await clock.advance('PT2S');
    await clock.advance('PT2S');

    expect(runner.describeExecution('reg-5').status).toBe('SUCCEEDED');
    expect(registrations).toBe(3);
    expect(runner.expressExecutions('reg-5').map((child) => child.status)).toEqual([
      'FAILED',
      'FAILED',
      'SUCCEEDED',
    ]);
    // Each retry of the registration's task is one more billed transition.
    expect(runner.stateTransitions('reg-5')).toBe(4);
  });

  it('fails the task when the child runs past its TimeoutSeconds on the clock', async () => {
    await runner.close();
    runner = runnerWith('EXPRESS', { timeoutSeconds: 60, waitSeconds: 600 });
    await runner.startExecution(registrationMachine({ catchFailure: true }), {
      name: 'reg-6',
      input: { registrationId: 'reg-6' },
    });
    await runner.settle();
    expect(runner.describeExecution('reg-6').status).toBe('RUNNING');

    await clock.advance('PT59S');
    expect(runner.describeExecution('reg-6').status).toBe('RUNNING');
    await clock.advance('PT1S');

    const failure = (
      runner.describeExecution('reg-6').output as { failure: { Error: string; Cause: string } }
    ).failure;
    expect(failure.Error).toBe('States.TaskFailed');
    expect(JSON.parse(failure.Cause)).toMatchObject({ Status: 'TIMED_OUT', Error: 'States.Timeout' });
  });

  it('ends an Express child after 5 minutes, whatever its own TimeoutSeconds', async () => {
    await runner.close();
    runner = runnerWith('EXPRESS', { timeoutSeconds: 3600, waitSeconds: 600 });
    await runner.startExecution(registrationMachine(), { name: 'reg-7', input: { registrationId: 'reg-7' } });
    await runner.settle();

    await clock.advance('PT4M59S');
    expect(runner.describeExecution('reg-7').status).toBe('RUNNING');
    await clock.advance('PT1S');

    expect(runner.describeExecution('reg-7')).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(runner.expressExecutions('reg-7')).toEqual([
      expect.objectContaining({ status: 'TIMED_OUT', durationMs: 300_000 }),
    ]);
  });

  it('lets a Standard child run past 5 minutes', async () => {
    await runner.close();
    runner = runnerWith('STANDARD', { timeoutSeconds: 3600, waitSeconds: 3000 });
    await runner.startExecution(registrationMachine(), { name: 'reg-8', input: { registrationId: 'reg-8' } });
    await runner.settle();

    await clock.advance('PT30M');

    expect(runner.describeExecution('reg-8').status).toBe('RUNNING');
    expect(runner.expressExecutions('reg-8')).toEqual([]);
  });

  it('stops the child when the execution that started it is stopped', async () => {
    await runner.close();
    runner = runnerWith('EXPRESS', { waitSeconds: 600 });
    await runner.startExecution(registrationMachine(), { name: 'reg-9', input: { registrationId: 'reg-9' } });
    await runner.settle();

    await runner.stopExecution('reg-9');
    await runner.settle();

    expect(runner.expressExecutions('reg-9')).toEqual([expect.objectContaining({ status: 'ABORTED' })]);
  });
});

describe('registering state machines', () => {
  it('refuses an Express state machine with a callback or .sync task, as Express runs Request Response only', () => {
    const callback = {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    };

    expect(() => runner.registerStateMachine(callback, { name: 'asks', type: 'EXPRESS' })).toThrow(
      InvalidDefinitionError,
    );
    expect(() =>
      runner.registerStateMachine(registrationMachine(), { name: 'nests', type: 'EXPRESS' }),
    ).toThrow(/Express workflows run Request Response integrations only/);
  });

  it('names a state machine no one registered among the unhandled resources, and fails the task naming it', async () => {
    const bare = new LocalWorkflowRunner({ clock, handlers });
    try {
      expect(bare.unhandledResources(registrationMachine())).toEqual(['stateMachine:segment']);

      await bare.startExecution(registrationMachine(), {
        name: 'reg-10',
        input: { registrationId: 'reg-10' },
      });
      await bare.settle();

      expect(bare.describeExecution('reg-10')).toMatchObject({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: expect.stringContaining('no state machine "segment" is registered'),
      });
    } finally {
      await bare.close();
    }
  });
});

describe('a restart while a nested execution runs', () => {
  it('starts the segment again once the execution that waited for it resumes', async () => {
    await runner.close();
    const directory = await mkdtemp(join(tmpdir(), 'dealreg-nested-'));
    const first = runnerWith('EXPRESS', {}, directory);
    registrationAnswers = ['hang'];
    await first.startExecution(registrationMachine(), {
      name: 'reg-11',
      input: { registrationId: 'reg-11' },
    });
    await vi.waitFor(() => expect(registrations).toBe(1));
    await first.persisted();
    // The process dies here: the first runner is dropped, its segment still running.

    runner = runnerWith('EXPRESS', {}, directory);
    await runner.resume();
    await runner.settle();

    expect(registrations).toBe(2);
    expect(runner.describeExecution('reg-11').status).toBe('SUCCEEDED');
    expect(runner.expressExecutions('reg-11').map((child) => child.status)).toEqual(['ABORTED', 'SUCCEEDED']);
    expect(runner.statesVisited('reg-11')).toEqual(['Run the segment', 'Registered']);
  });
});
