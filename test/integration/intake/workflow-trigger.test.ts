import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import { createSubmissionBackfillHandler } from '#handlers/submission-backfill-handler.ts';
import { lambdaContext, type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { LocalSweepRequests } from '#local/sweep-requests.ts';
import { requestedSweepEvent, type SweepRequests } from '#ports/sweep-requests.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { registrationValues } from '#test/support/submissions.ts';
import {
  chosenPropertiesWebhookBody,
  contactWorkflowWebhookBody,
} from '#test/support/workflow-webhook-fixtures.ts';
import type { ReceiveSubmissionDependencies } from '#use-cases/receive-submission.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '../hubspot/sandbox.ts';

const formGuid = 'f1a2b3c4-0000-4000-8000-00000000dea1';
const clientSecret = 'trigger-test-client-secret';

let tables: TestTables;
let api: RunningApiServer;
let endpoint: string;
let under: SandboxUnderTest;
let workflow: LocalRegistrationWorkflow;
let sweepRequests: LocalSweepRequests;
let intake: ReceiveSubmissionDependencies;
/** Sweeps run because a trigger asked for one. */
let requestedSweeps = 0;

beforeAll(async () => {
  tables = await createTestTables();
  workflow = new LocalRegistrationWorkflow();
  intake = {
    inbox: new DynamoDbRegistrationInbox(tables.documentClient, tables.tableName('Registrations')),
    workflow,
    mailer: new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-trigger-mail-'))),
    formFieldMapping: defaultFormFieldMapping,
    now: () => new Date(),
  };
  const triggers = new DynamoDbIntakeTriggers(tables.documentClient, tables.tableName('SweeperState'));
  const logger = new Logger({ logLevel: 'CRITICAL' });
  // The backfill handler needs the sandbox, started after the API it posts to.
  let backfill: ReturnType<typeof createSubmissionBackfillHandler> | undefined;
  sweepRequests = new LocalSweepRequests(
    async () => {
      requestedSweeps += 1;
      await backfill?.(requestedSweepEvent, lambdaContext('dealreg-submission-backfill', 5 * 60_000));
    },
    { onError: (error) => console.error('requested sweep failed', error) },
  );
  const handler = createFormSubmissionsHandler({
    ...intake,
    triggers,
    sweepRequestLog: triggers,
    sweepRequests,
    clientSecret: async () => clientSecret,
    logger,
  });
  api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/form-submissions', handler }] });
  endpoint = `${api.url}/hubspot/form-submissions`;
  under = await startSandboxUnderTest({
    seed: {
      forms: [
        {
          guid: formGuid,
          name: 'Deal registration',
          fields: registrationValues().map(({ name }) => ({ name })),
        },
      ],
    },
    workflowWebhook: { url: endpoint, clientSecret },
  });
  backfill = createSubmissionBackfillHandler({
    submissions: under.adapter,
    sweepState: new DynamoDbSweepStateStore(tables.documentClient, tables.tableName('SweeperState')),
    intake,
    formGuids: [formGuid],
    logger,
    sweepRequestLog: triggers,
  });
});

afterAll(async () => {
  await sweepRequests?.close();
  await under?.stop();
  await api?.stop();
});

function registrations(): Promise<StoredRegistration[]> {
  return scanStoredRegistrations(tables.documentClient, tables.tableName('Registrations'));
}

/** The triggers stored in the SweeperState table. */
async function storedTriggers(): Promise<Record<string, unknown>[]> {
  const result = await tables.documentClient.send(
    new ScanCommand({ TableName: tables.tableName('SweeperState'), ConsistentRead: true }),
  );
  return (result.Items ?? []).filter((item) => String(item.formGuid).startsWith('intake-trigger#'));
}

/** Submits the form through the sandbox's public endpoint, as a partner's browser would. */
async function submitForm(tag: string): Promise<void> {
  const response = await fetch(
    `${under.sandbox.url}/submissions/v3/integration/submit/${under.sandbox.portalId}/${formGuid}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        fields: registrationValues({
          email: `${tag}@northwind-partners.com`,
          customer_company_name: `Customer ${tag}`,
        }),
      }),
    },
  );
  if (!response.ok) throw new Error(`form submit answered ${response.status}: ${await response.text()}`);
}

/** Waits (up to 30 s) until `count` registrations are stored, then a little longer for any extra. */
async function registrationsReach(count: number): Promise<StoredRegistration[]> {
  for (let tries = 0; tries < 300; tries += 1) {
    if ((await registrations()).length >= count) break;
    await sleep(100);
  }
  await under.control('/_sandbox/webhooks/flush', { method: 'POST' });
  await sleep(300);
  return registrations();
}

const ofCustomer = (records: StoredRegistration[], name: string) =>
  records.filter((record) =>
    record.submission.values.some((field) => field.name === 'customer_company_name' && field.value === name),
  );

describe('a HubSpot workflow webhook (the enrolled contact) triggers a sweep of the form', () => {
  it('v3-signed (with v2 beside it): the submission becomes exactly one registration', async () => {
    // prepare
    const before = (await registrations()).length;
    // act
    await submitForm('v3-signed');
    // assess
    const stored = await registrationsReach(before + 1);
    expect(stored).toHaveLength(before + 1);
    const [registration] = ofCustomer(stored, 'Customer v3-signed');
    expect(registration?.status).toBe('received');
    expect(workflow.executions().map((execution) => execution.name)).toContain(registration?.registrationId);
    const trigger = (await storedTriggers()).find((item) =>
      String(item.rawBody).includes('v3-signed@northwind-partners.com'),
    );
    expect(JSON.parse(String(trigger?.rawBody))).toMatchObject({
      'is-contact': true,
      properties: { email: {} },
    });
    expect(trigger?.objectId).toEqual(expect.any(String));
    // Kept 30 days for inspection, then deleted by the table's time to live (epoch seconds).
    const receivedAt = Date.parse(String(trigger?.receivedAt));
    expect(trigger?.expiresAt).toBe(Math.floor((receivedAt + 30 * 86_400_000) / 1000));
  });

  it('v2-signed only: the submission becomes exactly one registration', async () => {
    // prepare
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { workflowSignature: 'v2' } });
    const before = (await registrations()).length;
    try {
      // act
      await submitForm('v2-signed');
      // assess
      const stored = await registrationsReach(before + 1);
      expect(stored).toHaveLength(before + 1);
      expect(ofCustomer(stored, 'Customer v2-signed')).toHaveLength(1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { workflowSignature: 'v3' } });
    }
  });

  it('50 concurrent triggers for 20 submissions make exactly 20 registrations', async () => {
    // prepare: HubSpot's own deliveries are dropped; the 50 triggers below are all there is
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    const before = (await registrations()).length;
    const sweepsBefore = requestedSweeps;
    try {
      for (let index = 0; index < 20; index += 1) await submitForm(`burst-${index}`);
      // act
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          deliver(endpoint, JSON.stringify(contactWorkflowWebhookBody({ vid: 9_000 + index })), {
            secret: clientSecret,
          }),
        ),
      );
      // assess
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 202));
      const stored = await registrationsReach(before + 20);
      expect(stored).toHaveLength(before + 20);
      expect(new Set(stored.map((record) => record.conversionId)).size).toBe(before + 20);
      expect(workflow.executions()).toHaveLength(before + 20);
      console.info(`50 triggers asked for ${requestedSweeps - sweepsBefore} sweep(s)`);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0 } });
    }
  });

  it('takes a customised body of chosen properties as a trigger too', async () => {
    const response = await deliver(endpoint, JSON.stringify(chosenPropertiesWebhookBody()), {
      secret: clientSecret,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ outcome: 'trigger', triggerId: expect.any(String) });
  });
});

describe('refuses a trigger that is not signed by HubSpot, or not JSON, and stores nothing', () => {
  const body = JSON.stringify(contactWorkflowWebhookBody({ vid: 77_001 }));

  it.each([
    ['unsigned', { omitSignature: true }, 401, 'the request is not signed'],
    ['signed with another secret', { secret: 'forged' }, 401, 'the signature does not match'],
    [
      'v2-signed over another body',
      { signatureVersion: 'v2' as const, signBody: '{}' },
      401,
      'does not match',
    ],
    ['stale', { timestamp: Date.now() - 6 * 60_000 }, 401, 'more than 5 minutes old'],
  ])('%s: %s', async (_case, options, status, reason) => {
    const triggersBefore = (await storedTriggers()).length;
    const response = await deliver(endpoint, body, { secret: clientSecret, ...options });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toContain(reason);
    expect(await storedTriggers()).toHaveLength(triggersBefore);
  });

  it.each([
    ['not JSON', '{"vid": 1,', 400, 'not valid JSON'],
    ['a JSON list, not a record', '[{"vid": 1}]', 400, 'neither a HubSpot record nor a form submission'],
    [
      'larger than 256 KiB',
      JSON.stringify({ ...contactWorkflowWebhookBody(), notes: 'x'.repeat(300_000) }),
      413,
      'this endpoint accepts at most 262144 bytes',
    ],
  ])('%s: %s naming the problem', async (_case, text, status, reason) => {
    const triggersBefore = (await storedTriggers()).length;
    const response = await deliver(endpoint, text, { secret: clientSecret });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toContain(reason);
    expect(await storedTriggers()).toHaveLength(triggersBefore);
  });
});

describe('when the sweep cannot be asked for', () => {
  it('answers 500 so HubSpot delivers again, keeps the trigger, and lets the next delivery ask', async () => {
    // prepare: Lambda refuses the first request; no sweep asked for earlier is still to start
    let refuse = true;
    let asked = 0;
    const flaky: SweepRequests = {
      request: async () => {
        if (refuse) throw new Error('Lambda is unavailable');
        asked += 1;
      },
    };
    const log = new DynamoDbIntakeTriggers(tables.documentClient, tables.tableName('SweeperState'));
    await log.recordSweepStarted(Date.now());
    const handler = createFormSubmissionsHandler({
      ...intake,
      triggers: log,
      sweepRequestLog: log,
      sweepRequests: flaky,
      clientSecret: async () => clientSecret,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const server = await startApiServer({
      routes: [{ method: 'POST', path: '/hubspot/form-submissions', handler }],
    });
    const url = `${server.url}/hubspot/form-submissions`;
    const body = JSON.stringify(contactWorkflowWebhookBody({ vid: 55_001 }));
    try {
      // act
      const first = await deliver(url, body, { secret: clientSecret });
      refuse = false;
      const again = await deliver(url, body, { secret: clientSecret });
      // assess
      expect(first.status).toBe(500);
      expect(again.status).toBe(202);
      expect(await again.json()).toMatchObject({ outcome: 'trigger', sweep: 'requested' });
      expect(asked).toBe(1);
      expect((await storedTriggers()).filter((item) => item.rawBody === body)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
