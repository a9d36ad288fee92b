import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import {
  ExecutionAlreadyExistsError,
  InvalidDefinitionError,
  InvalidExecutionNameError,
  InvalidTokenError,
  LocalWorkflowRunner,
  lambdaTask,
  type TaskContext,
  TaskTimedOutError,
} from '#local/workflow-runner/index.ts';
import {
  approvalMachine,
  conflictCheckMachine,
  functionArn,
  heartbeatMachine,
  overlongMachine,
  reminderMachine,
  routingMachine,
  twoApproversMachine,
} from './machines.ts';

const start = '2026-11-24T09:00:00.000Z';

let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let approvalRequests: { input: unknown; context: TaskContext }[];

beforeEach(() => {
  clock = new VirtualClock(start);
  approvalRequests = [];
  runner = new LocalWorkflowRunner({
    clock,
    handlers: {
      [functionArn('send-approval-request')]: async (input, context) => {
        approvalRequests.push({ input, context });
        return { sent: true };
      },
    },
  });
});

afterEach(async () => {
  await runner.close();
});

async function startApproval(name = 'reg-1') {
  await runner.startExecution(approvalMachine(), { name, input: { registrationId: name } });
  await runner.settle();
}

describe('callback tasks', () => {
  it('hands the task token to the handler and resumes with the output sent for it', async () => {
    await startApproval();
    const [request] = approvalRequests;
    const token = request?.context.taskToken;

    expect(runner.describeExecution('reg-1').status).toBe('RUNNING');
    expect(request?.input).toEqual({ taskToken: token, registrationId: 'reg-1', startedAt: start });
    expect(runner.openTasks('reg-1').map((task) => task.taskToken)).toEqual([token]);
    expect(runner.openTasks('reg-1')[0]?.timeoutAt).toBe('2026-11-26T09:00:00.000Z');

    await runner.sendTaskSuccess(token ?? '', { decision: 'approved', by: 'rita@vendor.example' });
    await runner.settle();

    const execution = runner.describeExecution('reg-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({
      decision: { decision: 'approved', by: 'rita@vendor.example' },
      outcome: 'approved',
    });
    expect(runner.statesVisited('reg-1')).toEqual(['Wait for approver decision', 'Record approval']);
    expect(runner.openTasks()).toEqual([]);
  });

  it('routes a failure sent for the token to the matching Catch, with its error and cause', async () => {
    await startApproval();
    const token = approvalRequests[0]?.context.taskToken ?? '';

    await runner.sendTaskFailure(token, 'Rejected', 'Customer already in a direct opportunity');
    await runner.settle();

    const execution = runner.describeExecution('reg-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({
      outcome: 'rejected',
      failure: { Error: 'Rejected', Cause: 'Customer already in a direct opportunity' },
    });
  });

  it('refuses a token twice and tokens it never issued, like Step Functions', async () => {
    await startApproval();
    const token = approvalRequests[0]?.context.taskToken ?? '';
    await runner.sendTaskSuccess(token, { decision: 'approved' });

    await expect(runner.sendTaskSuccess(token, { decision: 'rejected' })).rejects.toThrow(TaskTimedOutError);
    await expect(runner.sendTaskFailure('forged-token', 'Rejected')).rejects.toThrow(InvalidTokenError);
  });

  it('issues a new token each time the task is entered', async () => {
    await startApproval('reg-1');
    await startApproval('reg-2');

    const tokens = approvalRequests.map((request) => request.context.taskToken);

    expect(new Set(tokens).size).toBe(2);
    expect(runner.openTasks().map((task) => task.executionName)).toEqual(['reg-1', 'reg-2']);
  });
});

