import { afterEach, describe, expect, it, vi } from 'vitest';

const complete = {
  REGISTRATIONS_TABLE: 'Registrations',
  APPROVAL_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:key',
  CALENDAR_TIME_ZONE: 'Europe/Berlin',
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function stub(environment: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
}

describe('the extension requests Lambda entry', () => {
  it('starts with its table, signing key and calendar time zone configured', async () => {
    stub(complete);

    const entry = await import('#handlers/extension-requests.ts');

    expect(typeof entry.handler).toBe('function');
  });

  it('fails at cold start naming every missing or invalid setting', async () => {
    stub({ ...complete, REGISTRATIONS_TABLE: undefined, CALENDAR_TIME_ZONE: 'Mars/Olympus' });

    await expect(import('#handlers/extension-requests.ts')).rejects.toThrow(
      /REGISTRATIONS_TABLE: is not set.*CALENDAR_TIME_ZONE: must be an IANA time zone/,
    );
  });
});
