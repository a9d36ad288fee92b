import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const node = join(root, 'node_modules/.bin/node');
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `dealreg` CLI as a user would and returns its exit code and output. */
async function dealreg(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(node, ['bin/dealreg.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let workDir: string;
let defaultVersion: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dealreg-policy-cli-'));
  defaultVersion = loadPolicy(await readFile(join(root, 'policy/default-policy.json'), 'utf8')).policyVersion;
});

// Each test starts its own CLI process and uses its own files, so they run side by side.
describe.concurrent('dealreg policy validate', () => {
  it('accepts the default policy and prints its version', async ({ expect }) => {
    const outcome = await dealreg('policy', 'validate');
    expect(outcome).toEqual({
      code: 0,
      stdout: `policy/default-policy.json is a valid policy, version ${defaultVersion}.\n`,
      stderr: '',
    });
  });

  it('lists every problem of an invalid policy, prefixed as the other errors of the CLI, and exits non-zero', async ({
    expect,
  }) => {
    const file = join(workDir, 'broken.json');
    await writeFile(
      file,
      JSON.stringify({ sla: { reminderHours: -3 }, calendar: { timeZone: 'Mars/Olympus' } }),
    );
    const outcome = await dealreg('policy', 'validate', file);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toBe(
      [
        `dealreg: ${file} is not a valid policy (2 problems):`,
        '  - sla.reminderHours must be a positive number of business hours, got -3',
        '  - calendar.timeZone must be an IANA time zone such as America/New_York or Europe/Berlin, got "Mars/Olympus"',
        '',
      ].join('\n'),
    );
  });

  it('refuses a submittedAt tolerance that would not cover the backfill, saying why', async ({ expect }) => {
    const file = join(workDir, 'no-tolerance.json');
    await writeFile(file, JSON.stringify({ intake: { submittedAtToleranceHours: 0 } }));
    const outcome = await dealreg('policy', 'validate', file);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(
      'intake.submittedAtToleranceHours must be a whole number of hours from 1 to 720 (at least 1: the backfill can take about 35 minutes to take in a submission whose webhook was lost), got 0',
    );
  });

  it('refuses a policy file saved as Latin-1 instead of reading it with replacement characters (exit 1)', async ({
    expect,
  }) => {
    const file = join(workDir, 'latin1.json');
    await writeFile(file, Buffer.from('{"programName": "Partnerprogramm M\u00fcnchen"}', 'latin1'));
    const outcome = await dealreg('policy', 'validate', file);
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: `dealreg: ${file} is not a valid policy (1 problem):\n  - The policy is not UTF-8 text (byte 0xFC on line 1, column 35): save the file as UTF-8\n`,
    });
  });

  it('says a YAML policy file is not read, rather than only that it is not JSON (exit 1)', async ({
    expect,
  }) => {
    const file = join(workDir, 'policy.yaml');
    await writeFile(file, 'programName: Northwind\nsla:\n  reminderHours: 8\n');
    const outcome = await dealreg('policy', 'validate', file);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(
      `dealreg: ${file} is not a valid policy (1 problem):\n  - The policy is YAML, which Dealreg does not read: write it as JSON (policy/example-policy.json shows how)\n`,
    );
    // JSON is YAML too: a .yaml file that holds JSON is read.
    const json = join(workDir, 'json-policy.yml');
    await writeFile(json, '{"programName": "Northwind"}');
    expect((await dealreg('policy', 'validate', json)).code).toBe(0);
  });

  it('takes the file as --policy FILE too, as the other commands do, but not twice', async ({ expect }) => {
    const example = join(root, 'policy/example-policy.json');
    const version = loadPolicy(await readFile(example, 'utf8')).policyVersion;
    const validated = await dealreg('policy', 'validate', '--policy', 'policy/example-policy.json');
    expect(validated).toEqual({
      code: 0,
      stdout: `policy/example-policy.json is a valid policy, version ${version}.\n`,
      stderr: '',
    });
    const shown = await dealreg('policy', 'show', '--policy', 'policy/example-policy.json');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Policy version \`${version}\``);

    const both = await dealreg(
      'policy',
      'validate',
      'policy/default-policy.json',
      '--policy',
      'policy/example-policy.json',
    );
    expect(both).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'dealreg: both FILE (policy/default-policy.json) and --policy (policy/example-policy.json) name a policy; give one\n',
    });
  });

  it('names a file that does not exist as a bad argument (exit 2)', async ({ expect }) => {
    const outcome = await dealreg('policy', 'validate', join(workDir, 'missing.json'));
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('missing.json: the file does not exist; name a policy JSON file');
  });

  it('names a directory given as the policy file in words, not an errno (exit 2)', async ({ expect }) => {
    const outcome = await dealreg('policy', 'validate', workDir);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(
      `dealreg: cannot read policy file ${workDir}: it is a directory; name a policy JSON file in it\n`,
    );
  });
});

