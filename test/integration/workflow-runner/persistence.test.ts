import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import { RunnerStateFileError } from '#local/workflow-runner/errors.ts';
import {
  LocalWorkflowRunner,
  type TaskContext,
  type TaskHandler,
  TaskTimedOutError,
} from '#local/workflow-runner/index.ts';
import {
  approvalMachine,
  functionArn,
  heartbeatMachine,
  registerDealMachine,
  reminderMachine,
  twoApproversMachine,
} from './machines.ts';

/**
 * A runner given `persistTo` keeps its executions on disk; a runner built later on the same
 * directory takes them back and, after `resume()`, continues them. A "kill" here is dropping the
 * runner without closing it, once what it did is saved.
 */

const start = '2026-11-24T09:00:00.000Z';

let directory: string;
let approvalRequests: { input: unknown; context: TaskContext }[];
let notifications: unknown[];
let registrations: number;
/** While set, the deal registration handler never answers (the process dies while it runs). */
let registrationHangs: boolean;
/** While set, the CRM is down: the deal registration handler fails. */
let crmDown: boolean;

const handlers: Record<string, TaskHandler> = {
  [functionArn('send-approval-request')]: async (input, context) => {
    approvalRequests.push({ input, context });
    return { sent: true };
  },
  [functionArn('notify')]: async (input) => {
    notifications.push(input);
    return { sent: true };
  },
  [functionArn('register-deal')]: async () => {
    registrations += 1;
    if (registrationHangs) await new Promise(() => undefined);
    if (crmDown) throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
    return { dealId: '9001' };
  },
};

function runnerOn(clock: VirtualClock): LocalWorkflowRunner {
  return new LocalWorkflowRunner({ clock, handlers, persistTo: directory });
}

/** Saves what the runner did and drops it, as a killed process would leave it. */
async function kill(runner: LocalWorkflowRunner, clock: VirtualClock): Promise<VirtualClock> {
  await runner.settle();
  const began = performance.now();
  await runner.persisted();
  const file = await readFile(join(directory, 'executions.json'));
  console.log(
    `saved ${runner.listExecutions().length} executions: ${file.byteLength} bytes in ${(performance.now() - began).toFixed(1)} ms`,
  );
  return new VirtualClock(clock.now());
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dealreg-runner-'));
  approvalRequests = [];
  notifications = [];
  registrations = 0;
  registrationHangs = false;
  crmDown = false;
});

