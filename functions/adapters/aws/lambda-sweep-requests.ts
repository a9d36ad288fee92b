import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { requestedSweepEvent, type SweepRequests } from '#ports/sweep-requests.ts';

/**
 * Asks for a sweep by invoking the backfill function asynchronously ("Invoke", Lambda API
 * Reference: `InvocationType: 'Event'` queues the event and answers 202 at once). Lambda keeps a
 * queued event while the function's one container is busy and retries a failed run twice.
 */
export class LambdaSweepRequests implements SweepRequests {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(client: LambdaClient, functionName: string) {
    this.#client = client;
    this.#functionName = functionName;
  }

  async request(): Promise<void> {
    const answer = await this.#client.send(
      new InvokeCommand({
        FunctionName: this.#functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(requestedSweepEvent)),
      }),
    );
    if (answer.StatusCode !== 202) {
      throw new Error(`Lambda answered ${String(answer.StatusCode)} to the sweep request, not 202`);
    }
  }
}