describe('callback tasks in parallel branches', () => {
  it('resumes when both branches are decided', async () => {
    await runner.startExecution(twoApproversMachine(), { name: 'two-levels' });
    await runner.settle();
    const [first, second] = runner.openTasks('two-levels');

    await runner.sendTaskSuccess(second?.taskToken ?? '', { approvedBy: 'leader' });
    await runner.sendTaskSuccess(first?.taskToken ?? '', { approvedBy: 'manager' });
    await runner.settle();

    expect(runner.describeExecution('two-levels')).toMatchObject({
      status: 'SUCCEEDED',
      output: { decisions: [{ approvedBy: 'manager' }, { approvedBy: 'leader' }] },
    });
  });

  it('closes the task of the other branch, and its timeout, when one branch fails', async () => {
    await runner.startExecution(twoApproversMachine(), { name: 'refused' });
    await runner.settle();
    const [first, second] = runner.openTasks('refused');

    await runner.sendTaskFailure(first?.taskToken ?? '', 'Rejected', 'direct deal in progress');
    await runner.settle();

    expect(runner.statesVisited('refused').slice(-2)).toEqual(['Record refusal', 'Hold refusal for an hour']);
    expect(runner.openTasks()).toEqual([]);
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance('PT1H');
    expect(runner.describeExecution('refused')).toMatchObject({
      status: 'SUCCEEDED',
      output: { failure: { Error: 'Rejected' } },
    });
    await expect(runner.sendTaskSuccess(second?.taskToken ?? '', {})).rejects.toThrow(TaskTimedOutError);
  });
});

