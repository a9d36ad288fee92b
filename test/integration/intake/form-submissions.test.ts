import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import type { RegistrationWorkflow } from '#ports/registration-workflow.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { triggerDependencies } from '#test/support/intake-triggers.ts';
import { LocalRegistrationWorkflow } from '#test/support/recording-registration-workflow.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { receiveSubmission } from '#use-cases/receive-submission.ts';

const secret = 'test-client-secret';
/** The intake's clock: when Dealreg receives what is posted. */
let now = new Date('2026-11-24T09:00:05Z');
const day = 86_400_000;

let tables: TestTables;
let mailbox: LocalMailbox;
let workflow: LocalRegistrationWorkflow;
/** Lets a test make the next workflow start fail, as if the process died right after storing. */
let failNextStart = false;
let api: RunningApiServer;
let endpoint: string;

beforeAll(async () => {
  tables = await createTestTables();
  mailbox = new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-mail-')));
  const crashingWorkflow: RegistrationWorkflow = {
    start: async (input) => {
      if (failNextStart) {
        failNextStart = false;
        throw new Error('process died before the workflow started');
      }
      return workflow.start(input);
    },
  };
  const handler = createFormSubmissionsHandler({
    inbox: new DynamoDbRegistrationInbox(tables.documentClient, tables.tableName('Registrations')),
    workflow: crashingWorkflow,
    mailer: mailbox,
    formFieldMapping: defaultFormFieldMapping,
    now: () => now,
    clientSecret: async () => secret,
    ...triggerDependencies(tables),
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/form-submissions', handler }] });
  endpoint = `${api.url}/hubspot/form-submissions`;
});

afterAll(async () => {
  await api.stop();
});

beforeEach(async () => {
  workflow = new LocalRegistrationWorkflow();
  failNextStart = false;
  await mailbox.clear();
});

function storedRegistrations(): Promise<StoredRegistration[]> {
  return scanStoredRegistrations(tables.documentClient, tables.tableName('Registrations'));
}

const post = (body: string | Uint8Array<ArrayBuffer>, options: Partial<Parameters<typeof deliver>[2]> = {}) =>
  deliver(endpoint, body, { secret, timestamp: now.getTime() - 1000, ...options });

describe('POST /hubspot/form-submissions', () => {
  it('takes a submission HubSpot signed with v2, where it sends no v3', async () => {
    const submission = formSubmission();
    const response = await post(JSON.stringify(submission), { signatureVersion: 'v2' });
    expect(response.status).toBe(202);
    const registrationId = registrationIdFor(submission.conversionId);
    expect((await storedRegistrations()).map((r) => r.registrationId)).toContain(registrationId);
  });

  it('stores a new valid submission, starts its workflow and answers 202', async () => {
    const submission = formSubmission();
    const response = await post(JSON.stringify(submission));
    expect(response.status).toBe(202);
    const registrationId = registrationIdFor(submission.conversionId);
    expect(await response.json()).toEqual({ outcome: 'accepted', registrationId, status: 'received' });

    const stored = (await storedRegistrations()).find((r) => r.registrationId === registrationId);
    expect(stored?.submission).toEqual(submission);
    expect(stored?.details?.customerDomain).toBe('contoso.com');
    expect(workflow.executions().map((e) => e.name)).toEqual([registrationId]);
  });

  it('starts the workflow of a later delivery again until the workflow has run, and never after', async () => {
    const submission = formSubmission();
    const registrationId = registrationIdFor(submission.conversionId);
    expect((await post(JSON.stringify(submission))).status).toBe(202);
    // Step Functions forgets a closed execution's name after 90 days: a fresh port stands for that.
    workflow = new LocalRegistrationWorkflow();
    expect((await post(JSON.stringify(submission))).status).toBe(200);
    expect(workflow.executions().map((e) => e.name)).toEqual([registrationId]);

    // The workflow's first step records progress; from then on a delivery starts nothing.
    await new DynamoDbRegistrationBook(tables.documentClient, tables.tableName('Registrations')).saveProgress(
      registrationId,
      { status: 'in-review', updatedAt: now.toISOString() },
    );
    workflow = new LocalRegistrationWorkflow();
    expect((await post(JSON.stringify(submission))).status).toBe(200);
    expect(workflow.executions()).toEqual([]);
  });

  it.each([
    ['a space sent as +', '?source=hubspot+forms'],
    ['a space sent as %20', '?source=hubspot%20forms'],
    ['a parameter without a value', '?source=hubspot&debug'],
    ['both, and characters HubSpot decodes before signing', '?debug&tag=a+b&at=x%40y.example'],
  ])('takes a submission signed over a webhook URL whose query has %s', async (_case, query) => {
    const submission = formSubmission();
    const response = await deliver(`${endpoint}${query}`, JSON.stringify(submission), {
      secret,
      timestamp: now.getTime() - 1000,
    });
    expect(response.status).toBe(202);
    const registrationId = registrationIdFor(submission.conversionId);
    expect((await storedRegistrations()).map((r) => r.registrationId)).toContain(registrationId);
  });

  it('still refuses a submission signed over another query', async () => {
    const response = await deliver(`${endpoint}?source=hubspot+forms`, JSON.stringify(formSubmission()), {
      secret,
      timestamp: now.getTime() - 1000,
      signUrl: `${endpoint}?source=hubspot+form`,
    });
    expect(response.status).toBe(401);
  });

  it('answers 200 with the same registration id for a redelivery and starts nothing new', async () => {
    const body = JSON.stringify(formSubmission());
    const first = await post(body);
    const second = await post(body);
    expect(second.status).toBe(200);
    const [a, b] = [(await first.json()) as object, (await second.json()) as object];
    expect(b).toEqual({ ...a, outcome: 'duplicate' });
    expect(workflow.executions()).toHaveLength(1);
  });

  it('stores an invalid submission as rejected with its reasons and emails the submitter what to fix', async () => {
    const submission = formSubmission({
      fields: { customer_domain: undefined, estimated_amount: 'lots' },
      pageUrl: 'https://partners.example.com/register-a-deal',
    });
    const response = await post(JSON.stringify(submission));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ outcome: 'rejected', status: 'rejected' });

    const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
    expect(stored?.status).toBe('rejected');
    expect(stored?.problems?.map((p) => p.formField)).toEqual(['customer_domain', 'estimated_amount']);
    expect(stored?.submitterNotifiedAt).toBe(now.toISOString());
    expect(workflow.executions()).toHaveLength(0);

    const mails = await mailbox.list();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['pat.partner@northwind-partners.com']);
    expect(mails[0]?.text).toContain('Customer domain is required');
    expect(mails[0]?.text).toContain('"lots" is not a number');
    expect(mails[0]?.links).toContain('https://partners.example.com/register-a-deal');
  });

  it('takes a pasted URL as its domain, and refuses a free email provider as the customer, saying what to enter', async () => {
    const pasted = formSubmission({
      fields: { customer_domain: 'HTTPS://WWW.Shop.Fabrikam.co.uk:8443/contact?ref=partner' },
    });
    expect(await (await post(JSON.stringify(pasted))).json()).toMatchObject({ outcome: 'accepted' });
    const freeMail = formSubmission({ fields: { customer_domain: 'ceo.fabrikam@gmail.com' } });
    const response = await post(JSON.stringify(freeMail));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ outcome: 'rejected', status: 'rejected' });

    const stored = await storedRegistrations();
    expect(stored.find((r) => r.conversionId === pasted.conversionId)?.customerDomain).toBe('fabrikam.co.uk');
    const refused = stored.find((r) => r.conversionId === freeMail.conversionId);
    expect(refused?.problems?.map((p) => p.formField)).toEqual(['customer_domain']);
    // What the partner typed is kept with the submission.
    expect(JSON.stringify(refused)).toContain('ceo.fabrikam@gmail.com');
    const mails = await mailbox.list();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain('is a free email provider (gmail.com)');
  });

  it('keeps a submission whose description is longer than Dealreg takes, and tells the partner how long it may be', async () => {
    // A text area takes what a partner pastes into it (an RFP's scope, say): far more than
    // Dealreg keeps as a description, well within what HubSpot stores.
    const submission = formSubmission({ fields: { deal_description: 'Scope of work. '.repeat(1000) } });
    const response = await post(JSON.stringify(submission));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ outcome: 'rejected', status: 'rejected' });
    const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
    expect(stored?.problems?.map((p) => p.message)).toEqual([
      'Deal description is at most 5000 characters (got 14999)',
    ]);
    const mails = await mailbox.list();
    expect(mails.map((mail) => mail.to)).toEqual([['pat.partner@northwind-partners.com']]);
  });

  it('emails the submitter of a rejected submission once, however often it is delivered', async () => {
    const body = JSON.stringify(formSubmission({ fields: { currency: 'ZZZ' } }));
    await Promise.all([post(body), post(body), post(body)]);
    await post(body);
    expect(await mailbox.list()).toHaveLength(1);
  });

  it('completes the job when the process died between storing and starting the workflow', async () => {
    const submission = formSubmission();
    failNextStart = true;
    const crashed = await post(JSON.stringify(submission));
    expect(crashed.status).toBe(500);
    const registrationId = registrationIdFor(submission.conversionId);
    expect((await storedRegistrations()).map((r) => r.registrationId)).toContain(registrationId);
    expect(workflow.executions()).toEqual([]);

    const redelivered = await post(JSON.stringify(submission));
    expect(redelivered.status).toBe(200);
    expect(workflow.executions().map((e) => e.name)).toEqual([registrationId]);
  });

  describe('refuses requests that are not signed HubSpot form submissions, and writes nothing', () => {
    it.each([
      ['a missing signature', { omitSignature: true }, 'the request is not signed'],
      ['a stale timestamp', { timestamp: now.getTime() - 6 * 60 * 1000 }, 'more than 5 minutes old'],
      [
        'a future timestamp',
        { timestamp: now.getTime() + 6 * 60 * 1000 },
        'more than 5 minutes in the future',
      ],
      ['another secret', { secret: 'forged' }, 'the signature does not match this request'],
      ['an altered body', { signBody: '{}' }, 'the signature does not match this request'],
      ['another URL', { signUrl: 'https://evil.example/hubspot/form-submissions' }, 'does not match'],
      [
        'a v2 signature of another body',
        { signatureVersion: 'v2' as const, signBody: '{}' },
        'does not match',
      ],
    ])('401 for %s', async (_case, options, reason) => {
      const before = (await storedRegistrations()).length;
      const response = await post(JSON.stringify(formSubmission()), options);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe('signature_rejected');
      expect(body.message).toContain(reason);
      expect(await storedRegistrations()).toHaveLength(before);
    });

    it.each([
      ['v3', 'v3' as const],
      ['v2', 'v2' as const],
    ])(
      '400 for a body signed with %s that is not UTF-8, 401 when it is signed as another',
      async (_v, version) => {
        const before = (await storedRegistrations()).length;
        const text = JSON.stringify(formSubmission({ fields: { company: 'Café' } }));
        // The same JSON in Latin-1: "é" is the single byte 0xE9, which is not UTF-8.
        const body = new Uint8Array(Buffer.from(text, 'latin1'));

        const signed = await post(body, { signatureVersion: version });
        const forged = await post(body, { signatureVersion: version, signBody: text });

        expect(signed.status).toBe(400);
        expect(await signed.json()).toMatchObject({
          error: 'malformed_request',
          message: 'the body is not valid UTF-8; send the JSON encoded as UTF-8',
          problems: [{ path: '(body)', message: 'not valid UTF-8' }],
        });
        expect(forged.status).toBe(401);
        expect(await forged.json()).toMatchObject({ error: 'signature_rejected' });
        expect(await storedRegistrations()).toHaveLength(before);
      },
    );

    it('400 for malformed JSON', async () => {
      const before = (await storedRegistrations()).length;
      const response = await post('{"conversionId": "x",');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'malformed_request',
        problems: [{ path: '(body)' }],
      });
      expect(await storedRegistrations()).toHaveLength(before);
    });

    it('400 naming each field of a body that is not a form submission', async () => {
      const before = (await storedRegistrations()).length;
      const response = await post(JSON.stringify({ conversionId: 42, values: 'none' }));
      expect(response.status).toBe(400);
      const body = (await response.json()) as { problems: { path: string }[] };
      expect(body.problems.map((p) => p.path)).toEqual(['conversionId', 'values']);
      expect(await storedRegistrations()).toHaveLength(before);
    });

    it('415 for a body that is not JSON', async () => {
      const before = (await storedRegistrations()).length;
      const response = await post(JSON.stringify(formSubmission()), { contentType: 'text/plain' });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_content_type' });
      expect(await storedRegistrations()).toHaveLength(before);
    });

    it('413 for an oversize body', async () => {
      const before = (await storedRegistrations()).length;
      const huge = formSubmission({ fields: { deal_description: 'x'.repeat(300_000) } });
      const response = await post(JSON.stringify(huge));
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
      expect(await storedRegistrations()).toHaveLength(before);
    });
  });

  describe('the time a submission claims', () => {
    it.each([30, 60, 90])(
      'stores a claim backdated by %i days as rejected, with the reason, and tells the submitter',
      async (days) => {
        // prepare
        const claimed = now.getTime() - days * day;
        const submission = formSubmission({ submittedAt: claimed });
        // act
        const response = await post(JSON.stringify(submission));
        // assess
        expect(response.status).toBe(202);
        expect(await response.json()).toMatchObject({ outcome: 'rejected', status: 'rejected' });
        const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
        expect(stored).toMatchObject({
          status: 'rejected',
          submittedAt: new Date(claimed).toISOString(),
          receivedAt: now.toISOString(),
          submission,
        });
        expect(stored?.customerDomain).toBeUndefined();
        expect(stored?.problems).toEqual([
          {
            field: 'submittedAt',
            label: 'Submission time',
            formField: 'submittedAt',
            message: `The submission time ${new Date(claimed).toISOString()} is ${days} days before Dealreg received the registration (${now.toISOString()}), more than the 72 hours allowed. A registration takes its place from when Dealreg receives it: submit the form again.`,
            value: String(claimed),
          },
        ]);
        expect(workflow.executions()).toHaveLength(0);
        const [mail] = await mailbox.list();
        expect(mail?.to).toEqual(['pat.partner@northwind-partners.com']);
        expect(mail?.text).toContain(`${days} days before Dealreg received the registration`);
        expect(mail?.text).toContain('Received: 24 Nov 2026, 09:00 UTC');
      },
    );

    it.each([
      ['year 10000', Date.UTC(10000, 0, 1), undefined, 'past the year 9999'],
      ['8.64e15 + 1', 8.64e15 + 1, undefined, 'past the year 9999'],
      ['a negative time', -1, undefined, 'before the year 2000'],
      ['text', 'last quarter', undefined, 'got "last quarter"'],
      ['no time', undefined, undefined, 'carries no submission time'],
      [
        'a number too large for DynamoDB',
        1e300,
        undefined,
        'The submission time 1e+300 is past the year 9999',
      ],
      ['a time next year', Date.UTC(2027, 10, 24), '2027-11-24T00:00:00.000Z', 'after Dealreg received'],
    ])('stores %s as rejected with the reason, never a 5xx', async (_case, claimed, storedClaim, reason) => {
      // prepare: JSON text, so a number past 2^53 or 1e300 reaches the handler as sent
      const submission = formSubmission();
      const body = JSON.stringify({ ...submission, submittedAt: claimed });
      // act
      const response = await post(body);
      // assess
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ outcome: 'rejected', status: 'rejected' });
      const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
      expect(stored?.status).toBe('rejected');
      expect(stored?.submittedAt).toBe(storedClaim);
      expect(stored?.receivedAt).toBe(now.toISOString());
      expect(stored?.problems?.map((problem) => problem.message)).toEqual([expect.stringContaining(reason)]);
      expect(workflow.executions()).toHaveLength(0);
      expect(await mailbox.list()).toHaveLength(1);
    });

    it("stores the fields' problems and the time's problem together", async () => {
      const submission = formSubmission({ submittedAt: -5, fields: { customer_domain: undefined } });
      await post(JSON.stringify(submission));
      const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
      expect(stored?.problems?.map((problem) => problem.formField)).toEqual([
        'customer_domain',
        'submittedAt',
      ]);
    });

    it('accepts an honest claim, and keeps the first receipt time when the submission comes again later', async () => {
      // prepare
      const submission = formSubmission({ submittedAt: now.getTime() - 5_000 });
      const first = await post(JSON.stringify(submission));
      expect(await first.json()).toMatchObject({ outcome: 'accepted' });
      const firstReceipt = now;
      // act: the backfill or a HubSpot retry brings it again ten minutes later
      now = new Date(firstReceipt.getTime() + 10 * 60_000);
      try {
        const again = await post(JSON.stringify(submission));
        expect(again.status).toBe(200);
      } finally {
        now = firstReceipt;
      }
      // assess
      const stored = (await storedRegistrations()).find((r) => r.conversionId === submission.conversionId);
      expect(stored?.receivedAt).toBe(firstReceipt.toISOString());
      expect(stored?.submittedAt).toBe(new Date(now.getTime() - 5_000).toISOString());
    });
  });

  it('never answers 5xx to random bodies and never leaves a partial write', async () => {
    const field = fc.oneof(
      fc.string(),
      fc.constantFrom('', 'acme.com', '2027-01-01', '100', 'USD', 'a@b.co'),
    );
    const arbitraryBody = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({
          conversionId: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
          submittedAt: fc.oneof(
            fc.integer(),
            fc.constant(now.getTime()),
            fc.string(),
            fc.double(),
            fc.constantFrom(8.64e15 + 1, Date.UTC(10000, 0, 1), -1, 1e300),
            fc.integer({ min: now.getTime() - 100 * day, max: now.getTime() + 100 * day }),
            fc.anything(),
          ),
          values: fc.oneof(
            fc.array(
              fc.record({
                name: fc.constantFrom('email', 'customer_domain', 'estimated_amount', 'x'),
                value: field,
              }),
            ),
            fc.anything(),
          ),
        })
        .map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(arbitraryBody, async (body) => {
        const response = await post(body);
        expect(response.status).toBeLessThan(500);
        const answer = (await response.json()) as {
          registrationId?: string;
          outcome?: string;
          triggerId?: string;
        };
        if (response.status >= 400) return;
        // A JSON object without a conversionId is a workflow record: a trigger, stored, no registration.
        if (answer.outcome === 'trigger') {
          expect(answer.triggerId).toMatch(/^[0-9a-f]{64}$/);
          return;
        }
        const stored = (await storedRegistrations()).find((r) => r.registrationId === answer.registrationId);
        // A stored registration is complete: valid ones have a started workflow, rejected ones their reasons.
        expect(stored).toBeDefined();
        if (stored?.status === 'rejected') expect(stored.problems?.length).toBeGreaterThan(0);
        else expect(workflow.executions().map((e) => e.name)).toContain(stored?.registrationId);
      }),
      { numRuns: 150 },
    );
  });
});

