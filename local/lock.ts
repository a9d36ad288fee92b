import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file.ts';
import type { DataDirectory } from './data-dir.ts';

const lockSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /** DynamoDB Local's process, so the next stack can stop it if this one died without doing so. */
  dynamodbPid: z.number().int().positive().optional(),
});

/** Who holds a data directory's lock. */
export type LockHolder = z.infer<typeof lockSchema>;

/** Another local stack, still running, holds the data directory. */
export class DataDirectoryInUseError extends Error {
  override readonly name = 'DataDirectoryInUseError';
  readonly holder: LockHolder;

  constructor(root: string, holder: LockHolder) {
    super(
      `the data directory ${root} is in use by another dealreg local (pid ${holder.pid}, started ${holder.startedAt}). ` +
        `Stop that one first (Ctrl-C in its terminal, or kill ${holder.pid}), or give this one another --data-dir.`,
    );
    this.holder = holder;
  }
}

export interface DataDirectoryLock {
  /** Records DynamoDB Local's process id in the lock. */
  recordDynamoDbLocal(pid: number): Promise<void>;
  /** Gives the directory up (only if the lock is still this process's). */
  release(): Promise<void>;
}

/** Whether a process runs with this id (one of another user answers EPERM: it runs). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process: `/proc` on Linux, `ps` elsewhere; undefined when it is gone. */
async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    try {
      const { stdout } = await promisify(execFile)('ps', ['-p', String(pid), '-o', 'command=']);
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Stops a DynamoDB Local that a dead stack left running, if the process with that id still is
 * DynamoDB Local (the id may since have gone to another process). It holds the database files.
 */
async function stopLeftoverDynamoDbLocal(pid: number, notice: (line: string) => void): Promise<void> {
  if (!isRunning(pid) || !(await commandLine(pid))?.includes('DynamoDBLocal')) return;
  notice(`  stopping the DynamoDB Local it left running (pid ${pid})`);
  try {
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 3_000 && isRunning(pid); waited += 100) await sleep(100);
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // it ended meanwhile
  }
}

async function readHolder(lockFile: string): Promise<LockHolder | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return lockSchema.parse(JSON.parse(text));
  } catch {
    // A stack killed between creating the file and writing it leaves it empty.
    return 'unreadable';
  }
}

/**
 * The running process that holds the data directory's lock, or undefined (no lock, an unreadable
 * one, or one left by a process that is gone). It reads only: a command checks it before it
 * changes anything, and `lockDataDirectory` still decides.
 */
export async function runningLockHolder(directory: DataDirectory): Promise<LockHolder | undefined> {
  const holder = await readHolder(directory.lockFile).catch(() => undefined);
  return holder !== undefined && holder !== 'unreadable' && isRunning(holder.pid) ? holder : undefined;
}

/**
 * Takes the data directory for this process: a lock file with the process id, created only if
 * none exists. A lock whose process is still running refuses with `DataDirectoryInUseError`; a
 * lock left by a process that is gone (killed, crashed) is taken over with a notice, and the
 * DynamoDB Local it recorded is stopped if it is still running.
 */
export async function lockDataDirectory(
  directory: DataDirectory,
  notice: (line: string) => void,
): Promise<DataDirectoryLock> {
  let holder: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(directory.lockFile, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o644 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
    }
    const previous = await readHolder(directory.lockFile);
    if (previous === undefined) continue; // released meanwhile
    if (previous !== 'unreadable' && isRunning(previous.pid)) {
      throw new DataDirectoryInUseError(directory.root, previous);
    }
    notice(
      previous === 'unreadable'
        ? `${directory.root} held an unreadable lock file; taking the directory over.`
        : `${directory.root} was left locked by dealreg local pid ${previous.pid} (started ${previous.startedAt}), which is no longer running; taking the directory over.`,
    );
    if (previous !== 'unreadable' && previous.dynamodbPid !== undefined) {
      await stopLeftoverDynamoDbLocal(previous.dynamodbPid, notice);
    }
    await rm(directory.lockFile, { force: true });
  }
  return {
    async recordDynamoDbLocal(pid) {
      holder = { ...holder, dynamodbPid: pid };
      await writeFileAtomically(directory.lockFile, `${JSON.stringify(holder)}\n`);
    },
    async release() {
      const current = await readHolder(directory.lockFile).catch(() => undefined);
      if (current !== undefined && current !== 'unreadable' && current.pid === process.pid) {
        await rm(directory.lockFile, { force: true });
      }
    },
  };
}
