import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaSweepRequests } from '#adapters/aws/lambda-sweep-requests.ts';

const lambda = mockClient(LambdaClient);

beforeEach(() => {
  lambda.reset();
});

describe('asking the backfill function for a sweep', () => {
  it('invokes it asynchronously with the event of a requested sweep', async () => {
    // prepare: Lambda answers 202 to an Event invocation ("Invoke", Lambda API Reference)
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    // act
    await new LambdaSweepRequests(new LambdaClient({}), 'dealreg-backfill').request();
    // assess
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call?.args[0].input).toMatchObject({ FunctionName: 'dealreg-backfill', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array))).toEqual({
      requestedBy: 'intake',
    });
  });

  it('fails when Lambda does not queue the event, so the trigger is delivered again', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(new LambdaSweepRequests(new LambdaClient({}), 'dealreg-backfill').request()).rejects.toThrow(
      'Rate exceeded',
    );
  });
});
