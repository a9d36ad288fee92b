import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirectory } from '#local/data-dir.ts';
import { DataDirectoryInUseError, isRunning, lockDataDirectory } from '#local/lock.ts';

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

async function directory() {
  return dataDirectory(await mkdtemp(join(tmpdir(), 'dealreg-lock-')));
}

/** The id of a process that has ended. */
async function endedPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

/** A running process whose command line is `name …`, as DynamoDB Local's names DynamoDBLocal.jar. */
function running(name: string): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', name], { stdio: 'ignore' });
  children.push(child.pid ?? 0);
  return child.pid ?? 0;
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 10_000) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the data directory lock', () => {
  it('is taken with this process id and given up on release', async () => {
    const data = await directory();
    const lock = await lockDataDirectory(data, () => {});
    await lock.recordDynamoDbLocal(4242);
    expect(JSON.parse(await readFile(data.lockFile, 'utf8'))).toMatchObject({
      pid: process.pid,
      dynamodbPid: 4242,
    });
    await lock.release();
    const again = await lockDataDirectory(data, () => {});
    await again.release();
  });

  it('refuses a second stack while the first runs, naming its pid and the way out', async () => {
    const data = await directory();
    const first = await lockDataDirectory(data, () => {});

    const second = lockDataDirectory(data, () => {});

    await expect(second).rejects.toThrow(DataDirectoryInUseError);
    await expect(second).rejects.toThrow(`in use by another dealreg local (pid ${process.pid}`);
    await expect(second).rejects.toThrow('another --data-dir');
    expect(JSON.parse(await readFile(data.lockFile, 'utf8')).pid).toBe(process.pid);
    await first.release();
  });

  it('takes over a lock whose process is gone, with a notice, and stops the DynamoDB Local it left', async () => {
    const data = await directory();
    const dead = await endedPid();
    const leftover = running('DynamoDBLocal.jar');
    await writeFile(
      data.lockFile,
      JSON.stringify({ pid: dead, startedAt: '2026-11-24T09:00:00Z', dynamodbPid: leftover }),
    );
    const notices: string[] = [];

    const lock = await lockDataDirectory(data, (line) => notices.push(line));

    expect(notices.join('\n')).toContain(`left locked by dealreg local pid ${dead}`);
    expect(notices.join('\n')).toContain(`stopping the DynamoDB Local it left running (pid ${leftover})`);
    await until(() => !isRunning(leftover));
    expect(JSON.parse(await readFile(data.lockFile, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('leaves alone a process that took the recorded id since and is not DynamoDB Local', async () => {
    const data = await directory();
    const unrelated = running('someone-elses-server');
    await writeFile(
      data.lockFile,
      JSON.stringify({ pid: await endedPid(), startedAt: '2026-11-24T09:00:00Z', dynamodbPid: unrelated }),
    );

    const lock = await lockDataDirectory(data, () => {});

    expect(isRunning(unrelated)).toBe(true);
    await lock.release();
  });

  it('takes over an empty lock file (a stack killed while it created it)', async () => {
    const data = await directory();
    await writeFile(data.lockFile, '');
    const notices: string[] = [];

    const lock = await lockDataDirectory(data, (line) => notices.push(line));

    expect(notices).toEqual([`${data.root} held an unreadable lock file; taking the directory over.`]);
    await lock.release();
  });
});