describe('resuming after a restart', () => {
  it('continues a callback task with the same token without asking again, and a Wait at its due time', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(approvalMachine(), { name: 'reg-1', input: { registrationId: 'reg-1' } });
    await first.startExecution(reminderMachine(), {
      name: 'reg-2',
      input: {
        registrationId: 'reg-2',
        remindAt: '2026-11-25T09:00:00Z',
        escalateAt: '2026-11-26T09:00:00Z',
      },
    });
    await first.settle();
    const token = approvalRequests[0]?.context.taskToken ?? '';
    const clockAfter = await kill(first, clock);

    const second = runnerOn(clockAfter);
    expect(second.listExecutions().map(({ name, status }) => ({ name, status }))).toEqual([
      { name: 'reg-1', status: 'RUNNING' },
      { name: 'reg-2', status: 'RUNNING' },
    ]);
    expect(await second.resume()).toEqual(['reg-1', 'reg-2']);
    await second.settle();

    expect(approvalRequests).toHaveLength(1);
    expect(second.openTasks('reg-1')).toEqual([
      expect.objectContaining({ taskToken: token, timeoutAt: '2026-11-26T09:00:00.000Z' }),
    ]);
    await second.sendTaskSuccess(token, { decision: 'approved', by: 'rita@vendor.example' });
    await second.settle();
    expect(second.describeExecution('reg-1')).toMatchObject({
      status: 'SUCCEEDED',
      output: { registrationId: 'reg-1', decision: { decision: 'approved' }, outcome: 'approved' },
    });
    expect(second.statesVisited('reg-1')).toEqual(['Wait for approver decision', 'Record approval']);
    expect(second.getExecutionHistory('reg-1').map((event) => event.type)).toContain('ExecutionResumed');

    await clockAfter.advance('PT23H59M');
    expect(notifications).toEqual([]);
    await clockAfter.advance('PT1M');
    expect(notifications).toEqual([
      expect.objectContaining({ step: 'reminder', enteredAt: '2026-11-25T09:00:00.000Z' }),
    ]);
    expect(second.statesVisited('reg-2')).toEqual([
      'Wait until the reminder is due',
      'Remind approver',
      'Wait until escalation is due',
    ]);
    await second.close();
  });

  it('keeps a callback task’s timeout and heartbeat deadlines from before the restart', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(approvalMachine(), { name: 'reg-3', input: { registrationId: 'reg-3' } });
    await first.startExecution(heartbeatMachine(), { name: 'reg-4' });
    await first.startExecution(registerDealMachine(), {
      name: 'reg-4b',
      input: { registrationId: 'reg-4b' },
    });
    await first.settle();
    await clock.advance('PT30M');
    const heartbeatToken = first.openTasks('reg-4')[0]?.taskToken ?? '';
    await first.sendTaskHeartbeat(heartbeatToken);
    await clock.advance('PT20M');
    const clockAfter = await kill(first, clock);

    const second = runnerOn(clockAfter);
    await second.resume();
    await second.settle();
    // The deal held for an hour from 09:00 is released at 10:00, not an hour after the restart.
    await clockAfter.advance('PT9M');
    expect(notifications).toEqual([]);
    await clockAfter.advance('PT1M');
    expect(second.describeExecution('reg-4b')).toMatchObject({
      status: 'SUCCEEDED',
      stopDate: '2026-11-24T10:00:00.000Z',
    });
    // The heartbeat sent at 09:30 was the last: the next one was due by 10:30.
    await clockAfter.advance('PT29M');
    expect(second.describeExecution('reg-4')).toMatchObject({ status: 'RUNNING' });
    await clockAfter.advance('PT1M');
    expect(second.describeExecution('reg-4')).toMatchObject({
      status: 'SUCCEEDED',
      stopDate: '2026-11-24T10:30:00.000Z',
      output: { failure: { Error: 'States.HeartbeatTimeout' } },
    });
    expect(second.statesVisited('reg-4')).toEqual(['Wait for partner documents', 'Close as incomplete']);

    await clockAfter.setTo('2026-11-26T08:59:00Z');
    expect(second.describeExecution('reg-3').status).toBe('RUNNING');
    await clockAfter.advance('PT1M');
    expect(second.describeExecution('reg-3')).toMatchObject({
      status: 'SUCCEEDED',
      stopDate: '2026-11-26T09:00:00.000Z',
      output: { outcome: 'default' },
    });
    await second.close();
  });

  it('takes a decision sent for the token before the execution was resumed', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(approvalMachine(), { name: 'reg-5', input: { registrationId: 'reg-5' } });
    await first.settle();
    const token = approvalRequests[0]?.context.taskToken ?? '';
    const second = runnerOn(await kill(first, clock));

    await second.sendTaskSuccess(token, { decision: 'approved' });
    await expect(second.sendTaskSuccess(token, { decision: 'approved' })).rejects.toBeInstanceOf(
      TaskTimedOutError,
    );
    await second.resume();
    await second.settle();

    expect(approvalRequests).toHaveLength(1);
    expect(second.describeExecution('reg-5')).toMatchObject({
      status: 'SUCCEEDED',
      output: { outcome: 'approved' },
    });
    await second.close();
  });

  it('runs again a task whose handler was cut short by the restart', async () => {
    registrationHangs = true;
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(registerDealMachine(), { name: 'reg-6', input: { registrationId: 'reg-6' } });
    await vi.waitFor(() => expect(registrations).toBe(1));
    await first.persisted();

    registrationHangs = false;
    const second = runnerOn(new VirtualClock(clock.now()));
    await second.resume();
    await second.settle();

    expect(registrations).toBe(2);
    expect(second.statesVisited('reg-6')).toEqual([
      'Prepare registration',
      'Register deal',
      'Hold for an hour',
    ]);
    await second.close();
  });
});

