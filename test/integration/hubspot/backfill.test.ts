import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import type { FormSubmission } from '#domain/form-submission.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import { createSubmissionBackfillHandler } from '#handlers/submission-backfill-handler.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { triggerDependencies } from '#test/support/intake-triggers.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { registrationValues } from '#test/support/submissions.ts';
import { type ReceiveSubmissionDependencies, receiveSubmission } from '#use-cases/receive-submission.ts';
import { type SweepResult, sweepFormSubmissions } from '#use-cases/sweep-form-submissions.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from './sandbox.ts';

const formGuid = 'f1a2b3c4-0000-4000-8000-00000000dea1';
const clientSecret = 'backfill-test-client-secret';
const fields = registrationValues().map(({ name }) => ({ name }));

let tables: TestTables;
let api: RunningApiServer;
let under: SandboxUnderTest;
let intakeDeps: ReceiveSubmissionDependencies;
let workflow: LocalRegistrationWorkflow;
let mailbox: LocalMailbox;

interface WebhookStats {
  workflowDropped: number;
  workflowDelivered: number;
  workflowFailed: number;
}

async function webhookStats(): Promise<WebhookStats> {
  return ((await under.control('/_sandbox/state')) as { stats: { webhooks: WebhookStats } }).stats.webhooks;
}

/** Submits the form through the sandbox's public endpoint, as a partner's browser would. */
async function submitForms(count: number, tag: string): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(
      `${under.sandbox.url}/submissions/v3/integration/submit/${under.sandbox.portalId}/${formGuid}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: registrationValues({ customer_company_name: `Customer ${tag}-${index}` }),
        }),
      },
    );
    if (!response.ok) throw new Error(`form submit answered ${response.status}: ${await response.text()}`);
  }
}

/** Submits the form claiming a time of the caller's choosing, as HubSpot's public submit API allows. */
async function submitFormClaiming(submittedAt: number, tag: string): Promise<void> {
  const response = await fetch(
    `${under.sandbox.url}/submissions/v3/integration/submit/${under.sandbox.portalId}/${formGuid}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        submittedAt,
        fields: registrationValues({ customer_company_name: `Customer ${tag}` }),
      }),
    },
  );
  if (!response.ok) throw new Error(`form submit answered ${response.status}: ${await response.text()}`);
}

