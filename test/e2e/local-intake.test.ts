import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#local/create-tables.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { formSubmission } from '#test/support/submissions.ts';

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startLocalStackProcess();
}, 90_000);

afterAll(async () => {
  if (stack.child.exitCode === null) await stack.interrupt();
});

/** Registrations stored (each one, its progress item merged in, as the registration book reads it). */
async function countRegistrations(): Promise<number> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(localClientConfig(stack.description.dynamodb.endpoint)),
  );
  const tableName = stack.description.tables.Registrations;
  if (tableName === undefined) throw new Error('local.json names no Registrations table');
  try {
    return (await scanStoredRegistrations(client, tableName)).length;
  } finally {
    client.destroy();
  }
}

describe('dealreg local', () => {
  it('prints a ready line and writes local.json with the URLs and the webhook client secret', () => {
    expect(stack.output()).toMatch(/ready at http:\/\/127\.0\.0\.1:\d+/);
    expect(stack.description.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.description.dynamodb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.description.webhookClientSecret.length).toBeGreaterThanOrEqual(24);
    expect(stack.description.tables.Registrations).toBeDefined();
  });

  it('turns 200 concurrent deliveries of 50 distinct submissions into exactly 50 registrations and 50 workflow starts', async () => {
    const submissions = Array.from({ length: 50 }, (_, i) =>
      formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `customer-${i}.example.com` } }),
    );
    const url = `${stack.description.api}/hubspot/form-submissions`;
    const deliveries = Array.from({ length: 200 }, (_, i) => submissions[i % 50]);
    const responses = await Promise.all(
      deliveries.map((submission) =>
        deliver(url, JSON.stringify(submission), { secret: stack.description.webhookClientSecret }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(50);
    expect(statuses.filter((status) => status === 200)).toHaveLength(150);

    expect(await countRegistrations()).toBe(50);
    // Executions run on after intake answers; wait until none is still running. The steps function
    // runs 4 invocations at once, as deployed: the others wait out their throttling retries' pauses
    // in real time (up to minutes), so the wait is bounded by the test's own timeout only.
    let executions: { status: string }[] = [];
    for (let attempt = 0; attempt < 1_700; attempt += 1) {
      executions = (await (await fetch(`${stack.description.api}/_local/executions`)).json()) as {
        status: string;
      }[];
      if (executions.every((execution) => execution.status !== 'RUNNING')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(executions).toHaveLength(50);
    // Each ran the deployed registration state machine on the local workflow runner.
    expect(new Set(executions.map((execution) => execution.status))).toEqual(new Set(['SUCCEEDED']));
    // 200 deliveries and 50 workflows on a busy machine: a generous bound, as tests never fail on timing.
  }, 180_000);

  it('moves the virtual clock on POST /_local/clock and names a bad request', async () => {
    const before = (await (await fetch(`${stack.description.api}/_local/clock`)).json()) as { now: string };
    const moved = await fetch(`${stack.description.api}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advance: 'PT49H' }),
    });
    expect(moved.status).toBe(200);
    const after = (await moved.json()) as { now: string };
    expect(Date.parse(after.now) - Date.parse(before.now)).toBe(49 * 3_600_000);
    const bad = await fetch(`${stack.description.api}/_local/clock`, {
      method: 'POST',
      body: '{"advance":"soon"}',
    });
    expect(bad.status).toBe(400);
  });

  it('serves the mailbox as JSON and as an inbox page', async () => {
    const invalid = formSubmission({ submittedAt: Date.now(), fields: { customer_domain: undefined } });
    const response = await deliver(
      `${stack.description.api}/hubspot/form-submissions`,
      JSON.stringify(invalid),
      {
        secret: stack.description.webhookClientSecret,
      },
    );
    expect(response.status).toBe(202);
    const mails = (await (await fetch(`${stack.description.api}/_local/mail`)).json()) as {
      subject: string;
    }[];
    expect(mails.map((mail) => mail.subject)).toContainEqual(expect.stringContaining('not accepted'));
    const page = await fetch(`${stack.description.api}/_local/mail/ui`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('not accepted');
  });

  it('serves the approval pages and refuses a link it did not sign', async () => {
    const response = await fetch(`${stack.description.api}/approvals/AP-UNKNOWN?t=v1.forged.mac`);
    expect([403, 404]).toContain(response.status);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('stops everything it started on Ctrl-C', async () => {
    const code = await stack.interrupt();
    expect(code).toBe(0);
    await expect(fetch(stack.description.dynamodb.endpoint, { method: 'POST' })).rejects.toThrow();
    await expect(fetch(`${stack.description.api}/_local/mail`)).rejects.toThrow();
    expect(existsSync(join(stack.dataDir, 'local.json'))).toBe(false);
  });
});
