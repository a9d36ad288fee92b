import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { LocalStackDescription } from '#local/stack.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { registrationValues } from '#test/support/submissions.ts';

let stack: LocalStackProcess | undefined;

afterAll(async () => {
  await stack?.interrupt();
});

async function sandbox(description: LocalStackDescription, method: string, path: string, body?: unknown) {
  const response = await fetch(`${description.hubspot.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok).toBe(true);
}

/** Runs `work` with a document client of the stack's DynamoDB Local and its table names. */
async function withTables<T>(
  description: LocalStackDescription,
  work: (client: DynamoDBDocumentClient, tables: Record<string, string>) => Promise<T>,
): Promise<T> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(localClientConfig(description.dynamodb.endpoint)),
  );
  try {
    return await work(client, description.tables);
  } finally {
    client.destroy();
  }
}

function registrations(description: LocalStackDescription): Promise<StoredRegistration[]> {
  return withTables(description, (client, tables) =>
    scanStoredRegistrations(client, tables.Registrations ?? ''),
  );
}

describe('dealreg local stopped while a sweep a workflow webhook asked for was still to run', () => {
  it('runs that sweep when it starts again, not minutes later on the schedule', async () => {
    // prepare: a partner submits; the stack stores the workflow webhook's trigger and records that
    // it asked for a sweep (as the intake does before it asks), and stops before the sweep runs
    stack = await startLocalStackProcess(['--empty']);
    const first = stack.description;
    await sandbox(first, 'PUT', '/_sandbox/webhooks', { dropRate: 1 });
    await sandbox(
      first,
      'POST',
      `/submissions/v3/integration/submit/${first.hubspot.portalId}/${first.hubspot.formGuid}`,
      {
        fields: registrationValues({ customer_domain: 'asked-before-the-stop.example.com' }),
      },
    );
    await sandbox(first, 'POST', '/_sandbox/webhooks/flush');
    await withTables(first, async (client, tables) => {
      const log = new DynamoDbIntakeTriggers(client, tables.SweeperState ?? '');
      expect(await log.claim(await log.load(), Date.now())).toBe(true);
    });
    expect(await stack.interrupt()).toBe(0);
    // act
    stack = await startLocalStackProcess([], { dataDir: stack.dataDir });
    // assess: the scheduled backfill is five minutes away; the asked-for sweep takes it in at once
    const second = stack.description;
    let stored: StoredRegistration[] = [];
    for (let tries = 0; tries < 100 && stored.length === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stored = await registrations(second);
    }
    expect(stored.map((registration) => registration.receivedVia)).toEqual(['backfill']);
    expect(stored[0]?.submission.values).toContainEqual({
      name: 'customer_domain',
      value: 'asked-before-the-stop.example.com',
    });
  }, 120_000);
});