/** Waits until the sandbox has delivered or dropped a webhook for every submission. */
async function webhooksSettled(expected: number): Promise<WebhookStats> {
  for (let tries = 0; tries < 200; tries += 1) {
    const stats = await webhookStats();
    if (stats.workflowDelivered + stats.workflowDropped + stats.workflowFailed >= expected) return stats;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('webhooks did not settle');
}

function registrations(): Promise<StoredRegistration[]> {
  return scanStoredRegistrations(tables.documentClient, tables.tableName('Registrations'));
}

function sweepState() {
  return new DynamoDbSweepStateStore(tables.documentClient, tables.tableName('SweeperState'));
}

function sweep(overlapMs = 1_000, clock: { now: () => number; deadline?: number } = { now: Date.now }) {
  return sweepFormSubmissions(
    {
      submissions: under.adapter,
      state: sweepState(),
      intake: (submission) => receiveSubmission(intakeDeps, submission, 'backfill'),
      now: clock.now,
    },
    {
      formGuid,
      pageSize: 10,
      overlapMs,
      deadline: clock.deadline,
    },
  );
}

beforeAll(async () => {
  tables = await createTestTables();
  workflow = new LocalRegistrationWorkflow();
  mailbox = new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-backfill-mail-')));
  intakeDeps = {
    inbox: new DynamoDbRegistrationInbox(tables.documentClient, tables.tableName('Registrations')),
    workflow,
    mailer: mailbox,
    formFieldMapping: defaultFormFieldMapping,
    now: () => new Date(),
  };
  const handler = createFormSubmissionsHandler({
    ...intakeDeps,
    clientSecret: async () => clientSecret,
    ...triggerDependencies(tables),
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/form-submissions', handler }] });
  under = await startSandboxUnderTest({
    seed: { forms: [{ guid: formGuid, name: 'Deal registration', fields }] },
    // The webhook posts each submission itself, as Dealreg's own tools do (HubSpot's workflow sends
    // the contact, a trigger; see workflow-trigger.test.ts): this test is about what the sweep adds.
    workflowWebhook: {
      url: `${api.url}/hubspot/form-submissions`,
      clientSecret,
      dropRate: 0.3,
      body: 'form-submission',
    },
  });
});

afterAll(async () => {
  await under?.stop();
  await api?.stop();
});

describe('backfill with 30% of workflow webhooks dropped', () => {
  it('takes in every submission exactly once between the webhooks and the sweeper', async () => {
    await submitForms(60, 'a');
    const settled = await webhooksSettled(60);

    const result = await sweep();

    const stored = await registrations();
    const byVia = (via: string) => stored.filter((record) => record.receivedVia === via).length;
    expect(settled.workflowDropped).toBeGreaterThan(0);
    expect(stored).toHaveLength(60);
    expect(new Set(stored.map((record) => record.conversionId)).size).toBe(60);
    expect(byVia('webhook')).toBe(settled.workflowDelivered);
    expect(byVia('backfill')).toBe(settled.workflowDropped);
    expect(result).toMatchObject({
      completed: true,
      scanned: 60,
      accepted: settled.workflowDropped,
      failed: 0,
    });
    expect(result.duplicate).toBe(settled.workflowDelivered);
    expect(workflow.executions()).toHaveLength(60);
  });

  it('reads, and does not write, the submissions it finds already taken in', async () => {
    const stores = vi.spyOn(intakeDeps.inbox, 'storeIfNew');
    try {
      // An hour of overlap: the run sees again all 60 submissions the first run took in.
      const result = await sweep(3_600_000);
      expect(result).toMatchObject({ completed: true, scanned: 60, duplicate: 60, accepted: 0, failed: 0 });
      expect(stores).not.toHaveBeenCalled();
      expect(workflow.executions()).toHaveLength(60);
    } finally {
      stores.mockRestore();
    }
  });

  it('next run pages only down to the watermark and picks up what was dropped since', async () => {
    const before = await webhookStats();
    await submitForms(15, 'b');
    const settled = await webhooksSettled(75);

    const result = await sweep(0);

    const stored = await registrations();
    expect(stored).toHaveLength(75);
    expect(new Set(stored.map((record) => record.conversionId)).size).toBe(75);
    expect(result.accepted).toBe(settled.workflowDropped - before.workflowDropped);
    // 15 new submissions in pages of 10; the second page reaches below the watermark.
    expect(result.pages).toBe(2);
    expect(result.scanned).toBeLessThan(20);
    expect(workflow.executions()).toHaveLength(75);
  });

  it('a sweep racing the webhooks still stores each submission once', async () => {
    const submitting = submitForms(20, 'c');
    const racing = (async () => {
      const results: SweepResult[] = [];
      for (let run = 0; run < 3; run += 1) {
        results.push(await sweep());
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      return results;
    })();
    await Promise.all([submitting, racing]);
    await webhooksSettled(95);

    await sweep();

    const stored = await registrations();
    expect(stored).toHaveLength(95);
    expect(new Set(stored.map((record) => record.conversionId)).size).toBe(95);
    expect(workflow.executions()).toHaveLength(95);
  });

  it('a run stopped by its deadline saves its place, and the next run resumes there', async () => {
    const watermarkBefore = (await sweepState().load(formGuid))?.watermark;
    const before = await webhookStats();
    await submitForms(25, 'd');
    const settled = await webhooksSettled(120);
    const start = Date.now();
    let pagesListed = 0;

    // The clock passes the deadline after the first page.
    const stopped = await sweepFormSubmissions(
      {
        submissions: {
          listFormSubmissions: async (...page) => {
            pagesListed += 1;
            return under.adapter.listFormSubmissions(...page);
          },
        },
        state: sweepState(),
        intake: (submission) => receiveSubmission(intakeDeps, submission, 'backfill'),
        now: () => (pagesListed === 0 ? start : start + 10_000),
      },
      { formGuid, pageSize: 10, overlapMs: 0, deadline: start + 5_000 },
    );
    const saved = await sweepState().load(formGuid);
    const resumed = await sweep(0);

    const stored = await registrations();
    expect(stopped).toMatchObject({ completed: false, pages: 1, scanned: 10 });
    expect(saved?.watermark).toBe(watermarkBefore);
    expect(saved?.resume?.after).toEqual(expect.any(String));
    expect(resumed.completed).toBe(true);
    expect(resumed.scanned).toBeLessThan(25);
    expect(stored).toHaveLength(120);
    expect(new Set(stored.map((record) => record.conversionId)).size).toBe(120);
    // This test's submissions came in by webhook, or by the backfill when their webhook was
    // dropped (the racing test before it may have swept some of its own before their webhook came).
    const ours = stored.filter((record) =>
      record.submission.values.some(
        (field) => field.name === 'customer_company_name' && field.value.startsWith('Customer d-'),
      ),
    );
    expect(ours).toHaveLength(25);
    expect(ours.filter((record) => record.receivedVia === 'backfill').length).toBe(
      settled.workflowDropped - before.workflowDropped,
    );
    expect((await sweepState().load(formGuid))?.resume).toBeUndefined();
  });

  it('starts over from the newest submission when HubSpot no longer accepts the saved cursor', async () => {
    const store = sweepState();
    const current = await store.load(formGuid);
    await store.save(
      {
        formGuid,
        watermark: current?.watermark,
        resume: { after: 'not-a-cursor', newestSeen: current?.watermark ?? 0 },
      },
      current?.version ?? 0,
    );

    const result = await sweep(0);

    expect(result.completed).toBe(true);
    expect(result.failed).toBe(0);
    expect((await sweepState().load(formGuid))?.resume).toBeUndefined();
  });

  it('keeps the watermark below a submission intake failed on, and takes it in on the next run', async () => {
    await submitForms(5, 'e');
    await webhooksSettled(125);
    const newest = (await under.adapter.listFormSubmissions(formGuid, { limit: 5 })).submissions;
    const victim = newest[2];
    if (victim === undefined) throw new Error('expected five new submissions');
    await tables.documentClient.send(
      new DeleteCommand({
        TableName: tables.tableName('Registrations'),
        Key: { registrationId: registrationIdFor(victim.conversionId) },
      }),
    );
    const problems: string[] = [];
    const failing = (submission: FormSubmission) =>
      submission.conversionId === victim.conversionId
        ? Promise.reject(new Error('the workflow could not be started'))
        : receiveSubmission(intakeDeps, submission, 'backfill');

    const first = await sweepFormSubmissions(
      {
        submissions: under.adapter,
        state: sweepState(),
        intake: failing,
        now: Date.now,
        onProblem: (problem) => problems.push(problem.conversionId),
      },
      { formGuid, pageSize: 10, overlapMs: 0 },
    );
    const second = await sweep(0);

    expect(first.failed).toBe(1);
    expect(problems).toEqual([victim.conversionId]);
    expect(first.watermark).toBe(victim.submittedAt);
    expect(second.accepted).toBe(1);
    const stored = await registrations();
    expect(stored.filter((record) => record.conversionId === victim.conversionId)).toHaveLength(1);
    expect(stored).toHaveLength(125);
  });

  it('runs as the scheduled Lambda handler, sweeping the configured forms within the time left', async () => {
    const handler = createSubmissionBackfillHandler({
      submissions: under.adapter,
      sweepState: sweepState(),
      intake: intakeDeps,
      formGuids: [formGuid],
      logger: new Logger({ logLevel: 'CRITICAL' }),
      overlapMs: 0,
    });
    const context = {
      functionName: 'dealreg-backfill',
      awsRequestId: 'test-request',
      getRemainingTimeInMillis: () => 120_000,
    } as unknown as Context;

    const summary = await handler({}, context);

    expect(summary.skipped).toEqual([]);
    expect(summary.results).toHaveLength(1);
    expect(summary.results[0]).toMatchObject({ formGuid, completed: true, failed: 0 });
    await expect(handler({ formGuids: [] }, context)).rejects.toThrow(/backfill event/);
  });

  it('a submission claiming a time next year is taken in as rejected and does not lift the watermark', async () => {
    // prepare
    await submitFormClaiming(Date.now() + 365 * 86_400_000, 'from-the-future');
    await webhooksSettled(126);
    // act
    const first = await sweep(0);
    await submitForms(3, 'f');
    await webhooksSettled(129);
    const second = await sweep(0);
    // assess
    const watermark = (await sweepState().load(formGuid))?.watermark ?? Number.POSITIVE_INFINITY;
    expect(watermark).toBeLessThanOrEqual(Date.now());
    expect(first.failed + second.failed).toBe(0);
    const stored = await registrations();
    expect(stored).toHaveLength(129);
    const future = stored.find((record) =>
      record.submission.values.some((v) => v.value === 'Customer from-the-future'),
    );
    expect(future?.status).toBe('rejected');
    expect(future?.problems?.[0]?.message).toContain('after Dealreg received the registration');
  });

  it('starts over when a future claim lifted the watermark before, so new submissions are swept again', async () => {
    // prepare: the state as an earlier version left it after a claim of the year 10000
    const store = sweepState();
    const current = await store.load(formGuid);
    await store.save({ formGuid, watermark: Date.UTC(10000, 0, 1) }, current?.version ?? 0);
    // Every webhook of these two is lost: only the sweep can take them in.
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitForms(2, 'g');
      await webhooksSettled(131);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // act
    const result = await sweep(0);
    // assess
    expect(result.accepted).toBe(2);
    expect(await registrations()).toHaveLength(131);
    expect((await sweepState().load(formGuid))?.watermark).toBeLessThanOrEqual(Date.now());
  });
});

describe('a submission intake failed on', () => {
  it('retries a submission intake failed on below the watermark, however little the next runs look back', async () => {
    // prepare: two submissions whose webhooks are lost; a requested sweep already lifted the
    // watermark to the newer, as when the older reached the Forms API late
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitForms(1, 'late-and-failed');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await submitForms(1, 'newer-than-late');
      await under.control('/_sandbox/webhooks/flush', { method: 'POST' });
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    const listed = (await under.adapter.listFormSubmissions(formGuid, { limit: 50 })).submissions;
    const named = (customer: string) =>
      listed.find((submission) => submission.values.some((value) => value.value === customer));
    const newer = named('Customer newer-than-late-0');
    const late = named('Customer late-and-failed-0');
    if (newer === undefined || late === undefined) throw new Error('expected the two new submissions');
    const store = sweepState();
    const current = await store.load(formGuid);
    await store.save({ formGuid, watermark: newer.submittedAt }, current?.version ?? 0);
    // a scheduled run (a minute of overlap) fails to take the late one in
    const failing = (submission: FormSubmission) =>
      submission.conversionId === late.conversionId
        ? Promise.reject(new Error('DynamoDB throttled the write'))
        : receiveSubmission(intakeDeps, submission, 'backfill');
    const first = await sweepFormSubmissions(
      { submissions: under.adapter, state: sweepState(), intake: failing, now: Date.now },
      { formGuid, pageSize: 10, overlapMs: 60_000 },
    );
    // act: the next run is a requested sweep, which looks back no further than the watermark
    const second = await sweep(0);
    // assess
    expect(first.failed).toBe(1);
    expect(second.accepted).toBe(1);
    const stored = await registrations();
    expect(stored.filter((record) => record.conversionId === late.conversionId)).toHaveLength(1);
  });
});

describe('the first run over a form that had submissions before Dealreg was deployed', () => {
  it('takes in what is recent enough to register, and tells no partner of a months-old submission to submit again', async () => {
    // prepare: a form partners used before Dealreg; one submission a month old, one an hour old
    const existingGuid = 'f1a2b3c4-0000-4000-8000-00000000e1d5';
    const now = Date.now();
    const old = {
      email: 'old.partner@northwind-partners.com',
      customer_company_name: 'Customer from before',
    };
    const recent = {
      email: 'new.partner@northwind-partners.com',
      customer_company_name: 'Customer of this hour',
    };
    await under.control('/_sandbox/seed', {
      method: 'POST',
      body: {
        forms: [{ guid: existingGuid, name: 'Partner deal registration', fields }],
        formSubmissions: [
          { formGuid: existingGuid, submittedAt: now - 30 * 86_400_000, values: registrationValues(old) },
          { formGuid: existingGuid, submittedAt: now - 3_600_000, values: registrationValues(recent) },
        ],
      },
    });
    const handler = createSubmissionBackfillHandler({
      submissions: under.adapter,
      sweepState: sweepState(),
      intake: intakeDeps,
      formGuids: [existingGuid],
      logger: new Logger({ logLevel: 'CRITICAL' }),
    });
    const context = {
      functionName: 'dealreg-backfill',
      awsRequestId: 'test-request',
      getRemainingTimeInMillis: () => 120_000,
    } as unknown as Context;
    // act
    const summary = await handler({}, context);
    // assess
    expect(summary.results[0]).toMatchObject({
      formGuid: existingGuid,
      completed: true,
      accepted: 1,
      rejected: 0,
    });
    expect(await storedWith('Customer of this hour')).toMatchObject({ status: 'received' });
    expect(await storedWith('Customer from before')).toBeUndefined();
    const mails = await mailbox.list();
    expect(mails.filter((mail) => mail.to.includes(old.email))).toEqual([]);
  });
});

describe('a configured form HubSpot no longer has', () => {
  it('fails the run naming it, after sweeping the other forms and redriving the failed workflows', async () => {
    // prepare: the first configured form was deleted in HubSpot; a submission to the second lost its webhook
    const deletedGuid = 'f1a2b3c4-0000-4000-8000-0000000dead0';
    const before = await webhookStats();
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitForms(1, 'after-a-deleted-form');
      await webhooksSettled(before.workflowDelivered + before.workflowDropped + before.workflowFailed + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    const failedExecutions = vi.fn(async () => []);
    const handler = createSubmissionBackfillHandler({
      submissions: under.adapter,
      sweepState: sweepState(),
      intake: intakeDeps,
      formGuids: [deletedGuid, formGuid],
      logger: new Logger({ logLevel: 'CRITICAL' }),
      overlapMs: 0,
      redrive: {
        workflows: { failedExecutions, redrive: async () => ({ redriven: false }) },
        now: () => new Date(),
      },
    });
    const context = {
      functionName: 'dealreg-backfill',
      awsRequestId: 'test-request',
      getRemainingTimeInMillis: () => 120_000,
    } as unknown as Context;
    // act
    const run = handler({}, context);
    // assess: the Lambda fails (its alarm names the form), and nothing else was left undone
    await expect(run).rejects.toThrow(deletedGuid);
    const stored = (await registrations()).filter((record) =>
      record.submission.values.some((v) => v.value === 'Customer after-a-deleted-form-0'),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.receivedVia).toBe('backfill');
    expect(failedExecutions).toHaveBeenCalledTimes(1);
  });
});

/** Submits the form with `values`, as a partner's browser (or a script against the public submit API) would. */
async function submitValues(values: { name: string; value: string }[]): Promise<void> {
  const response = await fetch(
    `${under.sandbox.url}/submissions/v3/integration/submit/${under.sandbox.portalId}/${formGuid}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: values }),
    },
  );
  if (!response.ok) throw new Error(`form submit answered ${response.status}: ${await response.text()}`);
}

const storedWith = async (customer: string) =>
  (await registrations()).find((record) =>
    record.submission.values.some((v) => v.name === 'customer_company_name' && v.value === customer),
  );
const utf8Bytes = (values: readonly { name: string; value: string }[]) =>
  values.reduce((bytes, { name, value }) => bytes + Buffer.byteLength(name + value), 0);

describe('a submission larger than Dealreg keeps', () => {
  it('with more than 200 values: the sweep stores it refused at intake, saying so, and tells the submitter', async () => {
    // prepare: its webhook is lost, so only the sweep can take it in
    const before = (await webhookStats()).workflowDelivered + (await webhookStats()).workflowDropped;
    const failedBefore = (await webhookStats()).workflowFailed;
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitValues([
        ...registrationValues({ customer_company_name: 'Customer many-values' }),
        ...Array.from({ length: 250 }, (_, index) => ({ name: 'products', value: `Extra ${index}` })),
      ]);
      await webhooksSettled(before + failedBefore + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // act
    const result = await sweep(0);
    // assess
    expect(result).toMatchObject({ malformed: 0, failed: 0, rejected: 1 });
    const stored = await storedWith('Customer many-values');
    expect(stored?.status).toBe('rejected');
    expect(stored?.receivedVia).toBe('backfill');
    expect(stored?.submission.values).toHaveLength(200);
    expect(stored?.problems?.map((problem) => problem.message)).toContain(
      'The submission has 262 values; Dealreg keeps at most 200 (256 KB together): the registration is refused, and only its first 200 values are kept. Submit the form again with fewer answers.',
    );
    expect(stored?.submitterNotifiedAt).toBeDefined();
  });

  it('with values over 256 KB together: stored refused, its values cut to 256 KB', async () => {
    // prepare
    const before = await webhookStats();
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitValues([
        ...registrationValues({ customer_company_name: 'Customer long-values' }),
        ...Array.from({ length: 5 }, () => ({ name: 'deal_description', value: 'é'.repeat(30_000) })),
      ]);
      await webhooksSettled(before.workflowDelivered + before.workflowDropped + before.workflowFailed + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // act
    const result = await sweep(0);
    // assess
    expect(result).toMatchObject({ malformed: 0, failed: 0, rejected: 1 });
    const stored = await storedWith('Customer long-values');
    expect(stored?.status).toBe('rejected');
    expect(utf8Bytes(stored?.submission.values ?? [])).toBeLessThanOrEqual(256 * 1024);
    expect(utf8Bytes(stored?.submission.values ?? [])).toBeGreaterThan(256 * 1024 - 16);
    expect(stored?.submission.values.slice(0, 12)).toEqual(
      registrationValues({ customer_company_name: 'Customer long-values' }),
    );
    expect(stored?.problems?.map((problem) => problem.message).join('\n')).toMatch(
      /The submission has 17 values, \d+ KB together; Dealreg keeps at most 256 KB \(200 values\): the registration is refused, and only its first \d+ values are kept, the last of them shortened\. Submit the form again with shorter answers\./,
    );
  });

  it('with long values each problem quotes: stored refused within a DynamoDB item, the quotes shortened', async () => {
    // prepare: three fields of 60,000 characters, each refused quoting what was entered
    const before = await webhookStats();
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      await submitValues(
        registrationValues({
          customer_company_name: 'Customer long-quotes',
          email: 'e'.repeat(60_000),
          partner_company_domain: 'p'.repeat(60_000),
          customer_domain: 'c'.repeat(60_000),
        }),
      );
      await webhooksSettled(before.workflowDelivered + before.workflowDropped + before.workflowFailed + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // act
    const result = await sweep(0);
    // assess
    expect(result).toMatchObject({ malformed: 0, failed: 0, rejected: 1 });
    const stored = await storedWith('Customer long-quotes');
    expect(stored?.status).toBe('rejected');
    expect(stored?.submission.values.find((v) => v.name === 'email')?.value).toHaveLength(60_000);
    const email = stored?.problems?.find((problem) => problem.field === 'submitterEmail');
    expect(email?.message.length).toBeLessThan(1_100);
    expect(email?.message).toMatch(/^"e{999}… \(60,\d{3} characters, shortened\)$/);
    expect(email?.value).toBe(`${'e'.repeat(1000)}… (60,000 characters, shortened)`);
  });

  it('submitted on a page whose URL is longer than Dealreg keeps: taken in, the URL kept without its query', async () => {
    // prepare: a landing page whose tracking parameters make its URL 3,000 characters long; its
    // webhook is lost, so only the sweep can take it in
    const page = 'https://partners.example.com/register';
    const pageUri = `${page}?utm_source=${'x'.repeat(3_000)}#form`;
    const before = await webhookStats();
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 1 } });
    try {
      const response = await fetch(
        `${under.sandbox.url}/submissions/v3/integration/submit/${under.sandbox.portalId}/${formGuid}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            fields: registrationValues({ customer_company_name: 'Customer long-page-url' }),
            context: { pageUri },
          }),
        },
      );
      expect(response.status).toBe(200);
      await webhooksSettled(before.workflowDelivered + before.workflowDropped + before.workflowFailed + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // act
    const result = await sweep(0);
    // assess: a registration, not a submission reported as malformed and never taken in
    expect(result).toMatchObject({ malformed: 0, failed: 0, accepted: 1 });
    const stored = await storedWith('Customer long-page-url');
    expect(stored?.status).toBe('received');
    expect(stored?.receivedVia).toBe('backfill');
    expect(stored?.submission.pageUrl).toBe(page);
  });

  it('posted to the webhook with more than 200 values: taken in as refused, as the sweep does', async () => {
    // prepare: every webhook delivered
    const before = await webhookStats();
    await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0 } });
    try {
      // act
      await submitValues([
        ...registrationValues({ customer_company_name: 'Customer many-values-webhook' }),
        ...Array.from({ length: 200 }, (_, index) => ({ name: 'products', value: `Extra ${index}` })),
      ]);
      await webhooksSettled(before.workflowDelivered + before.workflowDropped + before.workflowFailed + 1);
    } finally {
      await under.control('/_sandbox/webhooks', { method: 'PUT', body: { dropRate: 0.3 } });
    }
    // assess: answered 2xx, not refused as malformed
    const after = await webhookStats();
    expect(after.workflowFailed).toBe(before.workflowFailed);
    expect(after.workflowDelivered).toBe(before.workflowDelivered + 1);
    const stored = await storedWith('Customer many-values-webhook');
    expect(stored?.status).toBe('rejected');
    expect(stored?.receivedVia).toBe('webhook');
    expect(stored?.submission.values).toHaveLength(200);
    expect(stored?.problems?.map((problem) => problem.message)).toContain(
      'The submission has 212 values; Dealreg keeps at most 200 (256 KB together): the registration is refused, and only its first 200 values are kept. Submit the form again with fewer answers.',
    );
  });
});
