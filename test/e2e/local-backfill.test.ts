import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { localClientConfig } from '#local/create-tables.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { registrationValues } from '#test/support/submissions.ts';

let stack: LocalStackProcess;

async function sandbox(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${stack.description.hubspot.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok).toBe(true);
  return response;
}

async function registrations(): Promise<StoredRegistration[]> {
  const tableName = stack.description.tables.Registrations;
  if (tableName === undefined) throw new Error('the local stack names no Registrations table');
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(localClientConfig(stack.description.dynamodb.endpoint)),
  );
  try {
    return await scanStoredRegistrations(client, tableName);
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  stack = await startLocalStackProcess(['--empty']);
}, 90_000);

afterAll(async () => {
  await stack.interrupt();
});

describe('dealreg sweep against the local stack', () => {
  it('takes in, as backfill and once, the submissions whose webhook HubSpot never delivered', async () => {
    const { hubspot } = stack.description;
    await sandbox('PUT', '/_sandbox/webhooks', { dropRate: 1 });
    for (const domain of ['lost-one.example.com', 'lost-two.example.com', 'lost-three.example.com']) {
      const values = registrationValues({ customer_domain: domain, expected_close_date: '2099-01-31' });
      await sandbox('POST', `/submissions/v3/integration/submit/${hubspot.portalId}/${hubspot.formGuid}`, {
        fields: values,
      });
    }
    await sandbox('POST', '/_sandbox/webhooks/flush');
    expect(await registrations()).toHaveLength(0);

    const first = await dealreg(['sweep', '--data-dir', stack.dataDir]);
    const second = await dealreg(['sweep', '--data-dir', stack.dataDir]);

    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 submissions in 1 page — 3 new, 0 new but invalid, 0 already received');
    expect(second.stdout).toContain('0 new, 0 new but invalid, 3 already received');
    const stored = await registrations();
    expect(stored.map((r) => r.receivedVia)).toEqual(['backfill', 'backfill', 'backfill']);
    const executions = (await (
      await fetch(`${stack.description.api}/_local/executions`)
    ).json()) as unknown[];
    expect(executions).toHaveLength(3);
  }, 60_000);

  it.each([
    ['{"formGuids": []}', /^formGuids must name at least one form GUID/],
    ['{"formGuids": [1]}', /^formGuids\[0\] must be a form GUID \(text\), got 1$/],
    ['{bad', /^the body is not valid JSON \(.+\); the body must be a JSON object/],
  ])('refuses the malformed backfill request %s with 400 naming the problem', async (body, message) => {
    const response = await fetch(`${stack.description.api}/_local/backfill`, { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'malformed_request',
      message: expect.stringMatching(message),
    });
  });

  it('names a form the portal does not have: 404 from the backfill, exit 2 from dealreg sweep', async () => {
    const response = await fetch(`${stack.description.api}/_local/backfill`, {
      method: 'POST',
      body: '{"formGuids": ["no-such-form"]}',
    });
    const result = await dealreg(['sweep', '--form', 'no-such-form', '--data-dir', stack.dataDir]);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('no-such-form'),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^dealreg: --form no-such-form: .*not found.*name a form of the HubSpot sandbox/m,
    );
  });

  it('says how to start the local stack when none runs', async () => {
    const result = await dealreg(['sweep', '--data-dir', await mkdtemp(join(tmpdir(), 'dealreg-none-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "dealreg sweep runs the local stack's backfill: start it with `npx dealreg local`",
    );
  });
});
