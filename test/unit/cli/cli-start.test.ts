import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const node = join(root, 'node_modules/.bin/node');
const hook = join(root, 'test/support/loaded-modules-hook.ts');
const run = promisify(execFile);
/** Each test starts Node.js processes; on a machine busy with other work that can take a while. */
const timeout = 90_000;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function dealreg(args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(node, ['bin/dealreg.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The modules `dealreg <args>` loaded, as paths relative to the repository. */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const file = join(workDir, `loaded-${args.join('-').replace(/[^a-z-]/g, '')}.txt`);
  await run(node, ['--import', hook, 'bin/dealreg.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOADED_MODULES_FILE: file },
  });
  // node_modules may be a link, so a package is known by its folder name rather than by its place.
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => fileURLToPath(url))
    .map((path) => path.replace(/^.*\/node_modules\//, 'node_modules/').replace(root, ''));
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dealreg-cli-start-'));
});

// Each test runs its own CLI processes, so they run side by side.
describe.concurrent('dealreg start-up', () => {
  it.for([
    [['--help']],
    [['local', '--help']],
    [['ledger', 'verify', '--help']],
    [['qbr', 'check', '--help']],
    [['cosell', 'sync', '--help']],
  ])('%j loads commander and the command declarations only', { timeout }, async ([args = []], { expect }) => {
    const loaded = await modulesLoadedBy(args);

    expect(loaded.filter((path) => path.endsWith('-actions.ts'))).toEqual([]);
    expect(
      loaded.filter(
        (path) =>
          !path.startsWith('node_modules/commander/') && !path.startsWith('bin/') && path !== 'package.json',
      ),
    ).toEqual([]);
  });

  it(
    'lists every command group in --help',
    async ({ expect }) => {
      const { code, stdout } = await dealreg(['--help']);

      expect(code).toBe(0);
      for (const group of ['local', 'hubspot', 'sweep', 'policy', 'ledger', 'investments', 'qbr', 'cosell']) {
        expect(stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
      }
    },
    timeout,
  );

  it(
    "names the HubSpot token --token takes as the app's static access token or a service key, not a legacy private app's",
    async ({ expect }) => {
      const { code, stdout } = await dealreg(['hubspot', 'setup', '--help']);

      expect(code).toBe(0);
      const tokenOption = stdout.slice(stdout.indexOf('--token'), stdout.indexOf('--base-url'));
      expect(tokenOption.replace(/\s+/g, ' ')).toContain(
        "HubSpot access token: the static access token of Dealreg's app (its Auth tab) or a service key (default: HUBSPOT_ACCESS_TOKEN, then the local sandbox)",
      );
      expect(stdout).not.toMatch(/private app/i);
    },
    timeout,
  );

  it(
    'names the policies local may default to in its help: the kept one, the demo policy, and the default with --empty',
    async ({ expect }) => {
      const { code, stdout } = await dealreg(['local', '--help']);

      expect(code).toBe(0);
      const policyOption = stdout.slice(stdout.indexOf('--policy'), stdout.indexOf('--digest-every'));
      expect(policyOption.replace(/\s+/g, ' ')).toContain(
        '(default: the one the data directory ran under before; in a new one policy/demo-policy.json, or policy/default-policy.json with --empty)',
      );
    },
    timeout,
  );

  it(
    'prints the version of package.json',
    async ({ expect }) => {
      const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
        version: string;
      };

      expect(await dealreg(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    },
    timeout,
  );
});

describe.concurrent('dealreg exit codes', () => {
  // No ledger is reached: the arguments are refused first, or the client is never used.
  const ledgerEnvironment = { LEDGER_TABLE: 'Ledger', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' };

  it.for<[string[], string]>([
    [['local', '--port', '70000'], '--port must be a whole number from 0 to 65535'],
    [['local', '--digest-every', 'hourly'], '--digest-every must be an ISO 8601 duration'],
    [['ledger', 'verify', '--workers', '0'], '--workers must be a whole number ≥ 1'],
    [
      ['ledger', 'show', '--opportunity', '1', '--as-of', 'yesterday'],
      '--as-of must be an ISO date or instant such as 2026-09-30T23:59:59Z, got "yesterday"',
    ],
    [
      [
        'ledger',
        'correct',
        '--opportunity',
        '1',
        '--sequence',
        '1',
        '--reason',
        'r',
        '--approver',
        'a',
        '--set',
        'x',
      ],
      '--set expects field=value',
    ],
    [
      ['ledger', 'report', '--quarter', '2026-Q9'],
      '--quarter 2026-Q9: "2026-Q9" is not a quarter such as 2026-Q4',
    ],
    // Refused whether or not --quarter is given: a month no calendar has is never ignored.
    [
      ['ledger', 'report', '--fiscal-year-start', '13'],
      '--fiscal-year-start must be a month from 1 to 12, got "13"',
    ],
    [
      ['ledger', 'report', '--quarter', '2026-Q4', '--fiscal-year-start', '0'],
      '--fiscal-year-start must be a month from 1 to 12, got "0"',
    ],
    [
      ['qbr', 'check', '--quarter', '2026-Q4', '--format', 'csv'],
      '--format csv writes several files: name a directory with --out DIR',
    ],
    [
      ['qbr', 'check', '--quarter', '2026-Q4', '--as-of', 'yesterday'],
      '--as-of must be an ISO date or instant',
    ],
    [
      ['qbr', 'check', '--quarter', '2026-Q4', '--policy', 'no-such-policy.json'],
      'no-such-policy.json: the file does not exist',
    ],
    [['qbr', 'check', '--quarter', '2026-Q9'], 'expected a fiscal quarter such as 2026-Q4, got "2026-Q9"'],
    [['ledger', 'report', '--as-of', 'soon'], '--as-of must be an ISO date or instant'],
    [['ledger', 'report', '--known-at', 'later'], '--known-at must be an ISO date or instant'],
    [
      [
        'ledger',
        'correct',
        '--opportunity',
        '1',
        '--sequence',
        '1',
        '--reason',
        'r',
        '--approver',
        'a',
        '--set',
        'stage=won',
        '--effective-at',
        'today',
      ],
      '--effective-at must be an ISO date or instant',
    ],
    [['ledger', 'verify', '--digest-every', 'daily'], '--digest-every must be an ISO 8601 duration'],
    [['ledger', 'digest', '--digest-every', 'daily'], '--digest-every must be an ISO 8601 duration'],
    [['ledger', 'show', '--opportunity', '1', '--format', 'xml'], 'Allowed choices are json, table'],
    [['ledger', 'show'], "required option '--opportunity <id>' not specified"],
    [['partners', 'list', '--as-of', 'next week'], '--as-of must be an ISO date or instant'],
    [['partners', 'list', '--format', 'xml'], 'Allowed choices are table, json, csv'],
    [['doctor', '--stage', 'Prod!'], '--stage must be a stage name as deployed'],
    [['doctor', '--stage', 'production-eu-west-one'], 'at most 20 lower-case letters'],
    [
      [
        'hubspot',
        'setup',
        '--dry-run',
        '--token',
        'pat',
        '--base-url',
        'http://127.0.0.1:9',
        '--api-url',
        'api',
      ],
      '--api-url: "api" is not a URL',
    ],
    [
      ['doctor', '--stage', 'prod', '--region', 'mars'],
      '--region must be an AWS region such as eu-west-1, got "mars"',
    ],
    [
      ['hubspot', 'project', '--stage', 'prod', '--region', 'eu west 1'],
      '--region must be an AWS region such as eu-west-1, got "eu west 1"',
    ],
    [['no-such-command'], "unknown command 'no-such-command'"],
    [
      ['doctor', '--stage', 'prod', '--region', 'eu-west-1', '--profile', ''],
      '--profile is empty; name an AWS profile',
    ],
    [
      ['hubspot', 'project', '--stage', 'prod', '--region', 'eu-west-1', '--profile', ' '],
      '--profile is empty; name an AWS profile',
    ],
  ])('exits 2 for %j, naming the fix', { timeout }, async ([args, message], { expect }) => {
    const { code, stderr } = await dealreg(args, ledgerEnvironment);

    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it(
    'exits 2 for a policy file that is not a valid policy, naming each problem, wherever a policy is an argument',
    async ({ expect }) => {
      const broken = join(workDir, 'broken-policy.json');
      await writeFile(broken, JSON.stringify({ sla: { reminderHours: -3 } }));

      const outcomes = await Promise.all([
        dealreg(['qbr', 'check', '--quarter', '2026-Q4', '--policy', broken], ledgerEnvironment),
        dealreg(['local', '--policy', broken, '--data-dir', join(workDir, 'never-started')]),
        dealreg(['policy', 'show', broken]),
        dealreg(['policy', 'validate', broken]),
      ]);

      for (const { stderr } of outcomes) {
        expect(stderr).toContain(`broken-policy.json is not a valid policy (1 problem):`);
        expect(stderr).toContain('  - sla.reminderHours must be a positive number of business hours, got -3');
      }
      // Checking the policy is what validate is for: its failing check is 1, like a broken chain.
      expect(outcomes.map(({ code }) => code)).toEqual([2, 2, 2, 1]);
    },
    timeout,
  );

  it(
    'refuses a policy file that sets a key twice wherever a policy is read, naming the key and its lines, writing nothing',
    async ({ expect }) => {
      const repeated = join(workDir, 'repeated-key-policy.json');
      await writeFile(repeated, '{\n  "sla": { "reminderHours": 4 },\n  "sla": { "reminderHours": 8 }\n}\n');
      const page = join(workDir, 'never-written.md');
      const dataDir = join(workDir, 'never-started-repeated');

      const outcomes = await Promise.all([
        dealreg(['policy', 'validate', repeated]),
        dealreg(['policy', 'show', repeated, '--out', page]),
        dealreg(['local', '--policy', repeated, '--data-dir', dataDir]),
        dealreg(['hubspot', 'setup', '--dry-run', '--policy', repeated], {
          HUBSPOT_ACCESS_TOKEN: 'not-used',
          HUBSPOT_BASE_URL: 'http://127.0.0.1:9',
        }),
        dealreg(['cosell', 'sync', '--policy', repeated], ledgerEnvironment),
      ]);

      for (const { stdout, stderr } of outcomes) {
        expect(stderr).toBe(
          [
            `dealreg: ${repeated} is not a valid policy (1 problem):`,
            '  - sla is set twice in one object (lines 2 and 3): keep one; JSON would silently use only the last',
            '',
          ].join('\n'),
        );
        expect(stdout).toBe('');
      }
      // Checking the policy is what validate is for: its failing check is 1, like a broken chain.
      expect(outcomes.map(({ code }) => code)).toEqual([1, 2, 2, 2, 2]);
      await expect(readFile(page)).rejects.toThrow(/ENOENT/);
      await expect(readFile(join(dataDir, 'local.json'))).rejects.toThrow(/ENOENT/);
    },
    timeout,
  );

  it(
    'exits 2 naming the fix when --data-dir is a file or its local.json a directory or not JSON, never an errno',
    async ({ expect }) => {
      const aFile = join(workDir, 'data-dir-is-a-file');
      await writeFile(aFile, '');
      const withDirectory = join(workDir, 'local-json-is-a-directory');
      await mkdir(join(withDirectory, 'local.json'), { recursive: true });
      const withGarbage = join(workDir, 'local-json-is-not-json');
      await mkdir(withGarbage, { recursive: true });
      await writeFile(join(withGarbage, 'local.json'), '{"api": 3');
      const local = {
        LEDGER_TABLE: '',
        REGISTRATIONS_TABLE: '',
        HUBSPOT_ACCESS_TOKEN: '',
        DYNAMODB_ENDPOINT: '',
      };
      const commands = [
        ['partners', 'list', '--no-hubspot'],
        ['cosell', 'status'],
        ['cosell', 'sync'],
        ['sweep'],
        ['hubspot', 'setup', '--dry-run'],
        ['hubspot', 'project', '--out', join(workDir, 'hubspot-project-not-written')],
        ['ledger', 'export', '--out', join(workDir, 'export-not-written.jsonl')],
        ['ledger', 'digest'],
        ['qbr', 'due'],
      ];

      const [notADirectory, aDirectory, notJson] = await Promise.all(
        [aFile, withDirectory, withGarbage].map((dataDir) =>
          Promise.all(commands.map((command) => dealreg([...command, '--data-dir', dataDir], local))),
        ),
      );

      for (const { code, stderr } of notADirectory ?? []) {
        expect(stderr).toBe(
          `dealreg: cannot read ${join(aFile, 'local.json')}: a part of the path is a file, not a directory; --data-dir names the directory the local stack keeps its data in (default .dealreg)\n`,
        );
        expect(code).toBe(2);
      }
      for (const { code, stderr } of aDirectory ?? []) {
        expect(stderr).toBe(
          `dealreg: cannot read ${join(withDirectory, 'local.json')}: it is a directory, not the file the local stack writes; remove it, or name the data directory of a local stack with --data-dir\n`,
        );
        expect(code).toBe(2);
      }
      for (const { code, stderr } of notJson ?? []) {
        expect(stderr).toBe(
          `dealreg: ${join(withGarbage, 'local.json')} is not JSON; restart the local stack (npx dealreg local), which writes it\n`,
        );
        expect(code).toBe(2);
      }
      await expect(readFile(join(workDir, 'export-not-written.jsonl'))).rejects.toThrow(/ENOENT/);
      await expect(readFile(join(workDir, 'hubspot-project-not-written'))).rejects.toThrow(/ENOENT/);
    },
    timeout,
  );

  it.for<[string[], string]>([
    [['policy', 'validate', '--bogus'], "unknown option '--bogus'"],
    [
      ['policy', 'validate', 'a.json', 'b.json'],
      "too many arguments for 'validate'. Expected 1 argument but got 2.",
    ],
    [['doctor'], "required option '--stage <stage>' not specified"],
    [['cosell', 'status', '--registration'], "option '--registration <id>' argument missing"],
    [
      ['partners', 'list', '--format', 'xml'],
      "option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, csv.",
    ],
    [['hubspot', 'nope'], "unknown command 'nope'"],
  ])(
    'prefixes the error commander finds in %j with dealreg:, as every other error, then shows the help',
    { timeout },
    async ([args, message], { expect }) => {
      const { code, stderr } = await dealreg(args);

      expect(stderr.startsWith(`dealreg: ${message}\n`)).toBe(true);
      expect(stderr).toContain('\nUsage: dealreg ');
      expect(code).toBe(2);
    },
  );

  it.for<[string[], string]>([
    [['policy', 'validate', ''], 'dealreg: the policy file name is empty; name a policy JSON file'],
    [['policy', 'show', ''], 'dealreg: the policy file name is empty; name a policy JSON file'],
    [['local', '--policy', ''], 'dealreg: the policy file name is empty; name a policy JSON file'],
    [['cosell', 'sync', '--policy', ''], 'dealreg: the policy file name is empty; name a policy JSON file'],
    [
      ['partners', 'list', '--no-hubspot', '--out', ''],
      'dealreg: --out is empty; name a new file to write the list to',
    ],
    [
      ['sweep', '--form', ' '],
      "dealreg: --form is empty; name a form's GUID, or leave --form out to sweep every form",
    ],
    [
      ['hubspot', 'project', '--api-url', 'https://dealreg.example.com', '--out', ''],
      'dealreg: --out is empty; name the build directory to write the project to',
    ],
  ])(
    'refuses the empty file name in %j as such, not as the working directory (exit 2)',
    { timeout },
    async ([args, message], { expect }) => {
      const { code, stderr } = await dealreg(args, ledgerEnvironment);

      expect(stderr.startsWith(message)).toBe(true);
      expect(code).toBe(2);
    },
  );

  it(
    'names an --out whose path runs through a file in words, not an errno (exit 2)',
    async ({ expect }) => {
      const aFile = join(workDir, 'out-parent-is-a-file');
      await writeFile(aFile, '');
      const { code, stderr } = await dealreg(
        ['partners', 'list', '--no-hubspot', '--out', join(aFile, 'partners.csv')],
        ledgerEnvironment,
      );

      expect(stderr).toBe(
        `dealreg: cannot write ${join(aFile, 'partners.csv')}: a part of the path is a file, not a folder; name a new file with --out\n`,
      );
      expect(code).toBe(2);
    },
    timeout,
  );

  it(
    'says an --out that is a directory is a directory, not that it already exists (exit 2)',
    async ({ expect }) => {
      const { code, stderr } = await dealreg(
        ['partners', 'list', '--no-hubspot', '--out', workDir],
        ledgerEnvironment,
      );

      expect(stderr).toBe(
        `dealreg: cannot write ${workDir}: it is a directory; name a new file with --out\n`,
      );
      expect(code).toBe(2);
    },
    timeout,
  );

  it(
    'says a local.json without the local API is not a running stack, rather than that it is missing',
    async ({ expect }) => {
      const dataDir = join(workDir, 'local-json-without-api');
      await mkdir(dataDir, { recursive: true });
      await writeFile(
        join(dataDir, 'local.json'),
        JSON.stringify({ dynamodb: { endpoint: 'http://127.0.0.1:9' } }),
      );
      const { code, stderr } = await dealreg(['sweep', '--data-dir', dataDir]);

      expect(stderr).toBe(
        `dealreg: ${dataDir}/local.json names no local API (api): restart the local stack from this checkout (npx dealreg local)\n`,
      );
      expect(code).toBe(2);
    },
    timeout,
  );

  it(
    'exits 2 when nothing says where the ledger, HubSpot or the local stack is, naming the setting',
    async ({ expect }) => {
      const empty = join(workDir, 'no-stack');
      const none = {
        LEDGER_TABLE: '',
        REGISTRATIONS_TABLE: '',
        DYNAMODB_ENDPOINT: '',
        HUBSPOT_ACCESS_TOKEN: '',
      };

      const [ledger, hubspot, sweep] = await Promise.all([
        dealreg(['ledger', 'show', '--opportunity', '1', '--data-dir', empty], none),
        dealreg(['hubspot', 'setup', '--data-dir', empty], none),
        dealreg(['sweep', '--data-dir', empty], none),
      ]);

      expect(ledger).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('no ledger to connect to: set LEDGER_TABLE'),
      });
      expect(hubspot).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('no HubSpot access token: pass --token'),
      });
      expect(sweep).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('start it with `npx dealreg local`'),
      });
    },
    timeout,
  );

  it(
    'exits 3, saying which service did not answer and what to start, when DynamoDB cannot be reached',
    async ({ expect }) => {
      const { code, stderr } = await dealreg(['ledger', 'show', '--opportunity', '1', '--no-hubspot'], {
        ...ledgerEnvironment,
        AWS_MAX_ATTEMPTS: '1',
      });

      expect(stderr).toBe(
        'dealreg: could not reach 127.0.0.1:9 (ECONNREFUSED): start the local stack (npx dealreg local) or check the endpoint settings (local.json, DYNAMODB_ENDPOINT, HUBSPOT_BASE_URL) and the network\n',
      );
      expect(code).toBe(3);
    },
    timeout,
  );

  it(
    'exits 2 when ledger export would overwrite a file, saying so in words',
    async ({ expect }) => {
      const existing = join(workDir, 'existing.jsonl');
      await writeFile(existing, 'kept\n');

      const { code, stderr } = await dealreg(['ledger', 'export', '--out', existing], ledgerEnvironment);

      expect(stderr).toBe(
        `dealreg: cannot use ${existing}: it already exists; export never overwrites: choose a new --out file\n`,
      );
      expect(code).toBe(2);
      expect(await readFile(existing, 'utf8')).toBe('kept\n');
    },
    timeout,
  );

  it(
    'exits 2 for files that do not exist, naming the file',
    async ({ expect }) => {
      const missing = join(workDir, 'missing.csv');

      const imported = await dealreg(['investments', 'import', missing], ledgerEnvironment);
      const verified = await dealreg(['ledger', 'verify', '--file', missing], ledgerEnvironment);

      expect(imported.stderr).toContain(`cannot read ${missing}: it does not exist`);
      expect(imported.code).toBe(2);
      expect(verified.stderr).toContain(`cannot use ${missing}: it does not exist`);
      expect(verified.code).toBe(2);
    },
    timeout,
  );
});
