import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the approvals Lambda entry point', () => {
  it('fails at start-up naming each missing setting', async () => {
    vi.stubEnv('APPROVALS_TABLE', '');
    vi.stubEnv('APPROVAL_SIGNING_KEY_SECRET_ARN', undefined);

    await expect(import('#handlers/approvals.ts')).rejects.toThrow(
      /APPROVALS_TABLE: is empty; APPROVAL_SIGNING_KEY_SECRET_ARN: is not set/,
    );
  });
});