describe('resuming a Parallel state', () => {
  it('keeps the branch that finished and asks again in the one that had not, with a new token', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(twoApproversMachine(), { name: 'reg-9', input: { registrationId: 'reg-9' } });
    await first.settle();
    const tokenOf = (runner: LocalWorkflowRunner, state: string) =>
      runner.openTasks('reg-9').find((task) => task.stateName === state)?.taskToken ?? '';
    await first.sendTaskSuccess(tokenOf(first, 'Ask sales leader'), { approvedBy: 'vp-sales' });
    const waitingToken = tokenOf(first, 'Ask partner manager');
    const second = runnerOn(await kill(first, clock));

    await second.resume();
    await second.settle();

    expect(approvalRequests.map((request) => (request.input as { level: string }).level)).toEqual([
      'first',
      'second',
      'first',
    ]);
    await expect(second.sendTaskSuccess(waitingToken, {})).rejects.toBeInstanceOf(TaskTimedOutError);
    await second.sendTaskSuccess(tokenOf(second, 'Ask partner manager'), { approvedBy: 'partner-manager' });
    await second.settle();
    expect(second.describeExecution('reg-9')).toMatchObject({
      status: 'SUCCEEDED',
      output: { decisions: [{ approvedBy: 'partner-manager' }, { approvedBy: 'vp-sales' }] },
    });
    await second.close();
  });
});

describe('stopping and starting with persistence', () => {
  it('leaves running executions running when closed, for the next runner to resume', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(approvalMachine(), { name: 'reg-7', input: { registrationId: 'reg-7' } });
    await first.settle();
    const token = approvalRequests[0]?.context.taskToken ?? '';

    await first.close();

    expect(first.describeExecution('reg-7').status).toBe('RUNNING');
    expect((await readdir(directory)).sort()).toEqual(['executions.json']);
    const second = runnerOn(new VirtualClock(clock.now()));
    await second.resume();
    await second.sendTaskSuccess(token, { decision: 'approved' });
    await second.settle();
    expect(second.describeExecution('reg-7').status).toBe('SUCCEEDED');
    await second.close();
  });

  it('brings back closed executions, which can still be redriven', async () => {
    crmDown = true;
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(registerDealMachine(), { name: 'reg-8', input: { registrationId: 'reg-8' } });
    // Its two retries pause 5 and 10 seconds (IntervalSeconds 5, BackoffRate 2).
    await clock.advance('PT15S');
    expect(first.describeExecution('reg-8')).toMatchObject({ status: 'FAILED', error: 'HubSpotUnavailable' });

    crmDown = false;
    const clockAfter = await kill(first, clock);
    const second = runnerOn(clockAfter);
    expect(await second.resume()).toEqual([]);
    expect(second.describeExecution('reg-8')).toMatchObject({
      status: 'FAILED',
      redriveStatus: 'REDRIVABLE',
    });
    await second.redriveExecution('reg-8');
    await second.settle();
    await clockAfter.advance('PT1H');

    expect(second.describeExecution('reg-8')).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(second.statesVisited('reg-8')).toEqual([
      'Prepare registration',
      'Register deal',
      'Register deal',
      'Hold for an hour',
      'Tell partner',
    ]);
    await second.close();
  });

  it('closes the token of an execution read back and stopped before it resumed', async () => {
    const clock = new VirtualClock(start);
    const first = runnerOn(clock);
    await first.startExecution(approvalMachine(), { name: 'reg-10', input: { registrationId: 'reg-10' } });
    await first.settle();
    const token = approvalRequests[0]?.context.taskToken ?? '';
    const second = runnerOn(await kill(first, clock));

    await second.stopExecution('reg-10', { error: 'Withdrawn' });

    await expect(second.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskTimedOutError);
    expect(await second.resume()).toEqual([]);
    expect(second.describeExecution('reg-10')).toMatchObject({
      status: 'ABORTED',
      redriveStatus: 'REDRIVABLE',
    });
    await second.close();
  });

  it('refuses a file it did not write, naming the file and what is wrong', async () => {
    await writeFile(join(directory, 'executions.json'), JSON.stringify({ version: 1, executions: [] }));

    expect(() => runnerOn(new VirtualClock(start))).toThrow(RunnerStateFileError);
    expect(() => runnerOn(new VirtualClock(start))).toThrow(
      `${join(directory, 'executions.json')} is not a saved workflow runner state: definitions:`,
    );
    await writeFile(join(directory, 'executions.json'), '{"version": 1,');
    expect(() => runnerOn(new VirtualClock(start))).toThrow(/executions\.json is not JSON/);
  });
});
