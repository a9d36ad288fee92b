import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup } from '#bin/commands/hubspot-actions.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from './sandbox.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
/** Each CLI test starts a Node.js process; on a machine busy with other work that can take a while. */
const timeout = 60_000;

/** Runs the `dealreg` CLI; resolves with exit code and output instead of throwing on failure. */
async function dealreg(args: string[]) {
  try {
    const { stdout, stderr } = await run(node, [join(root, 'bin', 'dealreg.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

// CloudFormation has no local emulator: the client is mocked at the SDK boundary. HubSpot is the sandbox.
const cloudFormation = mockClient(CloudFormationClient);
let under: SandboxUnderTest;
let workDir: string;

beforeAll(async () => {
  under = await startSandboxUnderTest();
  workDir = await mkdtemp(join(tmpdir(), 'dealreg-hubspot-setup-'));
});

afterEach(() => {
  cloudFormation.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

afterAll(async () => {
  await under?.stop();
  await rm(workDir, { recursive: true, force: true });
});

function sandboxOptions(portal: SandboxUnderTest = under) {
  return {
    token: portal.sandbox.accessToken,
    baseUrl: portal.sandbox.url,
    dataDir: join(workDir, 'no-local'),
  };
}

/** What `setup` printed to standard output. */
function capturedLog(): () => string {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  return () => log.mock.calls.map((call) => call.join(' ')).join('\n');
}

describe('dealreg hubspot setup --stage', () => {
  beforeEach(() => {
    // The caller's credentials; CloudFormation itself is mocked.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  });

  it("prints the manual settings with the stage's API URL", async () => {
    const output = capturedLog();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateless' }).resolves({
      Stacks: [
        {
          StackName: 'Dealreg-prod-Stateless',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-11-01T00:00:00Z'),
          Outputs: [
            { OutputKey: 'ApiUrl', OutputValue: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/' },
          ],
        },
      ],
    });

    await setup({ ...sandboxOptions(), stage: 'prod', region: 'eu-west-1', dryRun: true });

    const printed = output();
    expect(printed).toContain(
      'URL: https://abc123.execute-api.eu-west-1.amazonaws.com/prod/hubspot/form-submissions',
    );
    expect(printed).toContain(
      'webhook target: https://abc123.execute-api.eu-west-1.amazonaws.com/prod/hubspot/crm-events',
    );
    expect(printed).not.toContain('<your Dealreg API URL>');
    expect(printed).toContain('build:   npx dealreg hubspot project --stage prod\n');
  });

  it('names the stack and region when the stage is not deployed, before touching the portal', async () => {
    capturedLog();
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id Dealreg-prod-Stateless does not exist'), {
        name: 'ValidationError',
      }),
    );
    const portal = await startSandboxUnderTest();
    try {
      await expect(setup({ ...sandboxOptions(portal), stage: 'prod', region: 'eu-west-1' })).rejects.toThrow(
        /stack Dealreg-prod-Stateless is not deployed in eu-west-1/,
      );
      expect((await portal.admin.listSchemas()).length).toBe(0);
    } finally {
      await portal.stop();
    }
  });

  it(
    'exits 2 for a stage together with a URL, and for --region without a stage',
    async () => {
      const options = ['--token', under.sandbox.accessToken, '--base-url', under.sandbox.url];

      const both = await dealreg([
        'hubspot',
        'setup',
        '--dry-run',
        '--stage',
        'prod',
        '--api-url',
        'https://api.yourco.com',
        ...options,
      ]);
      const regionAlone = await dealreg([
        'hubspot',
        'setup',
        '--dry-run',
        '--region',
        'eu-west-1',
        ...options,
      ]);

      expect(both.code).toBe(2);
      expect(both.stderr).toContain("option '--stage <stage>' cannot be used with option '--api-url <url>'");
      expect(regionAlone.code).toBe(2);
      expect(regionAlone.stderr).toContain(
        '--region and --profile say where a stage is deployed; pass --stage with them',
      );
    },
    timeout,
  );
});

describe('dealreg hubspot setup --api-url', () => {
  it('refuses the placeholder of hubspot/ (a domain reserved for examples) and touches nothing', async () => {
    capturedLog();
    const portal = await startSandboxUnderTest();
    try {
      await expect(
        setup({ ...sandboxOptions(portal), apiUrl: 'https://dealreg-api.example.com' }),
      ).rejects.toThrow(
        '--api-url: https://dealreg-api.example.com is a placeholder (dealreg-api.example.com is a domain reserved for examples, RFC 2606)',
      );
      expect(await portal.admin.listSchemas()).toEqual([]);
    } finally {
      await portal.stop();
    }
  });

  it('without a stage, a URL or a local stack, says how to print the settings with the real URL', async () => {
    const output = capturedLog();

    await setup({ ...sandboxOptions(), dryRun: true });

    expect(output()).toContain(
      "(No API URL: run setup again with --stage NAME, or --api-url, to print these with your deployed API's URL.)",
    );
  });
});

describe('dealreg hubspot setup beside a local stack', () => {
  it("prints the local stack's API URL for its own sandbox only, not for another portal's token", async () => {
    const dataDir = await mkdtemp(join(workDir, 'local-'));
    await writeFile(
      join(dataDir, 'local.json'),
      JSON.stringify({
        api: 'http://127.0.0.1:4510',
        hubspot: { url: 'http://127.0.0.1:4599', accessToken: 'pat-local', portalId: 1234567 },
      }),
    );
    const output = capturedLog();

    await setup({ ...sandboxOptions(), dataDir, dryRun: true });

    expect(output()).not.toContain('http://127.0.0.1:4510');
    expect(output()).toContain('(No API URL: run setup again with --stage NAME, or --api-url');
  });
});

describe("dealreg hubspot setup of the local stack's sandbox", () => {
  it('checks the policy that stack runs, not the default one, and says which it checked', async () => {
    const portal = await startSandboxUnderTest();
    const dataDir = await mkdtemp(join(workDir, 'local-policy-'));
    const policyFile = join(dataDir, 'stack-policy.json');
    await writeFile(
      policyFile,
      JSON.stringify({
        definitions: { croView: { dealProperty: 'lead_source_category', partnerValues: ['Partner'] } },
      }),
    );
    await writeFile(
      join(dataDir, 'local.json'),
      JSON.stringify({
        api: 'http://127.0.0.1:4510',
        policyFile,
        hubspot: { url: portal.sandbox.url, accessToken: portal.sandbox.accessToken, portalId: 1234567 },
      }),
    );
    try {
      const output = capturedLog();

      await setup({ dataDir, dryRun: true });

      const printed = output();
      expect(printed).toContain(`policy ${policyFile} (the local stack's)`);
      expect(printed).toMatch(/missing\s+CRO view property: deals\.lead_source_category/);
      expect(printed).not.toContain('deals.deal_source');
    } finally {
      await portal.stop();
    }
  });
});

describe('dealreg hubspot setup --dry-run', () => {
  it('says the CRO view property would not be created without --create-cro-property, rather than "Nothing to create."', async () => {
    const portal = await startSandboxUnderTest();
    try {
      await setupHubSpotPortal(portal.admin, { dryRun: false });
      const output = capturedLog();

      await setup({ ...sandboxOptions(portal), dryRun: true });

      const printed = output();
      expect(printed).not.toContain('Nothing to create.');
      expect(printed).toContain(
        'Not created without --create-cro-property: CRO view property deals.deal_source (with it, the run would create it).',
      );
      expect(process.exitCode).toBe(1);
    } finally {
      await portal.stop();
    }
  });

  it('counts what it would create and what it would update', async () => {
    const portal = await startSandboxUnderTest({
      seed: {
        properties: {
          deals: [
            {
              name: 'dealreg_partner_relationship',
              label: 'Registered partner relationship',
              type: 'enumeration',
              fieldType: 'select',
              options: [{ label: 'Sourced', value: 'sourced' }],
            },
          ],
        },
      },
    });
    try {
      const output = capturedLog();

      await setup({ ...sandboxOptions(portal), dryRun: true, createCroProperty: true });

      const printed = output();
      expect(printed).toMatch(
        /would update\s+property: deals\.dealreg_partner_relationship — options sourced: "Sourced" → "Partner-sourced"; add influenced "Partner-influenced"/,
      );
      expect(printed).toMatch(/would create\s+CRO view property: deals\.deal_source/);
      expect(printed).toMatch(/^\d+ items would be created, 1 property would be updated\.$/m);
    } finally {
      await portal.stop();
    }
  });
});

describe('dealreg hubspot setup on a portal with a property of its name it cannot use', () => {
  it('exits non-zero and names the property and its fix, rather than "The portal already has everything"', async () => {
    const portal = await startSandboxUnderTest({
      seed: {
        properties: {
          deals: [
            { name: 'dealreg_registration_id', type: 'number', fieldType: 'number', hasUniqueValue: true },
          ],
        },
      },
    });
    try {
      await setupHubSpotPortal(portal.admin, {
        dryRun: false,
        policy: {
          newDeals: { pipeline: 'default', stage: 'appointmentscheduled' },
          croProperty: 'deal_source',
          croPartnerValues: ['Partner'],
        },
        createCroProperty: true,
      });
      const output = capturedLog();
      const errors = vi.mocked(console.error);

      await setup(sandboxOptions(portal));

      const printed = output();
      const complaints = errors.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(printed).not.toContain('The portal already has everything Dealreg needs.');
      expect(printed).toMatch(
        /conflict\s+property: deals\.dealreg_registration_id — it is a number property/,
      );
      expect(complaints).toContain('The portal holds 1 thing Dealreg cannot use as it is (left unchanged):');
      expect(complaints).toContain('deals.dealreg_registration_id: it is a number property');
      expect(process.exitCode).toBe(1);
    } finally {
      await portal.stop();
    }
  });
});
