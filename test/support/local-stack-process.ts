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
  /** Sends a signal and resolves with the exit code (null when the signal ended it). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has ended, whatever ended it. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs `dealreg local` as a user would (a separate process, the CLI entry point) with its own
 * data directory (or `dataDir`, to start again on one kept by an earlier run), and waits for the
 * `Press Ctrl-C` line printed after its settings and the demo story (when it tells one).
 */
export async function startLocalStackProcess(
  args: readonly string[] = ['--empty'],
  options: { readonly dataDir?: string } = {},
): Promise<LocalStackProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'dealreg-local-')));
  const child = spawn(process.execPath, ['bin/dealreg.ts', 'local', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    // The demo plays a quarter on the virtual clock: minutes on a busy machine.
    const timer = setTimeout(
      () => reject(new Error(`dealreg local did not get ready:\n${output}`)),
      args.includes('--empty') ? 90_000 : 600_000,
    );
    // The last line it prints once ready, after the settings and the demo's story (a resumed or
    // empty run tells none): the `ready` line alone may come in a chunk before the settings.
    const readyLine = /Press Ctrl-C/;
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
    exited,
    interrupt: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