describe('timeouts on the virtual clock', () => {
  it('fires the 48-hour SLA only when the clock passes it, caught as States.Timeout and not as States.TaskFailed', async () => {
    await startApproval();
    const token = approvalRequests[0]?.context.taskToken ?? '';

    await clock.advance('PT47H59M');
    expect(runner.describeExecution('reg-1').status).toBe('RUNNING');

    await clock.advance('PT1M');

    const execution = runner.describeExecution('reg-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'default' });
    expect(runner.statesVisited('reg-1')).toEqual(['Wait for approver decision', 'Apply default decision']);
    const timedOut = runner.getExecutionHistory('reg-1').find((event) => event.type === 'TaskTimedOut');
    expect(timedOut?.timestamp).toBe('2026-11-26T09:00:00.000Z');
    await expect(runner.sendTaskSuccess(token, { decision: 'approved' })).rejects.toThrow(TaskTimedOutError);
  });

  it('fails a callback task whose heartbeats stop, caught as a timeout', async () => {
    await runner.startExecution(heartbeatMachine(), { name: 'documents' });
    await runner.settle();
    const token = approvalRequests[0]?.context.taskToken ?? '';

    await clock.advance('PT50M');
    await runner.sendTaskHeartbeat(token);
    await clock.advance('PT50M');
    expect(runner.describeExecution('documents').status).toBe('RUNNING');
    await clock.advance('PT15M');

    expect(runner.describeExecution('documents')).toMatchObject({
      status: 'SUCCEEDED',
      output: { failure: { Error: 'States.HeartbeatTimeout' } },
    });
    expect(runner.statesVisited('documents')).toEqual(['Wait for partner documents', 'Close as incomplete']);
    const timedOut = runner.getExecutionHistory('documents').find((event) => event.type === 'TaskTimedOut');
    expect(timedOut?.timestamp).toBe('2026-11-24T10:50:00.000Z');
  });

  it('times the whole execution out on the clock', async () => {
    await runner.startExecution(overlongMachine(), { name: 'overlong' });
    await runner.settle();

    await clock.advance('P1D');

    expect(runner.describeExecution('overlong')).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      stopDate: '2026-11-25T09:00:00.000Z',
    });
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('Wait states', () => {
  it('are released by the clock in due order, across executions, with the clock at each due time', async () => {
    const notified: string[] = [];
    const contexts: unknown[] = [];
    runner.registerHandler('notify', async (input, context) => {
      const { step, registrationId, state, enteredAt } = input as Record<string, string>;
      notified.push(`${registrationId} ${step} ${context.now().toISOString()}`);
      contexts.push({ state, enteredAt });
      return null;
    });
    await runner.startExecution(reminderMachine(), {
      name: 'late',
      input: { registrationId: 'late', remindAt: '2026-11-24T15:00:00Z', escalateAt: '2026-11-25T09:00:00Z' },
    });
    await runner.startExecution(reminderMachine(), {
      name: 'early',
      input: {
        registrationId: 'early',
        remindAt: '2026-11-24T11:00:00Z',
        escalateAt: '2026-11-24T13:00:00Z',
      },
    });
    await runner.settle();

    await clock.advance('PT12H');

    expect(notified).toEqual([
      'early reminder 2026-11-24T11:00:00.000Z',
      'early escalation 2026-11-24T13:00:00.000Z',
      'early default 2026-11-24T14:00:00.000Z',
      'late reminder 2026-11-24T15:00:00.000Z',
    ]);
    expect(contexts[1]).toEqual({ state: 'Escalate to sales leader', enteredAt: '2026-11-24T13:00:00.000Z' });
    expect(runner.describeExecution('early').status).toBe('SUCCEEDED');
    expect(runner.describeExecution('late').status).toBe('RUNNING');
    expect(runner.statesVisited('early')).toHaveLength(6);
  });

  it('takes the Choice path and waits SecondsPath only on the large-deal branch', async () => {
    await runner.startExecution(routingMachine(), { name: 'small', input: { amount: 5_000 } });
    await runner.startExecution(routingMachine(), {
      name: 'large',
      input: { amount: 250_000, holdSeconds: 3600 },
    });
    await runner.startExecution(routingMachine(), { name: 'negative', input: { amount: -1 } });
    await runner.settle();

    expect(runner.describeExecution('small').status).toBe('SUCCEEDED');
    expect(runner.describeExecution('negative')).toMatchObject({ status: 'FAILED', error: 'BadAmount' });
    expect(runner.describeExecution('large').status).toBe('RUNNING');

    await clock.advance('PT1H');

    expect(runner.describeExecution('large').status).toBe('SUCCEEDED');
    expect(runner.statesVisited('large')).toEqual([
      'Route by amount',
      'Hold large deal',
      'Large deal released',
    ]);
    const waitEntered = runner
      .getExecutionHistory('large')
      .find((event) => event.stateName === 'Hold large deal');
    expect(waitEntered?.stateType).toBe('Wait');
  });
});

describe('execution names', () => {
  it('refuses a second execution of a name, except a repeated start of a running one with the same input', async () => {
    const first = await runner.startExecution(approvalMachine(), {
      name: 'reg-9',
      input: { registrationId: 'reg-9' },
    });

    const repeated = await runner.startExecution(approvalMachine(), {
      name: 'reg-9',
      input: { registrationId: 'reg-9' },
    });
    await expect(
      runner.startExecution(approvalMachine(), { name: 'reg-9', input: { registrationId: 'other' } }),
    ).rejects.toThrow(ExecutionAlreadyExistsError);
    await runner.settle();
    await runner.stopExecution('reg-9');
    await expect(
      runner.startExecution(approvalMachine(), { name: 'reg-9', input: { registrationId: 'reg-9' } }),
    ).rejects.toThrow(ExecutionAlreadyExistsError);

    expect(repeated.executionArn).toBe(first.executionArn);
    expect(runner.listExecutions()).toHaveLength(1);
    expect(runner.describeExecution('reg-9').status).toBe('ABORTED');
    expect(runner.openTasks()).toEqual([]);
  });

  it('leaves no task or timer behind when stopped while a handler runs', async () => {
    const sending = Promise.withResolvers<void>();
    runner.registerHandler('send-approval-request', async () => {
      await sending.promise;
      return { sent: true };
    });
    await runner.startExecution(approvalMachine(), { name: 'stopped', input: { registrationId: 'stopped' } });
    await new Promise((resolve) => setTimeout(resolve, 20));

    await runner.stopExecution('stopped', { error: 'Withdrawn', cause: 'the partner withdrew it' });
    sending.resolve();
    await runner.settle();

    expect(runner.describeExecution('stopped')).toMatchObject({ status: 'ABORTED', error: 'Withdrawn' });
    expect(runner.openTasks()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses names Step Functions refuses', async () => {
    await expect(runner.startExecution(routingMachine(), { name: 'has space' })).rejects.toThrow(
      InvalidExecutionNameError,
    );
    await expect(runner.startExecution(routingMachine(), { name: 'x'.repeat(81) })).rejects.toThrow(
      InvalidExecutionNameError,
    );
  });
});

describe('handler errors', () => {
  it('retries the named error after its pauses on the virtual clock, then carries on', async () => {
    let calls = 0;
    runner.registerHandler('check-conflicts', async () => {
      calls += 1;
      if (calls < 3) throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
      return { outcome: 'clean' };
    });

    await runner.startExecution(conflictCheckMachine(), { name: 'retried', input: { registrationId: 'r' } });
    // The retrier pauses 1 minute, then 2 (IntervalSeconds 60, BackoffRate 2).
    await clock.advance('PT3M');

    const execution = runner.describeExecution('retried');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ verdict: { outcome: 'clean' } });
    const retries = runner.getExecutionHistory('retried').filter((event) => event.type === 'StateRetried');
    expect(retries).toHaveLength(2);
    expect(runner.statesVisited('retried')).toEqual(['Check conflicts', 'Use verdict']);
    expect(runner.stateTransitions('retried')).toBe(4);
  });

  it('hands an error the retries do not cover to Catch, shaped like a Lambda function error', async () => {
    runner.registerHandler('check-conflicts', async () => {
      throw Object.assign(new Error('policy has no look-back window'), { name: 'PolicyError' });
    });

    await runner.startExecution(conflictCheckMachine(), { name: 'caught', input: { registrationId: 'r' } });
    await runner.settle();

    const output = runner.describeExecution('caught').output as { failure: { Error: string; Cause: string } };
    expect(runner.statesVisited('caught')).toEqual(['Check conflicts', 'Send to manual review']);
    expect(output.failure.Error).toBe('PolicyError');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({
      errorType: 'PolicyError',
      errorMessage: 'policy has no look-back window',
    });
  });

  it('reports a handler fault of a callback task through States.TaskFailed', async () => {
    runner.registerHandler('send-approval-request', async () => {
      throw new Error('mailbox unavailable');
    });

    await startApproval();

    expect(runner.describeExecution('reg-1').output).toMatchObject({
      outcome: 'fault',
      failure: { Error: 'Error' },
    });
    expect(runner.openTasks()).toEqual([]);
  });

  it('names the functions of a definition that no handler answers, for failing fast at start-up', () => {
    expect(runner.unhandledResources(twoApproversMachine())).toEqual([]);
    expect(runner.unhandledResources(conflictCheckMachine())).toEqual(['check-conflicts']);
  });

  it('fails the execution, past any Catch, when no local handler is registered for a resource', async () => {
    await runner.startExecution(conflictCheckMachine(), { name: 'unwired', input: {} });
    await runner.settle();

    expect(runner.describeExecution('unwired')).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: expect.stringContaining('no local handler is registered for "check-conflicts"'),
    });
  });
});