describe('with the deployment setting dealreg:registrationFormUrl', () => {
  const registrationFormUrl = 'https://partners.northwind.test/deal-registration';
  const intake = () => ({
    inbox: new DynamoDbRegistrationInbox(tables.documentClient, tables.tableName('Registrations')),
    workflow,
    mailer: mailbox,
    formFieldMapping: defaultFormFieldMapping,
    now: () => now,
    registrationFormUrl,
  });

  it('links the partner to the registration form from the email saying what to fix, also when the submission names no page', async () => {
    // prepare: submitted through the Forms API from a tool, which sends no page
    const submission = formSubmission({ fields: { customer_domain: undefined } });
    // act
    const result = await receiveSubmission(intake(), submission, 'backfill');
    // assess
    expect(result.outcome).toBe('rejected');
    const [mail] = await mailbox.list();
    expect(mail?.text).toContain('Customer domain is required');
    expect(mail?.links).toContain(registrationFormUrl);
  });

  it('links the registration form rather than the page a submission came from', async () => {
    const submission = formSubmission({
      fields: { estimated_amount: 'lots' },
      pageUrl: 'https://www.northwind.test/blog/some-post',
    });
    await receiveSubmission(intake(), submission, 'webhook');
    const [mail] = await mailbox.list();
    expect(mail?.links).toContain(registrationFormUrl);
    expect(mail?.links).not.toContain('https://www.northwind.test/blog/some-post');
  });
});
