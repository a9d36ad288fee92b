import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createApprovalsHandler } from '#handlers/approvals-handler.ts';
import { createCrmEventsHandler } from '#handlers/crm-events-handler.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import {
  createSubmissionBackfillHandler,
  type SubmissionBackfillSummary,
} from '#handlers/submission-backfill-handler.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { defaultPolicyFile } from '#lib/dealreg-app.ts';
import {
  allTables,
  approvalsTable,
  ledgerTable,
  registrationsTable,
  sweeperStateTable,
} from '#lib/tables/index.ts';
import { taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';
import { writeDigest } from '#use-cases/ledger-digest.ts';
import type { ReceiveSubmissionDependencies } from '#use-cases/receive-submission.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';
import { renderRegistrationWorkflowAsl } from '#workflows/registration-workflow.ts';
import {
  type ApiGatewayHandler,
  type LocalRoute,
  lambdaContext,
  type RunningApiServer,
  startApiServer,
} from './api-server.ts';
import { VirtualClock } from './clock.ts';
import { createTables, localClientConfig } from './create-tables.ts';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type RunningHubSpotSandbox, readSeedFile, startHubSpotSandbox } from './hubspot-sandbox/index.ts';
import { renderMailboxPage } from './mailbox-page.ts';
import { localReportsBuckets, startLocalPreQbrCheck } from './pre-qbr-check.ts';
import { startLocalRegistrationWorkflow } from './registration-workflow.ts';
import {
  clockRoutes,
  executionRoutes,
  LocalWorkflowRunner,
  RunnerRegistrationWorkflow,
} from './workflow-runner/index.ts';

export interface LocalStackOptions {
  /** Port of the API; default a free one. */
  readonly port?: number | undefined;
  /** Where local state goes (`local.json`, the mailbox); default `.dealreg`. */
  readonly dataDir?: string | undefined;
  /** Seed the HubSpot sandbox with the demo portal (partners, customers, reps, deals); default true. */
  readonly demoData?: boolean | undefined;
  /** How often the backfill sweeps the form, like the deployed schedule; default every 5 minutes. */
  readonly backfillIntervalMs?: number | undefined;
  /** The policy the workflow enforces; default `policy/default-policy.json`. */
  readonly policyFile?: string | undefined;
  /**
   * How often a ledger digest is written under `<data dir>/ledger-digests/`, as the deployed
   * schedule writes them to the Object Lock bucket; default every hour.
   */
  readonly digestIntervalMs?: number | undefined;
  /** Aborts a start-up still under way: what was started is stopped, and the start rejects. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * How long `stop()` waits for its steps, together. A step still busy then (a server waiting on a
 * handler, a child slow to exit) is left to finish on its own, so a stop takes seconds however
 * much work is queued, and no step holds back the ones after it.
 */
const stopBudgetMs = 2_000;

/** Frozen demo rates (USD per unit); deployments set theirs with the dealreg:usdRates setting. */
const demoUsdRates = { EUR: '1.08', GBP: '1.27' };

/** What `.dealreg/local.json` holds: everything a client of the local stack needs. */
export interface LocalStackDescription {
  readonly api: string;
  readonly dynamodb: { readonly endpoint: string };
  readonly tables: Record<string, string>;
  readonly hubspot: {
    readonly url: string;
    readonly accessToken: string;
    readonly portalId: number;
    /** The deal-registration form partners submit. */
    readonly formGuid: string;
  };
  readonly webhookClientSecret: string;
  readonly mailbox: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface RunningLocalStack {
  readonly description: LocalStackDescription;
  /** Runs the deployed state machine definitions on the virtual clock. */
  readonly runner: LocalWorkflowRunner;
  readonly clock: VirtualClock;
  readonly mailbox: LocalMailbox;
  /** Runs the scheduled backfill once now, over the given forms or the configured ones. */
  sweep(formGuids?: readonly string[]): Promise<SubmissionBackfillSummary>;
  stop(): Promise<void>;
}

const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body, null, 2) });

const backfillRequestSchema = z.object(
  {
    formGuids: z
      .array(z.string().trim().min(1), { error: 'formGuids must be a list of form GUIDs' })
      .min(1)
      .optional(),
  },
  { error: 'the body must be a JSON object such as {"formGuids": ["…"]}' },
);

