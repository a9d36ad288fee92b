import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import packageJson from '../../../package.json' with { type: 'json' };

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
/** These tests start npm and Node.js processes; on a machine busy with other work that can take a while. */
const timeout = 120_000;

describe('npx dealreg', () => {
  it('is a link in node_modules/.bin to the CLI, made by the postinstall script', async () => {
    expect(packageJson.scripts.postinstall).toBe('node bin/link-command.js');
    // npx self-executes a project that declares its own bin, installing it into its cache first.
    expect(packageJson).not.toHaveProperty('bin');
    // Relative, so it points at this checkout's CLI wherever node_modules is (a linked one too).
    expect(await readlink(join(root, 'node_modules/.bin/dealreg'))).toBe('../../bin/dealreg.js');
  });

  it(
    'runs the CLI from the project directory',
    async () => {
      const { stdout } = await run('npx', ['dealreg', '--version'], { cwd: root });
      expect(stdout.trim()).toBe(packageJson.version);
    },
    timeout,
  );

  it(
    'link-command replaces a stale link and makes node_modules/.bin when it is missing',
    async () => {
      const project = await mkdtemp(join(tmpdir(), 'dealreg-link-command-'));
      await mkdir(join(project, 'bin'));
      await copyFile(join(root, 'bin/link-command.js'), join(project, 'bin/link-command.js'));
      await copyFile(join(root, 'bin/dealreg.js'), join(project, 'bin/dealreg.js'));
      await run(process.execPath, [join(project, 'bin/link-command.js')]);
      const first = await readlink(join(project, 'node_modules/.bin/dealreg'));
      await rm(join(project, 'node_modules/.bin/dealreg'));
      await symlink('../elsewhere.js', join(project, 'node_modules/.bin/dealreg'));
      await run(process.execPath, [join(project, 'bin/link-command.js')]);

      expect(first).toBe('../../bin/dealreg.js');
      expect(await readlink(join(project, 'node_modules/.bin/dealreg'))).toBe('../../bin/dealreg.js');
    },
    timeout,
  );
});
