import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { project } from '#bin/commands/hubspot-actions.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const node = join(root, 'node_modules/.bin/node');
const run = promisify(execFile);
/** Each test starts a Node.js process; on a machine busy with other work that can take a while. */
const timeout = 90_000;

// CloudFormation has no local emulator: the client is mocked at the SDK boundary.
const cloudFormation = mockClient(CloudFormationClient);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dealreg-hubspot-project-cli-'));
});

afterEach(() => {
  cloudFormation.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function dealreg(args: readonly string[]) {
  try {
    const { stdout, stderr } = await run(node, ['bin/dealreg.ts', ...args], { cwd: root, env: process.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function targetUrlIn(out: string): Promise<string> {
  const meta = JSON.parse(await readFile(join(out, 'src/app/webhooks/webhooks-hsmeta.json'), 'utf8')) as {
    config: { settings: { targetUrl: string } };
  };
  return meta.config.settings.targetUrl;
}

function stackWithOutputs(outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: 'Dealreg-prod-Stateless',
        StackStatus: 'UPDATE_COMPLETE' as const,
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

/** No AWS credentials anywhere the default chain looks (environment, shared files, EC2/ECS). */
function stubNoAwsCredentials(): void {
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ]) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_CONFIG_FILE', join(workDir, 'no-config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(workDir, 'no-credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

describe('dealreg hubspot project --stage', () => {
  beforeEach(() => {
    // The caller's credentials; CloudFormation itself is mocked.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  });

  it("fills the app with the API URL the stage's stateless stack outputs", async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateless' })
      .resolves(stackWithOutputs({ ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/' }));
    const out = join(workDir, 'from-stage');

    await project({ stage: 'prod', region: 'eu-west-1', out, dataDir: join(workDir, 'no-local') });

    expect(await targetUrlIn(out)).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/hubspot/crm-events',
    );
  });

  it('takes the URL from the CRM-events webhook output of a stack deployed before ApiUrl existed', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    cloudFormation.on(DescribeStacksCommand).resolves(
      stackWithOutputs({
        CrmEventsWebhookUrl0A1B2C3D:
          'https://old456.execute-api.eu-west-1.amazonaws.com/prod/hubspot/crm-events',
      }),
    );
    const out = join(workDir, 'from-older-stage');

    await project({ stage: 'prod', region: 'eu-west-1', out, dataDir: join(workDir, 'no-local') });

    expect(await targetUrlIn(out)).toBe(
      'https://old456.execute-api.eu-west-1.amazonaws.com/prod/hubspot/crm-events',
    );
  });

  it('names the stack and region when the stage is not deployed, and writes nothing', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id Dealreg-prod-Stateless does not exist'), {
        name: 'ValidationError',
      }),
    );
    const out = join(workDir, 'not-deployed');

    await expect(
      project({ stage: 'prod', region: 'eu-west-1', out, dataDir: join(workDir, 'no-local') }),
    ).rejects.toThrow(/stack Dealreg-prod-Stateless is not deployed in eu-west-1/);
    await expect(readFile(join(out, 'hsproject.json'))).rejects.toThrow(/ENOENT/);
  });

  it('names a --profile the AWS files do not hold, before asking AWS anything, and writes nothing', async () => {
    const config = join(workDir, 'aws-config');
    await writeFile(config, '[default]\nregion = eu-west-1\n\n[profile admin]\nregion = eu-west-1\n');
    vi.stubEnv('AWS_CONFIG_FILE', config);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(workDir, 'no-credentials'));
    vi.stubEnv('AWS_PROFILE', '');
    const out = join(workDir, 'unknown-profile');

    await expect(
      project({ stage: 'prod', profile: 'nosuch', out, dataDir: join(workDir, 'no-local') }),
    ).rejects.toThrow(/--profile nosuch: no AWS profile "nosuch"; the profiles in .* are admin, default$/);
    expect(cloudFormation.calls()).toHaveLength(0);
    await expect(readFile(join(out, 'hsproject.json'))).rejects.toThrow(/ENOENT/);
  });

  it('without AWS credentials says once how to give them, asks AWS nothing and writes nothing', async () => {
    stubNoAwsCredentials();
    const out = join(workDir, 'no-credentials-out');

    const failure = project({ stage: 'prod', region: 'eu-west-1', out, dataDir: join(workDir, 'no-local') });

    await expect(failure).rejects.toMatchObject({ name: 'UsageError' });
    await expect(failure).rejects.toThrow(
      /^no AWS credentials \(.*\): dealreg hubspot project reads the API URL of stage prod from CloudFormation with them \(or pass --api-url\)\. Pass --profile NAME or set AWS_PROFILE .* or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(cloudFormation.calls()).toHaveLength(0);
    await expect(readFile(join(out, 'hsproject.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('dealreg hubspot project --api-url', () => {
  it('names the placeholder of hubspot/, or any URL at a domain reserved for examples, and writes nothing', async () => {
    for (const apiUrl of ['https://dealreg-api.example.com', 'https://api.yourco.test/prod/']) {
      const out = join(workDir, 'placeholder-url');

      const failure = project({ apiUrl, out, dataDir: join(workDir, 'no-local') });

      await expect(failure).rejects.toMatchObject({ name: 'UsageError' });
      await expect(failure).rejects.toThrow(
        /^--api-url: https:\/\/\S+ is a placeholder \(\S+ is a domain reserved for examples, RFC 2606\): pass your deployed API's URL, the ApiUrl output/,
      );
      await expect(readFile(join(out, 'hsproject.json'))).rejects.toThrow(/ENOENT/);
    }
  });
});

describe('dealreg hubspot project (command line)', () => {
  it(
    "builds from the running local stack's API URL and says HubSpot cannot reach it",
    async () => {
      const dataDir = join(workDir, 'local-data');
      await run('mkdir', ['-p', dataDir]);
      await writeFile(join(dataDir, 'local.json'), JSON.stringify({ api: 'http://127.0.0.1:4510' }));
      const out = join(workDir, 'from-local');

      const result = await dealreg(['hubspot', 'project', '--data-dir', dataDir, '--out', out]);

      expect(result.code, result.stderr).toBe(0);
      expect(await targetUrlIn(out)).toBe('http://127.0.0.1:4510/hubspot/crm-events');
      expect(result.stdout).toContain('HubSpot cannot reach http://127.0.0.1:4510 on this machine');
      // @hubspot/cli has two commands (hs, hscms), none named after the package: npx needs -p and the
      // command's name ("npm exec", npm Docs), or it stops with "could not determine executable to run".
      expect(result.stdout).toContain(`cd ${out} && npx -p @hubspot/cli hs project upload`);
      expect(result.stdout).toContain('`npx -p @hubspot/cli hs account auth`');
      expect(result.stdout).not.toMatch(/npx @hubspot\/cli /);
    },
    timeout,
  );

  it(
    'exits 2 with a sentence for an API URL HubSpot cannot call, and for a stage together with a URL',
    async () => {
      const out = join(workDir, 'refused');

      const insecure = await dealreg([
        'hubspot',
        'project',
        '--api-url',
        'http://dealreg.example.com',
        '--out',
        out,
      ]);
      const both = await dealreg([
        'hubspot',
        'project',
        '--stage',
        'prod',
        '--api-url',
        'https://dealreg.example.com',
        '--out',
        out,
      ]);

      expect(insecure.code).toBe(2);
      expect(insecure.stderr).toContain('--api-url: http://dealreg.example.com is not an HTTPS URL');
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("option '--stage <stage>' cannot be used with option '--api-url <url>'");
      await expect(readFile(join(out, 'hsproject.json'))).rejects.toThrow(/ENOENT/);
    },
    timeout,
  );
});
