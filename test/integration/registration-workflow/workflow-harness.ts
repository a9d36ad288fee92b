import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import type { HubSpotConnectionSettings } from '#adapters/hubspot/connection.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { LocalMailbox, type MailboxEntry } from '#adapters/mail/local-mailbox.ts';
import { defaultPolicyFile } from '#bin/commands/policy.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createApprovalsHandler } from '#handlers/approvals-handler.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { createRegistrationStatusHandler } from '#handlers/registration-status-handler.ts';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { VirtualClock } from '#local/clock.ts';
import type { SandboxSeed } from '#local/hubspot-sandbox/index.ts';
import {
  type LocalRegistrationWorkflowOptions,
  startLocalRegistrationWorkflow,
} from '#local/registration-workflow.ts';
import {
  clockRoutes,
  LocalWorkflowRunner,
  type RunnerRegistrationWorkflow,
} from '#local/workflow-runner/index.ts';
import { synthesizeDealregApp } from '#test/infra/synthesize.ts';
import { synthesizedRegistrationWorkflowAsl } from '#test/infra/synthesized-workflow.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';
import { readChain } from '#use-cases/ledger-append.ts';
import { receiveSubmission } from '#use-cases/receive-submission.ts';
import type { RegistrationWorkflowAsl } from '#workflows/registration-workflow.ts';
import {
  associatedIdsOf,
  recordsOf,
  type SandboxUnderTest,
  startSandboxUnderTest,
} from '../hubspot/sandbox.ts';

/**
 * The portal the workflow tests run against: two partners; Contoso, a customer nobody sells to
 * yet; Globex, with an open deal and a meeting of a direct rep; Initech, closed won last
 * summer. Deal amounts in USD.
 */
/**
 * Who takes part in the workflow under test: the partner contact the form submissions come from
 * (`test/support/submissions.ts`) and the approvers of the default policy.
 */
export const workflowPeople = {
  partner: 'pat.partner@northwind-partners.com',
  channelManager: 'channel-manager@example.com',
  director: 'partner-director@example.com',
  vpSales: 'vp-sales@example.com',
} as const;

export const workflowSeed: SandboxSeed = {
  owners: [{ id: '701', email: 'dana.reyes@vendor.example', firstName: 'Dana', lastName: 'Reyes' }],
  companies: [
    {
      id: '201',
      properties: { name: 'Northwind Partners', domain: 'northwind-partners.com', type: 'PARTNER' },
    },
    { id: '202', properties: { name: 'Rival Partners', domain: 'rival-partners.io', type: 'PARTNER' } },
    { id: '301', properties: { name: 'Contoso Ltd', domain: 'contoso.com', type: 'PROSPECT' } },
    { id: '302', properties: { name: 'Globex Corporation', domain: 'globex.com', type: 'PROSPECT' } },
    { id: '303', properties: { name: 'Initech', domain: 'initech.com', type: 'OTHER' } },
  ],
  deals: [
    {
      id: '401',
      createdAt: '2026-10-01T14:00:00Z',
      properties: {
        dealname: 'Globex – data platform',
        amount: '180000',
        deal_currency_code: 'USD',
        pipeline: 'default',
        dealstage: 'presentationscheduled',
        hubspot_owner_id: '701',
      },
    },
    {
      id: '402',
      createdAt: '2026-03-02T10:00:00Z',
      properties: {
        dealname: 'Initech – subscription',
        amount: '96000',
        deal_currency_code: 'USD',
        pipeline: 'default',
        dealstage: 'closedwon',
        closedate: '2026-06-28T00:00:00Z',
        hubspot_owner_id: '701',
      },
    },
  ],
  engagements: [
    {
      type: 'meetings',
      id: '501',
      properties: {
        hs_timestamp: '2026-11-03T15:00:00Z',
        hs_meeting_title: 'Globex discovery',
        hubspot_owner_id: '701',
      },
    },
  ],
  associations: [
    { from: { type: 'deals', id: '401' }, to: { type: 'companies', id: '302' } },
    { from: { type: 'deals', id: '402' }, to: { type: 'companies', id: '303' } },
    { from: { type: 'meetings', id: '501' }, to: { type: 'companies', id: '302' } },
  ],
} as SandboxSeed;