describe.concurrent('dealreg policy show', () => {
  it('writes the HTML rules of engagement, stamped with the version', async ({ expect }) => {
    const out = join(workDir, 'rules.html');
    const outcome = await dealreg('policy', 'show', '--format', 'html', '--out', out);
    expect(outcome.code).toBe(0);
    const page = await readFile(out, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<code>${defaultVersion}</code>`);
    expect(page).toContain('<h2>How conflicts are resolved</h2>');
  });

  it('prints Markdown of a named policy file to standard output', async ({ expect }) => {
    const outcome = await dealreg('policy', 'show', 'policy/example-policy.json');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^# Northwind Cloud Partner Program: rules of engagement\n/);
  });

  it('writes nothing for an invalid policy, a bad file argument (exit 2)', async ({ expect }) => {
    const file = join(workDir, 'invalid.json');
    const out = join(workDir, 'never.md');
    await writeFile(file, '{"validity": {"days": 0}}');
    const outcome = await dealreg('policy', 'show', file, '--out', out);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('validity.days must be a whole number of days, at least 1, got 0');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --out that is the policy file itself, and leaves the policy as it was (exit 2)', async ({
    expect,
  }) => {
    const file = join(workDir, 'own-policy.json');
    await writeFile(file, '{}');
    const outcome = await dealreg('policy', 'show', file, '--out', join(workDir, '.', 'own-policy.json'));
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(
      `dealreg: --out ${join(workDir, 'own-policy.json')} is the policy file itself; name another file for the page\n`,
    );
    expect(await readFile(file, 'utf8')).toBe('{}');
  });

  it('refuses an --out in a directory that does not exist (exit 2), naming the fix', async ({ expect }) => {
    const outcome = await dealreg('policy', 'show', '--out', join(workDir, 'no-such-dir', 'rules.md'));
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/no-such-dir does not exist; create it or choose another --out\n$/);
  });

  it('refuses an empty --out instead of taking it for the working directory (exit 2)', async ({ expect }) => {
    const outcome = await dealreg('policy', 'show', '--out', '');
    expect(outcome).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dealreg: --out is empty; name the file to write the page to, or leave --out out\n',
    });
  });

  it('says an empty policy file is empty (exit 1 under validate)', async ({ expect }) => {
    const file = join(workDir, 'empty.json');
    await writeFile(file, '');
    const outcome = await dealreg('policy', 'validate', file);
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: `dealreg: ${file} is not a valid policy (1 problem):\n  - The policy is empty: write a JSON object of settings ({} is the default policy)\n`,
    });
  });

  it('names an --out whose path runs through a file, not the temporary file it tried (exit 2)', async ({
    expect,
  }) => {
    const aFile = join(workDir, 'not-a-directory');
    await writeFile(aFile, '');
    const outcome = await dealreg('policy', 'show', '--out', join(aFile, 'rules.md'));
    expect(outcome).toEqual({
      code: 2,
      stdout: '',
      stderr: `dealreg: cannot write ${join(aFile, 'rules.md')}: a part of the path is a file, not a directory; choose another --out\n`,
    });
  });

  it('refuses an unknown format', async ({ expect }) => {
    const outcome = await dealreg('policy', 'show', '--format', 'pdf');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("argument 'pdf' is invalid. Allowed choices are markdown, html.");
  });
});
