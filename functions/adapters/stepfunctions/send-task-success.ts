import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * Ends a callback task of a Step Functions execution with `output` (as JSON). A closed wait
 * rejects with the SDK's `TaskTimedOut` (or `TaskDoesNotExist`), whose `name` callers test.
 */
export function stepFunctionsTaskSuccess(client: SFNClient) {
  return async (taskToken: string, output: object): Promise<void> => {
    await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  };
}
