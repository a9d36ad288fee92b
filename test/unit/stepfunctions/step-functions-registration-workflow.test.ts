import {
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  type ExecutionStatus,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsRegistrationWorkflow } from '#adapters/stepfunctions/step-functions-registration-workflow.ts';

// The Step Functions API has no local emulator: the client is mocked at the SDK boundary.
const sfn = mockClient(SFNClient);

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:RegistrationWorkflow';
const executionArn = (name: string) =>
  `arn:aws:states:eu-west-1:123456789012:execution:RegistrationWorkflow:${name}`;

function item(name: string, status: ExecutionStatus, startDate: string, stopDate: string, redriveCount = 0) {
  return {
    executionArn: executionArn(name),
    stateMachineArn,
    name,
    status,
    startDate: new Date(startDate),
    stopDate: new Date(stopDate),
    redriveCount,
  };
}

const workflow = () =>
  new StepFunctionsRegistrationWorkflow(new SFNClient({ region: 'eu-west-1' }), stateMachineArn);

beforeEach(() => {
  sfn.reset();
});

describe('listing the registrations whose workflow did not succeed', () => {
  it('pages through ListExecutions for FAILED, TIMED_OUT and ABORTED and keeps those stopped after the given time', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn, statusFilter: 'FAILED' })
      .resolvesOnce({
        executions: [item('reg-3', 'FAILED', '2026-11-20T10:00:00Z', '2026-11-20T10:05:00Z', 1)],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        executions: [
          item('reg-2', 'FAILED', '2026-11-10T09:00:00Z', '2026-11-19T00:00:00Z'),
          // Started early, stopped within the window (a long approval wait).
          item('reg-1', 'FAILED', '2026-09-01T09:00:00Z', '2026-11-18T12:00:01Z'),
          // Stopped at the very moment given: not after it.
          item('reg-edge', 'FAILED', '2026-11-18T11:00:00Z', '2026-11-18T12:00:00Z'),
          item('reg-0', 'FAILED', '2026-09-01T08:00:00Z', '2026-09-02T08:00:00Z'),
        ],
      });
    sfn.on(ListExecutionsCommand, { stateMachineArn, statusFilter: 'TIMED_OUT' }).resolves({
      executions: [item('reg-4', 'TIMED_OUT', '2026-11-01T09:00:00Z', '2026-11-18T09:00:00Z')],
    });

    const failed = await workflow().failedExecutions({ stoppedAfter: '2026-11-18T12:00:00Z' });

    expect(failed).toEqual([
      {
        registrationId: 'reg-3',
        execution: executionArn('reg-3'),
        status: 'FAILED',
        stoppedAt: '2026-11-20T10:05:00.000Z',
        redriveCount: 1,
      },
      {
        registrationId: 'reg-2',
        execution: executionArn('reg-2'),
        status: 'FAILED',
        stoppedAt: '2026-11-19T00:00:00.000Z',
        redriveCount: 0,
      },
      {
        registrationId: 'reg-1',
        execution: executionArn('reg-1'),
        status: 'FAILED',
        stoppedAt: '2026-11-18T12:00:01.000Z',
        redriveCount: 0,
      },
    ]);
    // The paginator hands the same input object to each call, with the next page's token written in.
    const calls = sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input);
    expect(
      calls.map(({ stateMachineArn, statusFilter, maxResults }) => ({
        stateMachineArn,
        statusFilter,
        maxResults,
      })),
    ).toEqual([
      { stateMachineArn, statusFilter: 'FAILED', maxResults: 1000 },
      { stateMachineArn, statusFilter: 'FAILED', maxResults: 1000 },
      { stateMachineArn, statusFilter: 'TIMED_OUT', maxResults: 1000 },
      { stateMachineArn, statusFilter: 'ABORTED', maxResults: 1000 },
    ]);
    expect(calls[1]?.nextToken).toBe('page-2');
  });

  it('stops paging at executions started more than a year before the given time, which cannot have stopped since', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(ListExecutionsCommand, { statusFilter: 'ABORTED' }).resolvesOnce({
      executions: [item('reg-old', 'ABORTED', '2025-11-01T09:00:00Z', '2025-11-02T09:00:00Z')],
      nextToken: 'page-2',
    });

    const failed = await workflow().failedExecutions({ stoppedAfter: '2026-11-18T12:00:00Z' });

    expect(failed).toEqual([]);
    expect(sfn.commandCalls(ListExecutionsCommand, { statusFilter: 'ABORTED' })).toHaveLength(1);
  });

  it('refuses a time that is not one, naming it', async () => {
    await expect(workflow().failedExecutions({ stoppedAfter: 'yesterday' })).rejects.toThrow(
      'stoppedAfter must be an ISO-8601 time, got "yesterday"',
    );
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('redriving a registration’s workflow', () => {
  it('sends RedriveExecution for the execution', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-24T09:00:00Z') });

    const result = await workflow().redrive(executionArn('reg-1'));

    expect(result).toEqual({ redriven: true });
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: executionArn('reg-1'),
    });
  });

  it('answers not redriven, with Step Functions’ reason, for an execution it cannot redrive or does not know', async () => {
    sfn.on(RedriveExecutionCommand, { executionArn: executionArn('reg-1') }).rejects(
      new ExecutionNotRedrivable({
        message: 'Execution is SUCCEEDED and cannot be redriven',
        $metadata: {},
      }),
    );
    sfn
      .on(RedriveExecutionCommand, { executionArn: executionArn('reg-404') })
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    expect(await workflow().redrive(executionArn('reg-1'))).toEqual({
      redriven: false,
      reason: 'ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven',
    });
    expect(await workflow().redrive(executionArn('reg-404'))).toEqual({
      redriven: false,
      reason: 'ExecutionDoesNotExist: Execution Does Not Exist',
    });
  });

  it('lets any other failure through', async () => {
    sfn.on(RedriveExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: {},
      }),
    );

    await expect(workflow().redrive(executionArn('reg-1'))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});