describe('definitions', () => {
  it('refuses invalid ASL and features it cannot run faithfully, naming why', async () => {
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    const dangling = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    const sync = {
      StartAt: 'Run',
      States: {
        Run: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync', End: true },
      },
    };

    await expect(runner.startExecution(jsonata)).rejects.toThrow(/JSONPath state machines only/);
    await expect(runner.startExecution(dangling)).rejects.toThrow(InvalidDefinitionError);
    // Of the .sync integrations it runs states:startExecution only (see nested-executions.test.ts).
    await expect(runner.startExecution(sync)).rejects.toThrow(
      /runs no .sync integration but states:startExecution/,
    );
    expect(runner.listExecutions()).toEqual([]);
  });
});

describe('wiring', () => {
  it('runs a deployed Lambda handler with a Lambda context and reports each closed execution', async () => {
    const closed: string[] = [];
    const wired = new LocalWorkflowRunner({
      clock,
      onExecutionClosed: (execution) => closed.push(`${execution.name} ${execution.status}`),
    });
    wired.registerHandler(
      'check-conflicts',
      lambdaTask('dealreg-check-conflicts', async (event: { registrationId: string }, context) => ({
        registrationId: event.registrationId,
        ranAs: context.functionName,
      })),
    );

    await wired.startExecution(conflictCheckMachine(), { name: 'wired', input: { registrationId: 'reg-3' } });
    await wired.settle();

    expect(wired.describeExecution('wired').output).toMatchObject({
      verdict: { registrationId: 'reg-3', ranAs: 'dealreg-check-conflicts' },
    });
    expect(closed).toEqual(['wired SUCCEEDED']);
    await wired.close();
  });
});
