import { open } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import { describeFailure } from '#bin/commands/failure.ts';
import { UsageError } from '#bin/commands/usage-error.ts';

describe('what the CLI says when a command fails', () => {
  it('names the file and the fix for a file error, as a bad argument', async () => {
    const error = await open(tmpdir(), 'wx').catch((caught: unknown) => caught);

    expect(describeFailure(error)).toEqual({
      message: `cannot use ${tmpdir()}: it already exists; choose a new name`,
      exitCode: 2,
    });
  });

  it('says which service did not answer and how to start it, for a refused connection behind fetch', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);

    const { message, exitCode } = describeFailure(error);

    expect(message).toBe(
      `could not reach 127.0.0.1:${port} (ECONNREFUSED): start the local stack (npx dealreg local) or check the endpoint settings (local.json, DYNAMODB_ENDPOINT, HUBSPOT_BASE_URL) and the network`,
    );
    expect(exitCode).toBe(3);
  });

  it('turns a zod error into one sentence, not an issue list', () => {
    const error = z.object({ now: z.string() }).safeParse({ now: 1 }).error;

    const { message, exitCode } = describeFailure(error);

    expect(message).toBe(
      'data read from a file or service is not what this version of dealreg expects (now: Invalid input: expected string, received number); check that the local stack and the CLI come from the same checkout',
    );
    expect(message).not.toContain('\n');
    expect(exitCode).toBe(3);
  });

  it('names the AWS error and what to check, without the SDK stack', () => {
    const missing = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    expect(describeFailure(missing)).toEqual({
      message:
        'AWS answered ResourceNotFoundException (Requested resource not found): check LEDGER_TABLE / REGISTRATIONS_TABLE and the region, or restart the local stack',
      exitCode: 3,
    });
    expect(describeFailure(noCredentials).message).toMatch(/^no AWS credentials: set AWS_PROFILE/);
  });

  it('keeps the message of an error that names a setting to change, as a bad argument', () => {
    expect(describeFailure(new UsageError('--as-of must be an ISO instant'))).toEqual({
      message: '--as-of must be an ISO instant',
      exitCode: 2,
    });
    expect(
      describeFailure(new HubSpotConfigurationError('no HubSpot access token: pass --token')).exitCode,
    ).toBe(2);
  });
});
