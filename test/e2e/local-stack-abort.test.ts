import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '#local/stack.ts';

/** The commands of this process's children that are still running. */
function children(): string[] {
  try {
    return execFileSync('ps', ['--ppid', String(process.pid), '-o', 'comm='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && line !== 'ps');
  } catch {
    return []; // ps exits 1 when there is none
  }
}

describe('starting the local stack', () => {
  it('stops what it had started and rejects when its start is aborted (Ctrl-C during start-up)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dealreg-abort-'));
    const controller = new AbortController();
    controller.abort(new Error('stopped by SIGINT'));

    await expect(startLocalStack({ dataDir, demoData: false, signal: controller.signal })).rejects.toThrow(
      'stopped by SIGINT',
    );

    expect(existsSync(join(dataDir, 'local.json'))).toBe(false);
    // DynamoDB Local (java) was started first and is stopped again.
    await expect.poll(children, { timeout: 5_000 }).not.toContain('java');
  }, 90_000);
});
