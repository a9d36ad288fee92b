import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import { ExecutionNotRedrivableError } from '#local/workflow-runner/errors.ts';
import {
  ExecutionDoesNotExistError,
  LocalWorkflowRunner,
  type TaskContext,
  TaskTimedOutError,
} from '#local/workflow-runner/index.ts';
import {
  approvalMachine,
  everyApproverMachine,
  functionArn,
  overlongMachine,
  registerDealMachine,
  twoApproversMachine,
} from './machines.ts';

/**
 * RedriveExecution on the local runner, as "Redriving state machines in Step Functions" and the
 * "RedriveExecution" API reference describe it.
 */

const start = '2026-11-24T09:00:00.000Z';

let clock: VirtualClock;
let runner: LocalWorkflowRunner;
/** While true, the CRM answers every deal registration with an outage. */
let crmDown: boolean;
let registrations: unknown[];
let notifications: unknown[];
let approvalRequests: { input: unknown; context: TaskContext }[];

beforeEach(() => {
  clock = new VirtualClock(start);
  crmDown = false;
  registrations = [];
  notifications = [];
  approvalRequests = [];
  runner = new LocalWorkflowRunner({
    clock,
    handlers: {
      [functionArn('register-deal')]: async (input) => {
        registrations.push(input);
        if (crmDown) throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
        return { dealId: '9001' };
      },
      [functionArn('notify')]: async (input) => {
        notifications.push(input);
        return { sent: true };
      },
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

async function failedRegistration(name = 'reg-1') {
  crmDown = true;
  const { executionArn } = await runner.startExecution(registerDealMachine(), {
    name,
    input: { registrationId: name },
  });
  // Its two retries pause 5 and 10 seconds (IntervalSeconds 5, BackoffRate 2).
  await clock.advance('PT15S');
  return executionArn;
}

describe('redriving a failed execution', () => {
  it('continues from the failed state with the input it had, under the same ARN, and finishes', async () => {
    const executionArn = await failedRegistration();
    const failed = runner.describeExecution(executionArn);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'HubSpotUnavailable',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    expect(failed.redriveStatusReason).toBeUndefined();
    // The first attempt and its two retries.
    expect(registrations).toHaveLength(3);

    crmDown = false;
    await clock.advance('PT2H');
    const { redriveDate } = await runner.redriveExecution(executionArn);
    await runner.settle();

    expect(redriveDate).toBe('2026-11-24T11:00:15.000Z');
    expect(runner.describeExecution(executionArn)).toMatchObject({
      executionArn,
      status: 'RUNNING',
      redriveCount: 1,
      redriveDate,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    expect(runner.describeExecution(executionArn).stopDate).toBeUndefined();
    expect(runner.describeExecution(executionArn).error).toBeUndefined();
    // The state that failed ran again with the same input; the one before it did not.
    expect(registrations).toHaveLength(4);
    expect(registrations.at(-1)).toEqual(registrations[0]);
    expect(runner.statesVisited(executionArn)).toEqual([
      'Prepare registration',
      'Register deal',
      'Register deal',
      'Hold for an hour',
    ]);

    await clock.advance('PT1H');
    // The Context object after a redrive: the execution's own input, and the redrive count.
    expect(notifications).toEqual([
      { dealId: '9001', requestedWith: { registrationId: 'reg-1' }, redriveCount: 1 },
    ]);
    const done = runner.describeExecution(executionArn);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        registrationId: 'reg-1',
        amountMinor: 1_500_000,
        deal: { dealId: '9001' },
        told: { sent: true },
      },
      redriveCount: 1,
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    const types = runner.getExecutionHistory(executionArn).map((event) => event.type);
    expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    expect(types.filter((type) => type === 'ExecutionFailed')).toHaveLength(1);
    const redriven = runner
      .getExecutionHistory(executionArn)
      .find((event) => event.type === 'ExecutionRedriven');
    expect(redriven).toMatchObject({ timestamp: redriveDate, details: { redriveCount: 1 } });
    expect(types.indexOf('ExecutionRedriven')).toBeGreaterThan(types.indexOf('ExecutionFailed'));
  });

  it('counts every redrive, lists executions by status, and finds them by name', async () => {
    const executionArn = await failedRegistration('reg-2');

    await runner.redriveExecution('reg-2');
    await clock.advance('PT15S');

    expect(runner.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 1 });
    expect(runner.listExecutions({ status: 'FAILED' }).map((execution) => execution.name)).toEqual(['reg-2']);
    expect(runner.listExecutions({ status: 'RUNNING' })).toEqual([]);

    crmDown = false;
    await runner.redriveExecution(executionArn);
    await runner.settle();
    expect(runner.describeExecution(executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 2 });
    expect(
      runner
        .getExecutionHistory(executionArn)
        .filter((event) => event.type === 'ExecutionRedriven')
        .map((event) => event.details?.redriveCount),
    ).toEqual([1, 2]);
  });
});

describe('what cannot be redriven', () => {
  it('refuses a running or succeeded execution with ExecutionNotRedrivable, and an unknown one with ExecutionDoesNotExist', async () => {
    await runner.startExecution(registerDealMachine(), { name: 'reg-3', input: { registrationId: 'reg-3' } });
    await runner.settle();

    await expect(runner.redriveExecution('reg-3')).rejects.toThrow(
      new ExecutionNotRedrivableError(
        "Execution cannot be redriven: 'arn:aws:states:local:000000000000:execution:" +
          `${runner.describeExecution('reg-3').stateMachineName}:reg-3': Execution is RUNNING and cannot be redriven`,
      ),
    );
    await clock.advance('PT1H');
    expect(runner.describeExecution('reg-3').status).toBe('SUCCEEDED');
    await expect(runner.redriveExecution('reg-3')).rejects.toThrow(
      /Execution is SUCCEEDED and cannot be redriven/,
    );
    await expect(runner.redriveExecution('reg-404')).rejects.toBeInstanceOf(ExecutionDoesNotExistError);
  });

  it('refuses an execution that stopped more than 14 days ago', async () => {
    const executionArn = await failedRegistration('reg-4');

    await clock.advance('P14D');
    expect(runner.describeExecution(executionArn).redriveStatus).toBe('REDRIVABLE');
    await clock.advance('PT1S');

    expect(runner.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded',
    });
    await expect(runner.redriveExecution(executionArn)).rejects.toBeInstanceOf(ExecutionNotRedrivableError);
    expect(runner.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  });
});

describe('redriving stopped and timed-out executions', () => {
  it('asks the callback task again with a new token; the token of the stopped attempt stays closed', async () => {
    await runner.startExecution(approvalMachine(), { name: 'reg-5', input: { registrationId: 'reg-5' } });
    await runner.settle();
    const firstToken = approvalRequests[0]?.context.taskToken ?? '';
    await runner.stopExecution('reg-5', { error: 'Withdrawn', cause: 'the partner withdrew it' });
    expect(runner.describeExecution('reg-5')).toMatchObject({
      status: 'ABORTED',
      error: 'Withdrawn',
      redriveStatus: 'REDRIVABLE',
    });

    await runner.redriveExecution('reg-5');
    await runner.settle();

    expect(approvalRequests).toHaveLength(2);
    const secondToken = approvalRequests[1]?.context.taskToken ?? '';
    expect(secondToken).not.toBe(firstToken);
    expect(approvalRequests[1]?.input).toEqual({
      taskToken: secondToken,
      registrationId: 'reg-5',
      startedAt: start,
    });
    await expect(runner.sendTaskSuccess(firstToken, { decision: 'approved' })).rejects.toBeInstanceOf(
      TaskTimedOutError,
    );
    await runner.sendTaskSuccess(secondToken, { decision: 'approved' });
    await runner.settle();
    expect(runner.describeExecution('reg-5')).toMatchObject({
      status: 'SUCCEEDED',
      output: { registrationId: 'reg-5', decision: { decision: 'approved' }, outcome: 'approved' },
    });
  });

  it('restarts the execution timeout at the redrive', async () => {
    await runner.startExecution(overlongMachine(), { name: 'reg-6' });
    await runner.settle();
    await clock.advance('P1D');
    expect(runner.describeExecution('reg-6')).toMatchObject({
      status: 'TIMED_OUT',
      stopDate: '2026-11-25T09:00:00.000Z',
    });

    await clock.advance('PT6H');
    await runner.redriveExecution('reg-6');
    await runner.settle();
    await clock.advance('PT23H');
    expect(runner.describeExecution('reg-6').status).toBe('RUNNING');
    await clock.advance('PT1H');

    expect(runner.describeExecution('reg-6')).toMatchObject({
      status: 'TIMED_OUT',
      stopDate: '2026-11-26T15:00:00.000Z',
      redriveCount: 1,
    });
  });
});

describe('Parallel states', () => {
  it('runs again only the branches that failed or were abandoned, keeping what the others answered', async () => {
    await runner.startExecution(twoApproversMachine(), { name: 'reg-7', input: { registrationId: 'reg-7' } });
    await runner.settle();
    const tokenOf = (state: string) =>
      runner.openTasks('reg-7').find((task) => task.stateName === state)?.taskToken ?? '';
    await runner.sendTaskSuccess(tokenOf('Ask sales leader'), { approvedBy: 'vp-sales' });
    await runner.settle();
    await runner.sendTaskFailure(
      tokenOf('Ask partner manager'),
      'MailboxFull',
      'the approver mailbox is full',
    );
    await runner.settle();
    expect(runner.describeExecution('reg-7')).toMatchObject({ status: 'FAILED', error: 'MailboxFull' });

    await runner.redriveExecution('reg-7');
    await runner.settle();

    expect(approvalRequests.map((request) => (request.input as { level: string }).level)).toEqual([
      'first',
      'second',
      'first',
    ]);
    expect(runner.openTasks('reg-7').map((task) => task.stateName)).toEqual(['Ask partner manager']);
    await runner.sendTaskSuccess(tokenOf('Ask partner manager'), { approvedBy: 'partner-manager' });
    await runner.settle();
    expect(runner.describeExecution('reg-7')).toMatchObject({
      status: 'SUCCEEDED',
      output: { decisions: [{ approvedBy: 'partner-manager' }, { approvedBy: 'vp-sales' }] },
    });
    expect(runner.statesVisited('reg-7')).toEqual([
      'Ask both approval levels',
      'Ask partner manager',
      'Ask sales leader',
      'Ask both approval levels',
      'Ask partner manager',
      'Record both approvals',
    ]);
  });

  it('runs a Parallel state again whole when no branch had finished', async () => {
    await runner.startExecution(twoApproversMachine(), { name: 'reg-8', input: { registrationId: 'reg-8' } });
    await runner.settle();
    const [first] = approvalRequests;
    await runner.sendTaskFailure(
      first?.context.taskToken ?? '',
      'MailboxFull',
      'the approver mailbox is full',
    );
    await runner.settle();

    await runner.redriveExecution('reg-8');
    await runner.settle();

    expect(approvalRequests).toHaveLength(4);
    expect(
      runner
        .openTasks('reg-8')
        .map((task) => task.stateName)
        .sort(),
    ).toEqual(['Ask partner manager', 'Ask sales leader']);
  });
});

describe('inline Map states', () => {
  it('runs again only the iterations that failed or were abandoned, keeping what the others answered', async () => {
    await runner.startExecution(everyApproverMachine(), {
      name: 'reg-9',
      input: { registrationId: 'reg-9', approvers: ['ann', 'bob', 'cai'] },
    });
    await runner.settle();
    const tokenFor = (approver: string) =>
      approvalRequests.findLast((request) => (request.input as { approver: string }).approver === approver)
        ?.context.taskToken ?? '';
    await runner.sendTaskSuccess(tokenFor('ann'), { answer: 'ann approves' });
    await runner.sendTaskSuccess(tokenFor('cai'), { answer: 'cai approves' });
    await runner.settle();
    await runner.sendTaskFailure(tokenFor('bob'), 'MailboxFull', 'the approver mailbox is full');
    await runner.settle();
    expect(runner.describeExecution('reg-9')).toMatchObject({ status: 'FAILED', error: 'MailboxFull' });

    await runner.redriveExecution('reg-9');
    await runner.settle();

    expect(
      approvalRequests.map((request) => (request.input as { approver: string }).approver).sort(),
    ).toEqual(['ann', 'bob', 'bob', 'cai']);
    expect(approvalRequests.at(-1)?.input).toMatchObject({ approver: 'bob', registrationId: 'reg-9' });
    await runner.sendTaskSuccess(tokenFor('bob'), { answer: 'bob approves' });
    await runner.settle();
    expect(runner.describeExecution('reg-9')).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        answers: [{ answer: 'ann approves' }, { answer: 'bob approves' }, { answer: 'cai approves' }],
      },
    });
    expect(runner.statesVisited('reg-9')).toEqual([
      'Ask every approver',
      'Ask each approver',
      'Ask each approver',
      'Ask each approver',
      'Ask every approver',
      'Ask each approver',
      'Record answers',
    ]);
  });
});
