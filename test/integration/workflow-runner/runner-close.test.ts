import { describe, expect, it } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import { RunnerClosedError } from '#local/workflow-runner/errors.ts';
import { LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import { approvalMachine, functionArn } from './machines.ts';

describe('closing the workflow runner', () => {
  it('aborts the running executions and refuses to start new ones', async () => {
    const runner = new LocalWorkflowRunner({
      clock: new VirtualClock('2026-11-24T09:00:00.000Z'),
      handlers: { [functionArn('send-approval-request')]: async () => ({ sent: true }) },
    });
    await runner.startExecution(approvalMachine(), { name: 'reg-1', input: { registrationId: 'reg-1' } });
    await runner.settle();

    await runner.close();

    expect(runner.describeExecution('reg-1')).toMatchObject({ status: 'ABORTED', error: 'RunnerClosed' });
    await expect(
      runner.startExecution(approvalMachine(), { name: 'reg-2', input: { registrationId: 'reg-2' } }),
    ).rejects.toBeInstanceOf(RunnerClosedError);
    expect(runner.listExecutions().map((execution) => execution.name)).toEqual(['reg-1']);
  });
});
