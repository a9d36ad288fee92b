import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStackDescription } from '#local/stack.ts';

export interface LocalStackProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly description: LocalStackDescription;
  readonly output: () => string;
  /** Sends Ctrl-C and resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/**
 * Runs `dealreg local` as a user would (a separate process, the CLI entry point) with its own
 * data directory, and waits for the `ready` line.
 */
export async function startLocalStackProcess(
  args: readonly string[] = ['--empty'],
): Promise<LocalStackProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dealreg-local-'));
  const child = spawn(process.execPath, ['bin/dealreg.ts', 'local', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dealreg local did not get ready:\n${output}`)), 60_000);
    // With the demo, wait until it has told its story too.
    const readyLine = args.includes('--empty') ? /ready/ : /Press Ctrl-C/;
    const check = () => {
      if (readyLine.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dealreg local exited with ${code}:\n${output}`));
    });
  });
  const description = JSON.parse(
    await readFile(join(dataDir, 'local.json'), 'utf8'),
  ) as LocalStackDescription;
  return {
    child,
    dataDir,
    description,
    output: () => output,
    interrupt: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}
