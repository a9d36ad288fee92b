import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '#handlers/wiring/configuration.ts';
import { connectToHubSpot } from '#handlers/wiring/hubspot.ts';
import { approvalSigningKey, secretText } from '#handlers/wiring/secrets.ts';
import { tracer } from '#handlers/wiring/tracer.ts';

// Secrets Manager has no local emulator: the client is mocked at the SDK boundary. Each test
// reads its own secret, as values are cached for five minutes.
const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  secretsManager.reset();
});

function secretHolds(arn: string, value: string) {
  secretsManager.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: value });
}

describe('the secrets a function reads', () => {
  it('leaves the clients untraced outside Lambda', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
  });

  it('reads the text of a secret once and serves it from the cache', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:client-secret';
    secretHolds(arn, 's3cr3t');

    const first = await secretText(arn, 'HubSpot client secret');
    const second = await secretText(arn, 'HubSpot client secret');

    expect([first, second]).toEqual(['s3cr3t', 's3cr3t']);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses an empty secret, naming what it holds and its ARN', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:blank';
    secretHolds(arn, '  ');

    const reading = secretText(arn, 'approval signing key');

    await expect(reading).rejects.toThrow(ConfigurationError);
    await expect(reading).rejects.toThrow(`the approval signing key ${arn} is empty`);
  });

  it('connects to HubSpot with the access token from its secret', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:access-token';
    secretHolds(arn, 'pat-eu1-token');

    const connection = await connectToHubSpot({
      HUBSPOT_ACCESS_TOKEN_ARN: arn,
      HUBSPOT_BASE_URL: 'http://127.0.0.1:4010/',
    });

    expect(connection.basePath).toBe('http://127.0.0.1:4010');
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: arn });
  });

  it('derives the signing key once while the text of its secret is unchanged', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:signing-key';
    secretHolds(arn, 'first-signing-key-0123456789abcdef0123');
    const signingKey = approvalSigningKey(arn);

    const first = await signingKey();
    const again = await signingKey();

    expect(again).toBe(first);
    expect(first.current.id).toMatch(/^[\w-]{11}$/);
  });
});
