import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SavedFileError } from '#local/atomic-file.ts';
import { type DataDirectory, dataDirectory, openDataDirectory, writeStackState } from '#local/data-dir.ts';
import { startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import { loadOrCreateLocalSecrets } from '#local/local-secrets.ts';
import { writeSandboxState } from '#local/sandbox-state-file.ts';

async function directory(): Promise<DataDirectory> {
  return dataDirectory(await mkdtemp(join(tmpdir(), 'dealreg-data-')));
}

const state = {
  version: 1 as const,
  createdAt: '2026-11-24T09:00:00.000Z',
  clock: '2026-11-26T17:30:00.000Z',
  apiPort: 41663,
};

/** A directory as a stopped stack leaves it: state, sandbox, mailbox, digests, reports. */
async function keptRun(data: DataDirectory): Promise<void> {
  const sandbox = await startHubSpotSandbox({ rateLimit: false, seed: { forms: [] } });
  await writeSandboxState(data.sandboxFile, sandbox.snapshot());
  await sandbox.stop();
  await writeStackState(data, state);
  await mkdir(data.mailbox);
  await writeFile(join(data.mailbox, 'mail.json'), '{}');
  await mkdir(data.ledgerDigests);
  await writeFile(join(data.ledgerDigests, 'digest.json'), '{}');
  await mkdir(join(data.root, 'reports'));
  await writeFile(join(data.root, 'notes.txt'), 'mine');
}

const never = () => {
  throw new Error('no notice expected');
};

describe('opening a data directory', () => {
  it('resumes what a stopped stack kept', async () => {
    const data = await directory();
    await keptRun(data);

    const kept = await openDataDirectory(data, { fresh: false, notice: never });

    expect(kept?.state).toEqual(state);
    expect(kept?.sandbox.portal.portalId).toBe(1234567);
    expect(await readdir(data.mailbox)).toEqual(['mail.json']);
  });

  it('with fresh, clears everything the stack keeps, ledger digests and reports included, and nothing else', async () => {
    const data = await directory();
    await keptRun(data);
    await writeFile(data.lockFile, '{}');
    await writeFile(join(data.root, '.hubspot-sandbox.json.tmp-0a1b2c'), 'half');
    const notices: string[] = [];

    const kept = await openDataDirectory(data, { fresh: true, notice: (line) => notices.push(line) });

    expect(kept).toBeUndefined();
    expect((await readdir(data.root)).sort()).toEqual(['dealreg-local.lock', 'notes.txt']);
    expect(notices).toEqual([
      `Starting over in ${data.root}: cleared hubspot-sandbox.json, ledger-digests, mailbox, reports, stack-state.json.`,
    ]);
  });

  it('clears the mailbox and ledger digests of a run that kept no state, but not its reports', async () => {
    const data = await directory();
    await mkdir(data.mailbox);
    await mkdir(data.ledgerDigests);
    await writeFile(join(data.ledgerDigests, 'digest.json'), '{}');
    await mkdir(join(data.root, 'reports'));
    const notices: string[] = [];

    const kept = await openDataDirectory(data, { fresh: false, notice: (line) => notices.push(line) });

    expect(kept).toBeUndefined();
    expect(await readdir(data.root)).toEqual(['reports']);
    expect(notices[0]).toContain('held data of a run that kept no state (ledger-digests, mailbox)');
  });

  it('says nothing for a new directory', async () => {
    expect(await openDataDirectory(await directory(), { fresh: false, notice: never })).toBeUndefined();
  });

  it('refuses a kept state whose sandbox is missing or damaged, naming the file and --fresh', async () => {
    const data = await directory();
    await writeStackState(data, state);
    await expect(openDataDirectory(data, { fresh: false, notice: never })).rejects.toThrow(
      `${data.sandboxFile} is missing`,
    );
    await writeFile(data.sandboxFile, '{"version": 1, "portal": {');
    const damaged = openDataDirectory(data, { fresh: false, notice: never });
    await expect(damaged).rejects.toThrow(SavedFileError);
    await expect(damaged).rejects.toThrow(/hubspot-sandbox\.json is not JSON .*start with --fresh/);
  });
});

describe('the local secrets', () => {
  it('are generated once, readable by the owner only, and the same on the next start', async () => {
    const data = await directory();

    const created = await loadOrCreateLocalSecrets(data.secretsFile);
    const again = await loadOrCreateLocalSecrets(data.secretsFile);

    expect(again).toEqual(created);
    expect(Buffer.from(created.approvalSigningKey, 'base64url')).toHaveLength(32);
    expect(created.hubspotAccessToken).toMatch(/^pat-local-[0-9a-f]{32}$/);
    expect((await stat(data.secretsFile)).mode & 0o777).toBe(0o600);
  });

  it('are put back to owner-only when the file was loosened', async () => {
    const data = await directory();
    const created = await loadOrCreateLocalSecrets(data.secretsFile);
    await writeFile(data.secretsFile, JSON.stringify(created), { mode: 0o644 });

    await loadOrCreateLocalSecrets(data.secretsFile);

    expect((await stat(data.secretsFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged file, naming the field, without replacing it', async () => {
    const data = await directory();
    await writeFile(
      data.secretsFile,
      JSON.stringify({ approvalSigningKey: 'c2hvcnQ', webhookClientSecret: 'x' }),
    );

    const loading = loadOrCreateLocalSecrets(data.secretsFile);

    await expect(loading).rejects.toThrow(/secrets\.json is not what it should hold \(approvalSigningKey: /);
    await expect(loading).rejects.toThrow('start with --fresh');
  });
});