const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** `DEALREG_LOG_LEVEL` for the local stack's handlers; warnings and errors only unless asked. */
function localLogLevel(setting: string | undefined): (typeof logLevels)[number] {
  if (setting === undefined || setting === '') return 'WARN';
  const level = logLevels.find((candidate) => candidate === setting.toUpperCase());
  if (level === undefined)
    throw new Error(`DEALREG_LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${setting}"`);
  return level;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts Dealreg on one machine: DynamoDB Local with the deployed tables, the same handlers
 * behind a local API, the mailbox and the registration workflow, and writes `local.json`.
 * Everything started is stopped by `stop()`, also when start-up fails half-way.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const dataDir = resolve(options.dataDir ?? '.dealreg');
  const stopping: (() => Promise<void>)[] = [];
  const stop = async () => {
    const deadline = Date.now() + stopBudgetMs;
    for (const step of stopping.reverse()) {
      const done = step().catch(() => undefined);
      await Promise.race([done, sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false })]);
    }
    stopping.length = 0;
  };
  try {
    await mkdir(dataDir, { recursive: true });
    // The ledger key lives beside the digests; the CLI reads the same file.
    const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
    const mailboxDir = join(dataDir, 'mailbox');
    await rm(mailboxDir, { recursive: true, force: true });

    const dynamodb: RunningDynamoDbLocal = await startDynamoDbLocal();
    stopping.push(() => dynamodb.stop());
    options.signal?.throwIfAborted();
    const tables = await createTables(dynamodb.endpoint, allTables);
    const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
    stopping.push(async () => client.destroy());
    const documentClient = documentClientOver(client);

    const webhookClientSecret = randomBytes(24).toString('base64url');
    const mailbox = new LocalMailbox(mailboxDir);
    // Workflows run the deployed definitions on a virtual clock, so SLA timers fire when it is moved.
    const clock = new VirtualClock(new Date());
    const runner = new LocalWorkflowRunner({ clock, objectStore: localReportsBuckets(dataDir) });
    stopping.push(() => runner.close());
    // The intake starts executions through this port; the steps are registered once the sandbox runs.
    const workflowDefinition = renderRegistrationWorkflowAsl();
    const workflow = new RunnerRegistrationWorkflow(runner, workflowDefinition);
    const logger = new Logger({
      serviceName: 'dealreg-local',
      logLevel: localLogLevel(process.env.DEALREG_LOG_LEVEL),
    });
    const now = () => new Date();

    const tableName = (logicalName: string) => tables[logicalName] ?? logicalName;
    const intake: ReceiveSubmissionDependencies = {
      inbox: new DynamoDbRegistrationInbox(documentClient, tableName(registrationsTable.logicalName)),
      workflow,
      mailer: mailbox,
      formFieldMapping: defaultFormFieldMapping,
      now,
    };
    // HubSpot's CRM change batches land in the ledger; the handler needs the sandbox, started below.
    let crmEvents: ApiGatewayHandler = async () => {
      throw new Error('the local stack is still starting');
    };

    // Approvers open emailed links here; a decision resumes the waiting workflow's callback task.
    const approvalStore = new DynamoDbApprovalStore(documentClient, tableName(approvalsTable.logicalName));
    const approvalSigningKey = new ApprovalSigningKey(randomBytes(32));
    const approvals = createApprovalsHandler({
      store: approvalStore,
      callback: taskTokenDecisionCallback(
        approvalStore,
        async (taskToken, output) => runner.sendTaskSuccess(taskToken, output),
        logger,
      ),
      signingKey: async () => approvalSigningKey,
      now: () => clock.now(),
      logger,
    });
    const policy = loadPolicy(await readFile(options.policyFile ?? defaultPolicyFile, 'utf8'));
    // Partners ask for the one extension from the expiry warning's link.
    const extensionRequests = createExtensionRequestsHandler({
      store: new DynamoDbExtensionRequestStore(documentClient, tableName(registrationsTable.logicalName)),
      sendTaskSuccess: async (taskToken, output) => runner.sendTaskSuccess(taskToken, output),
      signingKey: async () => approvalSigningKey,
      now: () => clock.now(),
      timeZone: policy.policy.calendar.timeZone,
      logger,
    });
    const formSubmissions = createFormSubmissionsHandler({
      ...intake,
      clientSecret: async () => webhookClientSecret,
      logger,
    });

    const localRoutes: LocalRoute[] = [
      { method: 'GET', path: '/_local/mail', respond: async () => json(await mailbox.list()) },
      {
        method: 'GET',
        path: '/_local/mail/ui',
        respond: async () => ({
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: renderMailboxPage(await mailbox.list()),
        }),
      },
      ...clockRoutes(clock),
      ...executionRoutes(runner),
      {
        method: 'POST',
        path: '/_local/backfill',
        respond: async ({ body }) => {
          const request = backfillRequestSchema.safeParse(body.trim() === '' ? {} : safeJson(body));
          if (!request.success) {
            return {
              status: 400,
              body: JSON.stringify({ error: 'malformed_request', message: request.error.issues[0]?.message }),
            };
          }
          return json(await sweep(request.data.formGuids));
        },
      },
    ];
    const api: RunningApiServer = await startApiServer({
      port: options.port,
      routes: [
        { method: 'POST', path: '/hubspot/form-submissions', handler: formSubmissions },
        {
          method: 'POST',
          path: '/hubspot/crm-events',
          handler: (event, context) => crmEvents(event, context),
        },
        { method: 'GET', path: '/approvals/{approvalId}', handler: approvals },
        { method: 'POST', path: '/approvals/{approvalId}', handler: approvals },
        { method: 'GET', path: '/registrations/{registrationId}/extension', handler: extensionRequests },
        { method: 'POST', path: '/registrations/{registrationId}/extension', handler: extensionRequests },
      ],
      localRoutes,
    });
    stopping.push(() => api.stop());
    options.signal?.throwIfAborted();

    // The HubSpot sandbox posts each form submission to the API, signed, as a HubSpot workflow does.
    const seed = await readSeedFile();
    const sandbox: RunningHubSpotSandbox = await startHubSpotSandbox({
      seed: options.demoData === false ? { forms: seed.forms ?? [] } : seed,
      workflowWebhook: { url: `${api.url}/hubspot/form-submissions`, clientSecret: webhookClientSecret },
      crmWebhook: { url: `${api.url}/hubspot/crm-events`, clientSecret: webhookClientSecret },
    });
    stopping.push(() => sandbox.stop());
    options.signal?.throwIfAborted();
    const formGuid = seed.forms?.[0]?.guid;
    if (formGuid === undefined) throw new Error('the HubSpot sandbox seed defines no deal-registration form');

    const hubspot = sharedHubSpotConnection({ accessToken: sandbox.accessToken, basePath: sandbox.url });
    // The registration workflow's steps: the same handler the Lambda function runs, on local adapters.
    await startLocalRegistrationWorkflow({
      runner,
      clock,
      client,
      documentClient,
      tables: {
        registrations: tableName(registrationsTable.logicalName),
        approvals: tableName(approvalsTable.logicalName),
        ledger: tableName(ledgerTable.logicalName),
      },
      ledgerKey,
      hubspot,
      portalId: sandbox.portalId,
      mailer: mailbox,
      signingKey: approvalSigningKey,
      apiBaseUrl: api.url,
      policy,
      usdRates: demoUsdRates,
      logger,
      definition: workflowDefinition,
    });
    // The pre-QBR check, started every working morning on the virtual clock as the Scheduler starts it.
    const preQbr = startLocalPreQbrCheck({
      runner,
      clock,
      client,
      documentClient,
      tables: {
        ledger: tableName(ledgerTable.logicalName),
        registrations: tableName(registrationsTable.logicalName),
      },
      hubspot,
      portalId: sandbox.portalId,
      mailer: mailbox,
      policy,
      dataDir,
      onScheduleError: (error) => logger.error('the scheduled pre-QBR check did not start', { error }),
    });
    stopping.push(async () => preQbr.stop());
    const ledgerStore = new DynamoDbLedgerStore(client, tableName(ledgerTable.logicalName));
    crmEvents = createCrmEventsHandler({
      store: ledgerStore,
      ledgerKey,
      deals: new HubSpotDealLookup(hubspot),
      settings: crmEventSettings({ usdRates: demoUsdRates }),
      now,
      clientSecret: async () => webhookClientSecret,
      logger,
    });

    // The backfill runs on a timer, as EventBridge Scheduler runs it in AWS, through the same handler.
    const backfill = createSubmissionBackfillHandler({
      submissions: new HubSpotAdapter(hubspot, { portalId: sandbox.portalId }),
      sweepState: new DynamoDbSweepStateStore(documentClient, tableName(sweeperStateTable.logicalName)),
      intake,
      formGuids: [formGuid],
      logger,
    });
    const sweep = (formGuids?: readonly string[]) =>
      backfill(
        formGuids === undefined ? {} : { formGuids },
        lambdaContext('dealreg-submission-backfill', 5 * 60_000),
      );
    const timer = setInterval(
      () => {
        sweep().catch((error: unknown) => logger.error('scheduled backfill failed', { error }));
      },
      options.backfillIntervalMs ?? 5 * 60_000,
    );
    timer.unref();
    stopping.push(async () => clearInterval(timer));

    // Ledger digests on a timer, as the deployed schedule writes them, into the files
    // `dealreg ledger verify` checks the ledger against.
    const digests = {
      store: ledgerStore,
      digests: new FileDigestStore(localDigestDirectory(dataDir)),
      ledgerKey,
      everySeconds: Math.max(1, Math.round((options.digestIntervalMs ?? 60 * 60_000) / 1000)),
      now,
    };
    await writeDigest(digests).catch((error: unknown) => logger.error('ledger digest failed', { error }));
    let digesting = false;
    const digestTimer = setInterval(
      () => {
        if (digesting) return; // a digest run still under way: digests are numbered one after another
        digesting = true;
        writeDigest(digests)
          .catch((error: unknown) => logger.error('scheduled ledger digest failed', { error }))
          .finally(() => {
            digesting = false;
          });
      },
      options.digestIntervalMs ?? 60 * 60_000,
    );
    digestTimer.unref();
    stopping.push(async () => clearInterval(digestTimer));

    const description: LocalStackDescription = {
      api: api.url,
      dynamodb: { endpoint: dynamodb.endpoint },
      tables,
      hubspot: { url: sandbox.url, accessToken: sandbox.accessToken, portalId: sandbox.portalId, formGuid },
      webhookClientSecret,
      mailbox: mailboxDir,
      pid: process.pid,
      startedAt: now().toISOString(),
    };
    const descriptionFile = join(dataDir, 'local.json');
    await writeFile(descriptionFile, `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
    stopping.push(() => rm(descriptionFile, { force: true }));
    options.signal?.throwIfAborted();
    return { description, runner, clock, mailbox, sweep, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
