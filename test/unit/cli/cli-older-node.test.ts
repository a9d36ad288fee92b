import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `bin/dealreg.js` run by a Node.js older than the project's engine (>=24), such as a system
// Node.js 20: it runs itself again with the project's Node.js from the `node` npm package.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const olderNode = '/usr/bin/node';
const olderMajor = existsSync(olderNode)
  ? Number(
      spawnSync(olderNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim(),
    )
  : undefined;
const skipReason =
  olderMajor === undefined
    ? `${olderNode} is not installed`
    : olderMajor >= 24
      ? `${olderNode} is Node.js ${olderMajor}, not older than the project's engine`
      : undefined;
if (skipReason !== undefined) console.info(`skipping the older Node.js launcher tests: ${skipReason}`);

/** Each test starts Node.js processes; on a machine busy with other work that can take a while. */
const timeout = 90_000;

function launch(launcher: string, args: readonly string[], input?: string) {
  const result = spawnSync(olderNode, [launcher, ...args], { encoding: 'utf8', input, timeout });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

let project: string;

beforeAll(async () => {
  // A project with the same launcher and package.json engine, whose CLI reports what it was given.
  project = await mkdtemp(join(tmpdir(), 'dealreg-older-node-'));
  await mkdir(join(project, 'bin'));
  await copyFile(join(root, 'bin/dealreg.js'), join(project, 'bin/dealreg.js'));
  await copyFile(join(root, 'package.json'), join(project, 'package.json'));
  await writeFile(
    join(project, 'bin/dealreg.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      'const stdin: string = readFileSync(0, "utf8");',
      'console.log(JSON.stringify({ args: process.argv.slice(2), version: process.version, stdin }));',
      "console.error('to stderr');",
      'process.exitCode = 7;',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  if (project !== undefined) await rm(project, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('dealreg under an older Node.js', () => {
  it(
    "runs the CLI with the project's Node.js 24: --version and a bad argument's exit code 2",
    () => {
      const version = launch(join(root, 'bin/dealreg.js'), ['--version']);
      const bad = launch(join(root, 'bin/dealreg.js'), ['investments', 'import', '/no such dir/x.csv']);

      expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('cannot read /no such dir/x.csv: it does not exist');
    },
    timeout,
  );

  it(
    'passes the arguments, stdin, stdout, stderr and the exit code through',
    async () => {
      await symlink(join(root, 'node_modules'), join(project, 'node_modules'));
      try {
        const result = launch(
          join(project, 'bin/dealreg.js'),
          ['qbr', 'check', 'two words', '--x=""'],
          'piped in',
        );

        expect(result.code).toBe(7);
        expect(result.stderr).toBe('to stderr\n');
        const reported = JSON.parse(result.stdout) as { args: string[]; version: string; stdin: string };
        expect(reported).toEqual({
          args: ['qbr', 'check', 'two words', '--x=""'],
          version: expect.stringMatching(/^v24\./),
          stdin: 'piped in',
        });
      } finally {
        await rm(join(project, 'node_modules'));
      }
    },
    timeout,
  );

  it(
    "exits 2 telling to run npm install when the project's Node.js is not installed",
    () => {
      const result = launch(join(project, 'bin/dealreg.js'), ['--version']);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `dealreg needs Node.js 24 or later and this is Node.js v${spawnSync(olderNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()}; run npm install in ${project} to install the project's Node.js 24 (or put Node.js 24 first on PATH)\n`,
      );
    },
    timeout,
  );
});