/** Asks DynamoDB for the capacity every request consumes and reports it, read and write units apart. */
function countCapacity(
  client: DynamoDBClient,
  report: (command: string, units: { read: number; write: number }) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const capacity of Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]) {
        const { ReadCapacityUnits, WriteCapacityUnits, CapacityUnits } = capacity as Record<
          string,
          number | undefined
        >;
        const command = context.commandName ?? 'unknown';
        const writes = /Put|Update|Delete|Write/.test(command);
        report(command, {
          read: ReadCapacityUnits ?? (writes ? 0 : (CapacityUnits ?? 0)),
          write: WriteCapacityUnits ?? (writes ? (CapacityUnits ?? 0) : 0),
        });
      }
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
}

/** Monday 23 November 2026, 09:00 in New York (the default policy's calendar). */
export const mondayMorning = new Date('2026-11-23T14:00:00Z');

export interface WorkflowUnderTest {
  /** The clock and runner of the running "process": `restart()` replaces both. */
  readonly clock: VirtualClock;
  readonly runner: LocalWorkflowRunner;
  /** The registration workflow port on the runner. */
  readonly workflow: RunnerRegistrationWorkflow;
  readonly mailbox: LocalMailbox;
  readonly api: RunningApiServer;
  /** The definitions the runner runs: by default the synthesised stack's. */
  readonly definition: RegistrationWorkflowAsl;
  readonly sandbox: SandboxUnderTest;
  readonly policy: LoadedPolicy;
  /**
   * Submits a registration through the intake (fields of the default form) and returns its id.
   * With `claimedAt` the submission claims that time, and the intake lets the claim through, as it
   * did before claims were checked (registrations stored then still hold such claims).
   */
  submit(
    fields?: Record<string, string | undefined>,
    options?: { claimedAt?: Date | undefined; pageUrl?: string | undefined },
  ): Promise<string>;
  /** Runs what can run without moving the clock. */
  settle(): Promise<void>;
  registration(registrationId: string): Promise<StoredRegistration>;
  /** Mails sent so far (optionally only to `to`, with `template`). */
  mails(filter?: { to?: string; template?: string }): Promise<MailboxEntry[]>;
  /** Opens an emailed approval link and presses a button on the page it shows. */
  decideLink(
    link: string,
    decision: 'approve' | 'approve-influenced' | 'reject' | 'request-info',
    text?: { reason?: string; question?: string; relationshipType?: string },
  ): Promise<{ status: number; body: string }>;
  /** Opens the approval link of the latest mail to `approver` and presses a button on the page. */
  decide(
    approver: string,
    decision: 'approve' | 'reject' | 'request-info',
    text?: { reason?: string; question?: string },
  ): Promise<{ status: number; body: string }>;
  /**
   * The states the registration's execution entered, each segment it ran (an Express execution)
   * following the Task that started it with the states it entered: the whole business path.
   */
  statesVisited(registrationId: string): string[];
  ledgerChain(opportunityId: string): Promise<LedgerEntry[]>;
  /** The stores and ledger key the steps use, for other use cases run against the same data. */
  readonly stores: {
    readonly book: DynamoDbRegistrationBook;
    readonly ledger: DynamoDbLedgerStore;
    readonly ledgerKey: LocalLedgerKey;
  };
  hubspotRecords(type: string): Promise<{ id: string; properties: Record<string, string> }[]>;
  /** Companies (`0-2`) a deal (`0-3`) is associated with in the sandbox. */
  companiesOfDeal(dealId: string): Promise<string[]>;
  /**
   * With `persistTo`: the process dies (the runner is dropped, not closed, once what it did is
   * saved) and starts again: a new runner on the same directory and a clock showing the same time,
   * the workflow wired to them again, its executions resumed.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The registration workflow end to end on one machine, as `dealreg local` runs it: the intake,
 * the definition CDK deploys on the local runner and virtual clock, the steps handler on
 * DynamoDB Local and the HubSpot sandbox, approvals and extension pages over HTTP, the mailbox.
 */
export async function startWorkflowUnderTest(
  options: {
    /** @default the registration workflow and its segments, of the synthesised stateless stack */
    definition?: RegistrationWorkflowAsl;
    policy?: unknown;
    /** What the HubSpot sandbox holds at the start. @default workflowSeed */
    seed?: SandboxSeed;
    /** Tables to use instead of fresh ones in the test run's DynamoDB Local (benchmarks bring their own). */
    tables?: Pick<TestTables, 'client' | 'documentClient' | 'tableName'>;
    /** Sees every DynamoDB request's consumed capacity (the client is asked to return it). */
    onCapacity?: (command: string, units: { read: number; write: number }) => void;
    /** Where the runner keeps its executions, for `restart()`. */
    persistTo?: string;
    /** Retries and their pauses of the HubSpot connection. */
    hubspot?: Pick<HubSpotConnectionSettings, 'retry' | 'sleep'>;
    /** The Partner Central stand-in co-sell talks to; without it nothing is shared with AWS. */
    partnerCentral?: LocalRegistrationWorkflowOptions['partnerCentral'];
    /** The ledger key the steps sign with (a CLI run against the same tables reads it from a file). */
    ledgerKey?: LocalLedgerKey;
    /** The registration form's address (`REGISTRATION_FORM_URL`); `null` runs without one, as it is optional. */
    registrationFormUrl?: string | null;
    /** USD per unit of each currency (`dealreg:usdRates`). @default `{ EUR: '1.08' }` */
    usdRates?: Readonly<Record<string, string>>;
  } = {},
): Promise<WorkflowUnderTest> {
  const tables =
    options.tables ?? (await createTestTables([registrationsTable, approvalsTable, ledgerTable]));
  if (options.onCapacity !== undefined) countCapacity(tables.client, options.onCapacity);
  const names = {
    registrations: tables.tableName(registrationsTable.logicalName),
    approvals: tables.tableName(approvalsTable.logicalName),
    ledger: tables.tableName(ledgerTable.logicalName),
  };
  const sandbox = await startSandboxUnderTest({ seed: options.seed ?? workflowSeed }, options.hubspot);
  const mailbox = new LocalMailbox(await mkdtemp(join(tmpdir(), 'dealreg-workflow-mail-')));
  let clock = new VirtualClock(mondayMorning);
  // The pauses between retries are not what these tests look at, and the clock must not move.
  let runner = new LocalWorkflowRunner({ clock, persistTo: options.persistTo, retryPauses: 'none' });
  const logger = new Logger({ serviceName: 'dealreg-workflow-test', logLevel: 'ERROR' });
  const signingKey = new ApprovalSigningKey('workflow-test-signing-key-0123456789abcdef');
  const policy = loadPolicy(options.policy ?? (await readFile(defaultPolicyFile, 'utf8')));

  const approvalStore = new DynamoDbApprovalStore(tables.documentClient, names.approvals);
  const approvals = createApprovalsHandler({
    store: approvalStore,
    callback: taskTokenDecisionCallback(
      approvalStore,
      async (token, output) => runner.sendTaskSuccess(token, output),
      logger,
    ),
    signingKey: async () => signingKey,
    now: () => clock.now(),
    logger,
  });
  const extensions = createExtensionRequestsHandler({
    store: new DynamoDbExtensionRequestStore(tables.documentClient, names.registrations),
    sendTaskSuccess: async (token, output) => runner.sendTaskSuccess(token, output),
    signingKey: async () => signingKey,
    now: () => clock.now(),
    timeZone: policy.policy.calendar.timeZone,
    logger,
  });
  const statusPages = createRegistrationStatusHandler({
    registrations: new DynamoDbRegistrationBook(tables.documentClient, names.registrations),
    signingKey: async () => signingKey,
    now: () => clock.now(),
    timeZone: policy.policy.calendar.timeZone,
    logger,
  });
  const api = await startApiServer({
    routes: [
      { method: 'GET', path: '/registrations/{registrationId}/status', handler: statusPages },
      { method: 'GET', path: '/approvals/{approvalId}', handler: approvals },
      { method: 'POST', path: '/approvals/{approvalId}', handler: approvals },
      { method: 'GET', path: '/registrations/{registrationId}/extension', handler: extensions },
      { method: 'POST', path: '/registrations/{registrationId}/extension', handler: extensions },
    ],
    localRoutes: clockRoutes(clock),
  });

  // By default the definition exactly as the synthesised stack deploys it.
  const definition =
    options.definition ?? synthesizedRegistrationWorkflowAsl(synthesizeDealregApp().statelessTemplate);
  // One key for the harness's life, so entries written before a restart still verify after it.
  const ledgerKey = options.ledgerKey ?? LocalLedgerKey.random();
  const startWorkflow = () =>
    startLocalRegistrationWorkflow({
      runner,
      clock,
      // Retries do not pause here (see the runner above), so throttling would use them up at once.
      unlimitedConcurrency: true,
      client: tables.client,
      documentClient: tables.documentClient,
      tables: names,
      ledgerKey,
      hubspot: sandbox.connection,
      portalId: sandbox.sandbox.portalId,
      mailer: mailbox,
      signingKey,
      apiBaseUrl: api.url,
      policy,
      usdRates: options.usdRates ?? { EUR: '1.08' },
      ...(options.registrationFormUrl === null
        ? {}
        : { registrationFormUrl: options.registrationFormUrl ?? 'https://partners.example.com/register' }),
      logger,
      partnerCentral: options.partnerCentral,
      definition,
    });
  let { workflow } = await startWorkflow();
  const inbox = new DynamoDbRegistrationInbox(tables.documentClient, names.registrations);
  const book = new DynamoDbRegistrationBook(tables.documentClient, names.registrations);
  const ledger = new DynamoDbLedgerStore(tables.client, names.ledger);

  const mails: WorkflowUnderTest['mails'] = async (filter = {}) =>
    (await mailbox.list()).filter(
      (mail) =>
        (filter.to === undefined || mail.to.includes(filter.to)) &&
        (filter.template === undefined || mail.template === filter.template),
    );

  const decideLink: WorkflowUnderTest['decideLink'] = async (link, decision, text = {}) => {
    const page = await fetch(link);
    const html = await page.text();
    const token = /name="t" value="([^"]+)"/.exec(html)?.[1];
    const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1];
    if (token === undefined || nonce === undefined) return { status: page.status, body: html };
    const form = new URLSearchParams({ t: token, nonce, decision, ...text });
    const response = await fetch(link.split('?')[0] ?? link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const body = await response.text();
    await runner.settle();
    return { status: response.status, body };
  };

  return {
    definition,
    get clock() {
      return clock;
    },
    get runner() {
      return runner;
    },
    get workflow() {
      return workflow;
    },
    mailbox,
    api,
    sandbox,
    policy,
    stores: { book, ledger, ledgerKey },
    async submit(fields = {}, options = {}) {
      const receivedAt = clock.now().getTime();
      const result = await receiveSubmission(
        {
          inbox,
          workflow,
          mailer: mailbox,
          formFieldMapping: defaultFormFieldMapping,
          now: () => clock.now(),
          ...(options.claimedAt === undefined ? {} : { submittedAtToleranceHours: Number.POSITIVE_INFINITY }),
        },
        formSubmission({
          submittedAt: options.claimedAt?.getTime() ?? receivedAt,
          ...(options.pageUrl === undefined ? {} : { pageUrl: options.pageUrl }),
          // Four months ahead of the virtual clock, so a registration stays valid as tests move it.
          fields: {
            expected_close_date: new Date(receivedAt + 120 * 86_400_000).toISOString().slice(0, 10),
            // A customer of its own domain has its own name, as a real one would.
            ...(fields.customer_domain === undefined
              ? {}
              : { customer_company_name: nameOfDomain(fields.customer_domain) }),
            ...fields,
          },
        }),
        'webhook',
      );
      await runner.settle();
      return result.registrationId;
    },
    settle: () => runner.settle(),
    async registration(registrationId) {
      const record = await book.get(registrationId);
      if (record === undefined) throw new Error(`no registration ${registrationId}`);
      return record;
    },
    mails,
    async decide(approver, decision, text = {}) {
      const [latest] = (await mails({ to: approver }))
        .filter((mail) => mail.links.some((link) => link.includes('/approvals/')))
        .slice(-1);
      const link = latest?.links.find((candidate) => candidate.includes('/approvals/'));
      if (link === undefined) throw new Error(`no approval link was mailed to ${approver}`);
      return decideLink(link, decision, text);
    },
    decideLink,
    statesVisited(registrationId) {
      return runner.statesVisited(registrationId, { nested: true });
    },
    ledgerChain: (opportunityId) => readChain(ledger, opportunityId),
    hubspotRecords: (type) => recordsOf(sandbox.sandbox.url, type),
    companiesOfDeal: (dealId) => associatedIdsOf(sandbox.sandbox.url, { typeId: '0-3', id: dealId }, '0-2'),
    async restart() {
      if (options.persistTo === undefined)
        throw new Error('restart() needs the harness started with persistTo');
      await runner.settle();
      await runner.persisted();
      clock = new VirtualClock(clock.now());
      runner = new LocalWorkflowRunner({ clock, persistTo: options.persistTo, retryPauses: 'none' });
      ({ workflow } = await startWorkflow());
      await runner.resume();
      await runner.settle();
    },
    async close() {
      await runner.close();
      await api.stop();
      await sandbox.stop();
    },
  };
}

/** "remind-me.com" → "Remind Me": a company name for a customer domain a test made up. */
function nameOfDomain(domain: string): string {
  const [label = domain] = domain.split('.');
  return label
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
