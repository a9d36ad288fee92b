import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { VirtualClock } from '#local/clock.ts';
import {
  executionRoutes,
  LocalWorkflowRunner,
  RunnerRegistrationWorkflow,
} from '#local/workflow-runner/index.ts';
import { approvalMachine, functionArn } from './machines.ts';

let runner: LocalWorkflowRunner;
let api: RunningApiServer;
let workflow: RunnerRegistrationWorkflow;

beforeEach(async () => {
  runner = new LocalWorkflowRunner({
    clock: new VirtualClock('2026-11-24T09:00:00Z'),
    handlers: { [functionArn('send-approval-request')]: async () => ({ sent: true }) },
  });
  workflow = new RunnerRegistrationWorkflow(runner, approvalMachine());
  api = await startApiServer({ routes: [], localRoutes: executionRoutes(runner) });
});

afterEach(async () => {
  await api.stop();
  await runner.close();
});

describe('the registration workflow port on the local runner', () => {
  it('starts one execution per registration id however often it is started', async () => {
    const first = await workflow.start({ registrationId: 'reg-7' });
    const again = await workflow.start({ registrationId: 'reg-7' });
    await runner.settle();
    await runner.stopExecution('reg-7');
    const afterClose = await workflow.start({ registrationId: 'reg-7' });

    expect(first).toEqual({
      execution: 'arn:aws:states:local:000000000000:execution:RegistrationWorkflow:reg-7',
      alreadyStarted: false,
    });
    expect(again).toEqual({ execution: first.execution, alreadyStarted: true });
    expect(afterClose).toEqual({ execution: first.execution, alreadyStarted: true });
    expect(runner.listExecutions()).toHaveLength(1);
  });
});

describe('the local execution routes', () => {
  it('show an execution with the states it visited and the callback task it waits on', async () => {
    await workflow.start({ registrationId: 'reg-8' });
    await runner.settle();

    const execution = (await (await fetch(`${api.url}/_local/executions/reg-8`)).json()) as Record<
      string,
      unknown
    >;
    const tasks = (await (await fetch(`${api.url}/_local/tasks`)).json()) as { executionName: string }[];
    const missing = await fetch(`${api.url}/_local/executions/reg-404`);

    expect(execution).toMatchObject({
      name: 'reg-8',
      status: 'RUNNING',
      statesVisited: ['Wait for approver decision'],
    });
    expect(tasks.map((task) => task.executionName)).toEqual(['reg-8']);
    expect(missing.status).toBe(404);
  });

  it('list executions of one status and redrive one, answering 409 when it cannot be and 404 when unknown', async () => {
    await workflow.start({ registrationId: 'reg-9' });
    await runner.settle();
    await runner.stopExecution('reg-9', { error: 'Withdrawn' });

    const aborted = (await (await fetch(`${api.url}/_local/executions?status=ABORTED`)).json()) as {
      name: string;
      redriveStatus: string;
    }[];
    const badStatus = await fetch(`${api.url}/_local/executions?status=LOST`);
    const redrive = () => fetch(`${api.url}/_local/executions/reg-9/redrive`, { method: 'POST' });
    const first = await redrive();
    const again = await redrive();
    const unknown = await fetch(`${api.url}/_local/executions/reg-404/redrive`, { method: 'POST' });

    expect(aborted.map(({ name, redriveStatus }) => ({ name, redriveStatus }))).toEqual([
      { name: 'reg-9', redriveStatus: 'REDRIVABLE' },
    ]);
    expect(badStatus.status).toBe(400);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ redriveDate: '2026-11-24T09:00:00.000Z' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'not_redrivable' });
    expect(unknown.status).toBe(404);
    expect(runner.describeExecution('reg-9')).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
  });
});
