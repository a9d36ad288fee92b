import { randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { z } from 'zod';
import { readSavedJson, writeFileAtomically } from './atomic-file.ts';

const secretsSchema = z.object({
  /** Signs the emailed approval and extension links (HMAC-SHA256, base64url of 32 bytes). */
  approvalSigningKey: z.base64url().refine((key) => Buffer.from(key, 'base64url').length >= 32, {
    error: 'must be at least 32 bytes, base64url',
  }),
  /** Signs the sandbox's workflow webhooks and CRM event batches (HubSpot signature v3). */
  webhookClientSecret: z.string().min(16),
  /** The sandbox's access token, standing in for the app's static token. */
  hubspotAccessToken: z.string().startsWith('pat-local-'),
});

/** The local stack's keys and secrets, the stand-ins for what Secrets Manager holds in AWS. */
export type LocalSecrets = z.infer<typeof secretsSchema>;

/**
 * The data directory's secrets: read if saved, otherwise generated once and saved readable by
 * the owner only (0600), so that links emailed before a restart still verify and the sandbox's
 * token and webhook signatures stay the same.
 */
export async function loadOrCreateLocalSecrets(file: string): Promise<LocalSecrets> {
  const saved = await readSavedJson(
    file,
    secretsSchema,
    'delete it to get new keys (links already emailed then stop opening), or start with --fresh',
  );
  if (saved !== undefined) {
    // Copied or restored with looser permissions, it is put back to owner-only.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return saved;
  }
  const created: LocalSecrets = {
    approvalSigningKey: randomBytes(32).toString('base64url'),
    webhookClientSecret: randomBytes(24).toString('base64url'),
    hubspotAccessToken: `pat-local-${randomBytes(16).toString('hex')}`,
  };
  await writeFileAtomically(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}
