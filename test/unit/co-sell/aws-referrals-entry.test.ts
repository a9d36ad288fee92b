import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the AWS referral page Lambda entry point', () => {
  it('fails at start-up naming each missing setting, before it connects to anything', async () => {
    vi.stubEnv('REGISTRATIONS_TABLE', '');
    vi.stubEnv('APPROVAL_SIGNING_KEY_SECRET_ARN', undefined);
    vi.stubEnv('DEALREG_POLICY', undefined);

    await expect(import('#handlers/aws-referrals.ts')).rejects.toThrow(
      /REGISTRATIONS_TABLE: is empty;.*APPROVAL_SIGNING_KEY_SECRET_ARN: is not set;.*DEALREG_POLICY: is not set/,
    );
  });
});
