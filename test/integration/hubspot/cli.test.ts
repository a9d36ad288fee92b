import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { triggerDependencies } from '#test/support/intake-triggers.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { registrationValues } from '#test/support/submissions.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from './sandbox.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const formGuid = 'f1a2b3c4-0000-4000-8000-00000000dea1';
const clientSecret = 'cli-test-client-secret';

/** Runs the `dealreg` CLI; resolves with exit code and output instead of throwing on failure. */
async function dealreg(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(node, [join(root, 'bin', 'dealreg.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let under: SandboxUnderTest;
let tables: TestTables;
let api: RunningApiServer;
let dataDir: string;

beforeAll(async () => {
  tables = await createTestTables();
  const handler = createFormSubmissionsHandler({
    inbox: new DynamoDbRegistrationInbox(tables.documentClient, tables.tableName('Registrations')),
    workflow: new LocalRegistrationWorkflow(),
    mailer: new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-cli-mail-'))),
    formFieldMapping: defaultFormFieldMapping,
    now: () => new Date(),
    clientSecret: async () => clientSecret,
    ...triggerDependencies(tables),
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/form-submissions', handler }] });
  under = await startSandboxUnderTest({
    seed: {
      forms: [
        {
          guid: formGuid,
          name: 'Deal registration',
          fields: registrationValues().map(({ name }) => ({ name })),
        },
      ],
      formSubmissions: Array.from({ length: 7 }, (_, index) => ({
        formGuid,
        conversionId: `cli-conv-${index}`,
        submittedAt: Date.now() - (10 - index) * 60_000,
        values: registrationValues({ customer_company_name: `CLI customer ${index}` }),
      })),
    },
  });
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-cli-'));
  await writeFile(
    join(dataDir, 'local.json'),
    JSON.stringify({
      api: api.url,
      webhookClientSecret: clientSecret,
      dynamodb: { endpoint: tables.endpoint },
      tables: tables.names,
      hubspot: {
        url: under.sandbox.url,
        accessToken: under.sandbox.accessToken,
        portalId: under.sandbox.portalId,
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await under?.stop();
  await api?.stop();
});

describe('dealreg hubspot setup', () => {
  it('refuses to run without a token, saying where one comes from', async () => {
    const result = await dealreg(['hubspot', 'setup', '--data-dir', join(dataDir, 'missing')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no HubSpot access token: pass --token, set HUBSPOT_ACCESS_TOKEN/);
  });

  it('lists what it would create on a dry run, then creates it, then finds it all in place', async () => {
    const options = [
      '--token',
      under.sandbox.accessToken,
      '--base-url',
      under.sandbox.url,
      '--data-dir',
      dataDir,
    ];

    const dry = await dealreg(['hubspot', 'setup', '--dry-run', ...options]);
    const first = await dealreg(['hubspot', 'setup', ...options]);
    // The CRO's property is the sales team's to create; setup names it until it exists.
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(
      'CRO view property deals.deal_source: create the deal property deal_source',
    );
    expect(first.stdout).toMatch(/exists\s+deal pipeline: default/);
    expect(first.stdout).toMatch(/exists\s+deal stage: default \/ appointmentscheduled/);
    await fetch(`${under.sandbox.url}/crm/v3/properties/deals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${under.sandbox.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'deal_source',
        label: 'Deal source',
        type: 'string',
        fieldType: 'text',
        groupName: 'dealinformation',
      }),
    });
    const second = await dealreg(['hubspot', 'setup', ...options]);

    expect(second.code).toBe(0);
    expect(dry.stdout).toMatch(/would create\s+object schema: deal_registration/);
    expect(first.stdout).toMatch(/created\s+association label: companies → deals: Sourced partner/);
    expect(first.stdout).toMatch(/Deal Registration object type id: 2-\d+/);
    expect(second.stdout).toContain('The portal already has everything Dealreg needs.');
    expect(second.stdout).toContain(`${api.url}/hubspot/form-submissions`);
  }, 60_000);

  it('names a deal pipeline or stage the policy chose that the portal lacks', async () => {
    const policyFile = join(dataDir, 'policy-with-another-stage.json');
    await writeFile(policyFile, JSON.stringify({ newDeals: { pipeline: 'default', stage: 'negotiation' } }));

    const result = await dealreg([
      'hubspot',
      'setup',
      '--dry-run',
      '--policy',
      policyFile,
      '--token',
      under.sandbox.accessToken,
      '--base-url',
      under.sandbox.url,
      '--data-dir',
      dataDir,
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /deal stage default \/ negotiation: set the policy's newDeals.stage to an open stage id of pipeline default \(appointmentscheduled \("Appointment Scheduled"\), /,
    );
  });

  it('creates the CRO view property with --create-cro-property, and then finds nothing missing', async () => {
    const portal = await startSandboxUnderTest();
    try {
      const options = [
        '--token',
        portal.sandbox.accessToken,
        '--base-url',
        portal.sandbox.url,
        '--data-dir',
        dataDir,
      ];

      const result = await dealreg(['hubspot', 'setup', '--create-cro-property', ...options]);

      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/created\s+CRO view property: deals\.deal_source/);
      expect(await portal.admin.listPropertyNames('deals')).toContain('deal_source');
    } finally {
      await portal.stop();
    }
  }, 60_000);

  it('takes the token and URL of the running local stack from local.json', async () => {
    const result = await dealreg(['hubspot', 'setup', '--dry-run', '--data-dir', dataDir]);

    expect(result.stdout).toContain('token from local stack');
  });
});
