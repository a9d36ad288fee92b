import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';

// The Step Functions API has no local emulator: the client is mocked at the SDK boundary.
const sfn = mockClient(SFNClient);

afterEach(() => {
  sfn.reset();
});

describe('ending the workflow’s wait through Step Functions', () => {
  it('sends SendTaskSuccess with the stored token and the request as JSON output', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const output = {
      extensionRequest: {
        requestedAt: '2027-02-06T09:30:00.000Z',
        requestedBy: 'pat@cloudsmiths.example',
        reason: 'Legal review moved to March',
      },
    };

    await stepFunctionsTaskSuccess(new SFNClient({ region: 'eu-west-1' }))('token-1', output);

    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-1', output: JSON.stringify(output) },
    ]);
  });

  it('lets a closed wait reject as TaskTimedOut, the name the request use case treats as closed', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    const sending = stepFunctionsTaskSuccess(new SFNClient({ region: 'eu-west-1' }))('token-1', {});

    await expect(sending).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});
