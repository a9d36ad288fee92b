import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { DynamoDbCoSellReconciliationWatermark } from '#adapters/dynamodb/co-sell-reconciliation-watermark.ts';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { HubSpotNotFoundError } from '#adapters/hubspot/errors.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import {
  partnerCentralCatalogs,
  partnerCentralReferrals,
} from '#adapters/partner-central/co-sell-catalogs.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createApprovalsHandler } from '#handlers/approvals-handler.ts';
import { createAwsReferralsHandler } from '#handlers/aws-referrals-handler.ts';
import { createCoSellEventsHandler } from '#handlers/co-sell-events-handler.ts';
import { createCrmEventsHandler } from '#handlers/crm-events-handler.ts';
import { createDealCardHandler } from '#handlers/deal-card-handler.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { createFormSubmissionsHandler } from '#handlers/form-submissions-handler.ts';
import { createRegistrationStatusHandler } from '#handlers/registration-status-handler.ts';
import {
  createSubmissionBackfillHandler,
  type SubmissionBackfillSummary,
} from '#handlers/submission-backfill-handler.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { coSellEventsRetryPolicy } from '#lib/constructs/co-sell-events-retry.ts';
import { defaultPolicyFile } from '#lib/dealreg-app.ts';
import {
  allTables,
  approvalsTable,
  ledgerTable,
  registrationsTable,
  sweeperStateTable,
} from '#lib/tables/index.ts';
import { shareUnsharedRegistrations } from '#use-cases/co-sell-catch-up.ts';
import { runCoSellReconciliation } from '#use-cases/co-sell-reconciliation.ts';
import { taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';
import type { AppendDependencies } from '#use-cases/ledger-append.ts';
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
import { ensureTables, localClientConfig } from './create-tables.ts';
import {
  type DataDirectory,
  dataDirectory,
  type KeptData,
  openDataDirectory,
  type StackState,
  writeStackState,
} from './data-dir.ts';
import { DynamoDbLocalDiedError, type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type RunningHubSpotSandbox, readSeedFile, startHubSpotSandbox } from './hubspot-sandbox/index.ts';
import { loadOrCreateLocalSecrets } from './local-secrets.ts';
import { lockDataDirectory } from './lock.ts';
import { renderMailboxPage } from './mailbox-page.ts';
import { retryingTarget } from './partner-central/event-retry.ts';
import type { PartnerCentralEvent } from './partner-central/events.ts';
import { startPartnerCentralStandIn } from './partner-central/index.ts';
import { partnerCentralStateSaver } from './partner-central-state-file.ts';
import { localReportsBuckets, startLocalPreQbrCheck } from './pre-qbr-check.ts';
import { startLocalRegistrationWorkflow } from './registration-workflow.ts';
import { readBackfillRequest } from './request-body.ts';
import { sandboxStateSaver } from './sandbox-state-file.ts';
import { SaveSoon } from './save-soon.ts';
import { LocalSweepRequests } from './sweep-requests.ts';
import {
  clockRoutes,
  executionRoutes,
  LocalWorkflowRunner,
  RunnerRegistrationWorkflow,
} from './workflow-runner/index.ts';

export interface LocalStackOptions {
  /** Port of the API; default a free one. */
  readonly port?: number | undefined;
  /**
   * Where the stack keeps what it holds (tables, sandbox, mailbox, keys, clock, ledger digests,
   * `local.json`), to carry on after a restart; default `.dealreg`. One stack at a time.
   */
  readonly dataDir?: string | undefined;
  /** Clears what the data directory keeps and starts a new run of data; default false. */
  readonly fresh?: boolean | undefined;
  /**
   * Seed the HubSpot sandbox with the demo portal (partners, customers, reps, deals) when the run
   * of data is new; default true. A kept sandbox is resumed as it was.
   */
  readonly demoData?: boolean | undefined;
  /**
   * Where the virtual clock starts in a new run of data (the demo starts at the beginning of the
   * fiscal quarter, to play a quarter's history); default the real time. A kept run resumes its clock.
   */
  readonly clockStart?: Date | ((policy: LoadedPolicy) => Date) | undefined;
  /** How often the backfill sweeps the form, like the deployed schedule; default every 5 minutes. */
  readonly backfillIntervalMs?: number | undefined;
  /**
   * The policy the workflow enforces, in a new run and in a kept one. Without it a kept run
   * enforces the policy it was started with, and a new run `newRunPolicyFile`.
   */
  readonly policyFile?: string | undefined;
  /** The policy of a new run when `policyFile` names none; default `policy/default-policy.json`. */
  readonly newRunPolicyFile?: string | undefined;
  /**
   * How often a ledger digest is written under `<data dir>/ledger-digests/`, as the deployed
   * schedule writes them to the Object Lock bucket; default every hour.
   */
  readonly digestIntervalMs?: number | undefined;
  /** Aborts a start-up still under way: what was started is stopped, and the start rejects. */
  readonly signal?: AbortSignal | undefined;
  /** Tells the person who started the stack something worth knowing; default `console.warn`. */
  readonly notice?: ((line: string) => void) | undefined;
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
  /**
   * The AWS Partner Central stand-in (co-sell): pass `endpoint` to the Selling API client with
   * catalog `Sandbox`. Its opportunities live in memory and start empty at each start.
   */
  readonly partnerCentral: { readonly endpoint: string; readonly catalog: 'Sandbox' };
  readonly mailbox: string;
  /** The policy file the stack runs, so the CLI's checks and imports use the same one. */
  readonly policyFile: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface RunningLocalStack {
  readonly description: LocalStackDescription;
  /** True when this start began a new run of data (a new data directory, or `fresh`). */
  readonly newRun: boolean;
  /** When the data directory's run of data began (this start, or the one it resumes). */
  readonly runStartedAt: Date;
  /**
   * Resolves if a part the stack cannot go on without ends under it (DynamoDB Local), with the
   * error naming it and its log; the stack must then be stopped.
   */
  readonly failure: Promise<Error>;
  /** Runs the deployed state machine definitions on the virtual clock. */
  readonly runner: LocalWorkflowRunner;
  readonly clock: VirtualClock;
  readonly mailbox: LocalMailbox;
  /** The policy the workflows enforce. */
  readonly policy: LoadedPolicy;
  /** The file it was read from (absolute), and why it is the one: named, kept from the run's start, or a new run's default. */
  readonly policySource: { readonly file: string; readonly chosenBy: 'named' | 'kept' | 'new-run' };
  /** The attribution ledger and its key, as the CLI's imports append to it. */
  readonly ledger: AppendDependencies;
  /** Runs the scheduled backfill once now, over the given forms or the configured ones. */
  sweep(formGuids?: readonly string[]): Promise<SubmissionBackfillSummary>;
  /** Resolves once the sweeps workflow webhooks asked for have run. */
  requestedSweepsDone(): Promise<void>;
  stop(): Promise<void>;
}

const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body, null, 2) });

const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** `DEALREG_LOG_LEVEL` for the local stack's handlers; warnings and errors only unless asked. */
function localLogLevel(setting: string | undefined): (typeof logLevels)[number] {
  if (setting === undefined || setting === '') return 'WARN';
  const level = logLevels.find((candidate) => candidate === setting.toUpperCase());
  if (level === undefined)
    throw new Error(`DEALREG_LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${setting}"`);
  return level;
}

/**
 * Starts Dealreg on one machine: DynamoDB Local with the deployed tables, the same handlers
 * behind a local API, the mailbox and the registration workflow, and writes `local.json`.
 * Everything started is stopped by `stop()`, also when start-up fails half-way.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const directory = dataDirectory(resolve(options.dataDir ?? '.dealreg'));
  const dataDir = directory.root;
  const notice = options.notice ?? ((line: string) => console.warn(line));
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
    // One stack per data directory; released last, once everything else has stopped.
    const lock = await lockDataDirectory(directory, notice);
    stopping.push(() => lock.release());
    // A step stopped after the stack state's own stop (the workflow runner's aborted handlers) may
    // still date something: its reading is saved last, before the lock is released.
    let saveLateReadings: (() => Promise<void>) | undefined;
    stopping.push(async () => saveLateReadings?.());
    const kept = await openDataDirectory(directory, { fresh: options.fresh === true, notice });
    const runStartedAt = kept === undefined ? new Date() : new Date(kept.state.createdAt);
    // The stand-ins for what Secrets Manager holds in AWS, kept so emailed links still verify.
    const secrets = await loadOrCreateLocalSecrets(directory.secretsFile);
    const webhookClientSecret = secrets.webhookClientSecret;
    // The ledger key: the CLI reads the same file.
    const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));

    const dynamodb: RunningDynamoDbLocal = await startDynamoDbLocal({
      dbPath: directory.dynamodb,
      logFile: directory.dynamodbLog,
    });
    stopping.push(() => dynamodb.stop());
    await lock.recordDynamoDbLocal(dynamodb.pid);
    const failure: Promise<Error> = dynamodb.unexpectedExit.then(
      (exit) => new DynamoDbLocalDiedError(dynamodb.pid, exit),
    );
    options.signal?.throwIfAborted();
    const tables = await ensureTables(dynamodb.endpoint, allTables);
    const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
    stopping.push(async () => client.destroy());
    const documentClient = documentClientOver(client);

    // Workflows run the deployed definitions on a virtual clock, so SLA timers fire when it is
    // moved. It resumes from the latest time it showed before the stack last stopped.
    // The policy named, else the one the kept run was started with, else a new run's.
    const policySource = chosenPolicyFile(options, kept);
    const policy = loadPolicy(await readKeptPolicy(policySource));
    const clockStart =
      typeof options.clockStart === 'function' ? options.clockStart(policy) : options.clockStart;
    const clock = new VirtualClock(
      kept === undefined ? (clockStart ?? new Date()) : new Date(kept.state.clock),
    );
    const runner = workflowRunnerFor(directory, clock);
    stopping.push(() => runner.close());
    // Mails are dated on the stack's clock, as everything else they tell of: an approval email
    // sent when an SLA timer fires carries the timer's time, not the real time of the move.
    const mailbox = new LocalMailbox({ directory: directory.mailbox, now: () => clock.ticking() });
    // The intake starts executions through this port; the steps are registered once the sandbox runs.
    const workflowDefinition = renderRegistrationWorkflowAsl();
    const workflow = new RunnerRegistrationWorkflow(runner, workflowDefinition.workflow);
    const logger = new Logger({
      serviceName: 'dealreg-local',
      logLevel: localLogLevel(process.env.DEALREG_LOG_LEVEL),
    });
    // Receipt times, HubSpot's record and event times and the CRM events' clock follow the
    // virtual clock as it ticks between moves, so what happened at one moment still differs.
    const now = () => clock.ticking();

    const tableName = (logicalName: string) => tables[logicalName] ?? logicalName;
    const intake: ReceiveSubmissionDependencies = {
      inbox: new DynamoDbRegistrationInbox(documentClient, tableName(registrationsTable.logicalName)),
      workflow,
      mailer: mailbox,
      formFieldMapping: policy.policy.formFieldMapping,
      submittedAtToleranceHours: policy.policy.intake.submittedAtToleranceHours,
      calendarTimeZone: policy.policy.calendar.timeZone,
      now,
    };
    // Channel managers answer AWS referrals here; the handler needs Partner Central, started below.
    let awsReferrals: ApiGatewayHandler = async () => {
      throw new Error('the local stack is still starting');
    };
    // HubSpot's CRM change batches land in the ledger; the handler needs the sandbox, started below.
    let crmEvents: ApiGatewayHandler = async () => {
      throw new Error('the local stack is still starting');
    };

    // Approvers open emailed links here; a decision resumes the waiting workflow's callback task.
    const approvalStore = new DynamoDbApprovalStore(documentClient, tableName(approvalsTable.logicalName));
    const approvalSigningKey = new ApprovalSigningKey(Buffer.from(secrets.approvalSigningKey, 'base64url'));
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
    // Partners ask for the one extension from the expiry warning's link.
    const extensionRequests = createExtensionRequestsHandler({
      store: new DynamoDbExtensionRequestStore(documentClient, tableName(registrationsTable.logicalName)),
      sendTaskSuccess: async (taskToken, output) => runner.sendTaskSuccess(taskToken, output),
      signingKey: async () => approvalSigningKey,
      now: () => clock.now(),
      timeZone: policy.policy.calendar.timeZone,
      logger,
    });
    // Partners see where their registration stands from the link in every email about it.
    const registrationStatus = createRegistrationStatusHandler({
      registrations: new DynamoDbRegistrationBook(documentClient, tableName(registrationsTable.logicalName)),
      signingKey: async () => approvalSigningKey,
      now: () => clock.now(),
      timeZone: policy.policy.calendar.timeZone,
      logger,
    });
    // A workflow webhook is a trigger: it asks for a sweep, which runs the backfill handler (wired
    // below) in process soon, as the deployed intake invokes the backfill function asynchronously.
    const triggers = new DynamoDbIntakeTriggers(documentClient, tableName(sweeperStateTable.logicalName));
    let requestedSweep: () => Promise<unknown> = async () => undefined;
    const sweepRequests = new LocalSweepRequests(() => requestedSweep(), {
      onError: (error) => logger.error('requested backfill failed', { error }),
    });
    stopping.push(() => sweepRequests.close());
    const formSubmissions = createFormSubmissionsHandler({
      ...intake,
      triggers,
      sweepRequestLog: triggers,
      sweepRequests,
      clientSecret: async () => webhookClientSecret,
      requestClock: () => new Date(),
      logger,
    });
    // The deal record's app card reads through hubspot.fetch, signed with the app's client secret.
    const dealCard = createDealCardHandler({
      ledger: new DynamoDbLedgerStore(client, tableName(ledgerTable.logicalName)),
      digests: new FileDigestStore(directory.ledgerDigests),
      ledgerKey,
      registrations: new DynamoDbRegistrationBook(documentClient, tableName(registrationsTable.logicalName)),
      now,
      requestClock: () => new Date(),
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
          const request = readBackfillRequest(body);
          if (!request.ok) {
            return {
              status: 400,
              body: JSON.stringify({ error: 'malformed_request', message: request.problem }),
            };
          }
          try {
            return json(await sweep(request.value.formGuids));
          } catch (error) {
            // A form the portal does not have is the request's fault, not the stack's.
            if (!(error instanceof HubSpotNotFoundError)) throw error;
            return {
              status: 404,
              body: JSON.stringify({
                error: 'not_found',
                message: `${error.message}; name a form of the HubSpot sandbox's portal (hubspot.formGuid in local.json)`,
              }),
            };
          }
        },
      },
    ];
    const api: RunningApiServer = await listenOnKeptPort(options.port, kept, notice, (port) =>
      startApiServer({
        port,
        routes: [
          { method: 'POST', path: '/hubspot/form-submissions', handler: formSubmissions },
          {
            method: 'POST',
            path: '/hubspot/crm-events',
            handler: (event, context) => crmEvents(event, context),
          },
          { method: 'GET', path: '/hubspot/deal-card', handler: dealCard },
          { method: 'GET', path: '/approvals/{approvalId}', handler: approvals },
          { method: 'POST', path: '/approvals/{approvalId}', handler: approvals },
          { method: 'GET', path: '/registrations/{registrationId}/extension', handler: extensionRequests },
          { method: 'POST', path: '/registrations/{registrationId}/extension', handler: extensionRequests },
          { method: 'GET', path: '/registrations/{registrationId}/status', handler: registrationStatus },
          ...(['GET', 'POST'] as const).map((method) => ({
            method,
            path: '/aws-referrals/{invitationId}',
            handler: ((event, context) => awsReferrals(event, context)) satisfies ApiGatewayHandler,
          })),
        ],
        localRoutes,
      }),
    );
    stopping.push(() => api.stop());
    // The clock's latest reading and the API's port, saved soon after each move or reading of the
    // clock and at the stop (which comes after the API's: no reading is missed).
    const stackState = stackStateKeeper(directory, clock, {
      version: 1,
      createdAt: runStartedAt.toISOString(),
      clock: clock.now().toISOString(),
      apiPort: Number(new URL(api.url).port),
      policyFile: policySource.file,
    });
    stopping.push(() => stackState.close());
    saveLateReadings = () => stackState.saveLateReadings();
    options.signal?.throwIfAborted();

    // The HubSpot sandbox posts each form submission to the API, signed, as a HubSpot workflow does.
    // A new run starts from the demo portal (or an empty one); a kept run from the saved sandbox,
    // saved again soon after every change and once more when the stack stops.
    const seed = await readSeedFile();
    let sandboxSaver: SaveSoon | undefined;
    stopping.push(async () => sandboxSaver?.close());
    const sandbox: RunningHubSpotSandbox = await startHubSpotSandbox({
      ...(kept === undefined
        ? { seed: options.demoData === false ? { forms: seed.forms ?? [] } : seed }
        : { state: kept.sandbox }),
      accessToken: secrets.hubspotAccessToken,
      now: () => now().getTime(),
      workflowWebhook: { url: `${api.url}/hubspot/form-submissions`, clientSecret: webhookClientSecret },
      crmWebhook: { url: `${api.url}/hubspot/crm-events`, clientSecret: webhookClientSecret },
      onStateChange: () => sandboxSaver?.changed(),
    });
    stopping.push(() => sandbox.stop());
    // Partner Central's events reach the co-sell events handler as the deployed rule delivers them:
    // an event the handler fails on is logged as an error and retried under the rule's retry
    // policy, then dead-lettered (`coSellEventsRetryPolicy`). Wired once the ledger is: an event
    // sent before fails as one sent to a function not yet deployed would. Its dates follow the
    // virtual clock, as the sandbox's do, so AWS's review lands in the demo's quarter.
    let coSellEvents: ((event: PartnerCentralEvent) => Promise<void>) | undefined;
    const coSellEventsTarget = retryingTarget(
      async (event) => {
        if (coSellEvents === undefined) throw new Error('the co-sell events handler is not wired yet');
        await coSellEvents(event);
      },
      { policy: coSellEventsRetryPolicy, logger },
    );
    // Kept like the sandbox: a restart carries on with the opportunities and referrals AWS holds,
    // and never numbers an opportunity again.
    let partnerCentralSaver: SaveSoon | undefined;
    stopping.push(async () => partnerCentralSaver?.close());
    const partnerCentral = await startPartnerCentralStandIn({
      now,
      eventSink: (event) => coSellEventsTarget.deliver(event),
      state: kept?.partnerCentral,
      onStateChange: () => partnerCentralSaver?.changed(),
    });
    stopping.push(() => partnerCentral.stop());
    partnerCentralSaver = partnerCentralStateSaver(
      directory.partnerCentralFile,
      () => partnerCentral.snapshot(),
      (error) => logger.error('the Partner Central stand-in could not be saved', { error }),
    );
    sandboxSaver = sandboxStateSaver(
      directory.sandboxFile,
      () => sandbox.snapshot(),
      (error) => logger.error('the HubSpot sandbox could not be saved', { error }),
    );
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
      partnerCentral: { endpoint: partnerCentral.url },
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
    await runner.resume();
    const ledgerStore = new DynamoDbLedgerStore(client, tableName(ledgerTable.logicalName));
    const registrationBook = new DynamoDbRegistrationBook(
      documentClient,
      tableName(registrationsTable.logicalName),
    );
    // AWS referrals: checked for channel conflict as a partner registration is, emailed to the
    // channel manager, answered on the referral page.
    const referralChecks = {
      book: registrationBook,
      crm: new HubSpotAdapter(hubspot, { portalId: sandbox.portalId }),
      policy,
      usdRates: demoUsdRates,
      referrals: partnerCentralReferrals(
        { endpoint: partnerCentral.url },
        { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
      ),
      signingKey: async () => approvalSigningKey,
    };
    awsReferrals = createAwsReferralsHandler({ ...referralChecks, now: () => clock.now(), logger });
    const coSellDependencies = {
      book: registrationBook,
      ledger: ledgerStore,
      ledgerKey,
      coSell: partnerCentralCatalogs(
        { endpoint: partnerCentral.url },
        { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
      ),
      now,
      logger,
    };
    const coSellEventsHandler = createCoSellEventsHandler({
      ...coSellDependencies,
      referrals: { ...referralChecks, mailer: mailbox, apiBaseUrl: api.url, now },
    });
    coSellEvents = async (event) => {
      await coSellEventsHandler(event, lambdaContext('dealreg-co-sell-events'));
    };
    crmEvents = createCrmEventsHandler({
      store: ledgerStore,
      ledgerKey,
      deals: new HubSpotDealLookup(hubspot),
      settings: crmEventSettings({ usdRates: demoUsdRates }),
      now,
      requestClock: () => new Date(),
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
      // Failed executions restart from their failed step, on the clock the workflows run on.
      redrive: { workflows: workflow, now: () => clock.now() },
      sweepRequestLog: triggers,
    });
    const sweep = (formGuids?: readonly string[]) =>
      backfill(
        formGuids === undefined ? {} : { formGuids },
        lambdaContext('dealreg-submission-backfill', 5 * 60_000),
      );
    requestedSweep = () =>
      backfill({ requestedBy: 'intake' }, lambdaContext('dealreg-submission-backfill', 5 * 60_000));
    // A sweep a workflow webhook asked for and the last run stopped before it started is still owed:
    // in AWS the asynchronous invocation waits in Lambda's queue, so it runs now, not on the schedule.
    const asked = await triggers.load();
    if (
      asked.requestedAt !== undefined &&
      (asked.startedAt ?? Number.NEGATIVE_INFINITY) < asked.requestedAt
    ) {
      await sweepRequests.request();
    }
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
      digests: new FileDigestStore(directory.ledgerDigests),
      ledgerKey,
      everySeconds: Math.max(1, Math.round((options.digestIntervalMs ?? 60 * 60_000) / 1000)),
      // A local ledger started afresh beside the digests of an earlier one begins a new series.
      onAnotherLedger: 'start-new-series' as const,
      now,
    };
    const digestIntervalMs = options.digestIntervalMs ?? 60 * 60_000;
    await writeDigest(digests).catch((error: unknown) => logger.error('ledger digest failed', { error }));
    let lastDigestAtMs = clock.now().getTime();
    let digesting = false;
    let digestAgain = false;
    const digestNow = () => {
      // Digests are numbered one after another: a run asked for while one is under way follows it.
      if (digesting) {
        digestAgain = true;
        return;
      }
      digesting = true;
      lastDigestAtMs = clock.now().getTime();
      writeDigest(digests)
        .catch((error: unknown) => logger.error('scheduled ledger digest failed', { error }))
        .finally(() => {
          digesting = false;
          if (digestAgain) {
            digestAgain = false;
            digestNow();
          }
        });
    };
    const digestTimer = setInterval(digestNow, digestIntervalMs);
    digestTimer.unref();
    stopping.push(async () => clearInterval(digestTimer));
    // A move of the virtual clock (the demo, POST /_local/clock) can pass several intervals at
    // once, where the deployed schedule would have written a digest in each: one is written after
    // such a move, else `ledger verify` finds entries older than two intervals in no digest.
    const stopDigestingOnMoves = clock.onMoved((movedTo) => {
      if (movedTo.getTime() - lastDigestAtMs >= digestIntervalMs) digestNow();
    });
    stopping.push(async () => stopDigestingOnMoves());

    // The co-sell reconciliation every hour, as the deployed schedule runs it (when co-sell is on).
    if (policy.policy.coSell.enabled) {
      const watermark = new DynamoDbCoSellReconciliationWatermark(
        documentClient,
        tableName(sweeperStateTable.logicalName),
      );
      const coSellTimer = setInterval(() => {
        runCoSellReconciliation(
          {
            ...coSellDependencies,
            watermark,
            // It also shares what the workflow's step could not (throttling past its retries).
            catchUp: () =>
              shareUnsharedRegistrations({
                ...coSellDependencies,
                crm: referralChecks.crm,
                policy,
                usdRates: demoUsdRates,
              }),
          },
          policy.policy.coSell.catalog,
        ).catch((error: unknown) => logger.error('scheduled co-sell reconciliation failed', { error }));
      }, 60 * 60_000);
      coSellTimer.unref();
      stopping.push(async () => clearInterval(coSellTimer));
    }

    const description: LocalStackDescription = {
      api: api.url,
      dynamodb: { endpoint: dynamodb.endpoint },
      tables,
      hubspot: { url: sandbox.url, accessToken: sandbox.accessToken, portalId: sandbox.portalId, formGuid },
      webhookClientSecret,
      partnerCentral: { endpoint: partnerCentral.url, catalog: 'Sandbox' },
      mailbox: directory.mailbox,
      policyFile: policySource.file,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    // The sandbox is saved before the stack state: a directory with a stack state has a sandbox.
    sandboxSaver.changed();
    await sandboxSaver.flush();
    partnerCentralSaver.changed();
    await partnerCentralSaver.flush();
    await stackState.saveNow();
    await writeFile(directory.description, `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
    stopping.push(() => rm(directory.description, { force: true }));
    options.signal?.throwIfAborted();
    return {
      description,
      newRun: kept === undefined,
      runStartedAt,
      failure,
      runner,
      clock,
      mailbox,
      policy,
      policySource,
      ledger: { store: ledgerStore, ledgerKey, now },
      sweep,
      requestedSweepsDone: () => sweepRequests.idle(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function chosenPolicyFile(
  options: LocalStackOptions,
  kept: KeptData | undefined,
): RunningLocalStack['policySource'] {
  if (options.policyFile !== undefined) return { file: resolve(options.policyFile), chosenBy: 'named' };
  if (kept?.state.policyFile !== undefined) return { file: kept.state.policyFile, chosenBy: 'kept' };
  return { file: resolve(options.newRunPolicyFile ?? defaultPolicyFile), chosenBy: 'new-run' };
}

/** The policy file's text; a kept one that is gone is named, with the ways on. */
async function readKeptPolicy(source: RunningLocalStack['policySource']): Promise<string> {
  try {
    return await readFile(source.file, 'utf8');
  } catch (error) {
    if (source.chosenBy !== 'kept') throw error;
    throw new Error(
      `this data directory runs under the policy ${source.file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); name one with --policy, or start over with --fresh`,
      { cause: error },
    );
  }
}

/**
 * The local workflow runner of a data directory. It keeps its executions and callback tokens in
 * `directory.workflowRunner` (`--fresh` clears it with the rest); the running ones are resumed
 * once every handler is registered.
 */
function workflowRunnerFor(directory: DataDirectory, clock: VirtualClock): LocalWorkflowRunner {
  return new LocalWorkflowRunner({
    clock,
    objectStore: localReportsBuckets(directory.root),
    persistTo: directory.workflowRunner,
    // The clock stands still between moves; Step Functions' retry pauses pass in real time.
    retryPauses: 'clock-or-real-time',
  });
}

/**
 * Starts the API on the port asked for; else on the port of the run it resumes, so the links in
 * mails sent before the restart still open; else (or when that port is taken) on a free port.
 */
async function listenOnKeptPort(
  port: number | undefined,
  kept: KeptData | undefined,
  notice: (line: string) => void,
  listen: (port: number | undefined) => Promise<RunningApiServer>,
): Promise<RunningApiServer> {
  if (port !== undefined || kept === undefined) return listen(port);
  try {
    return await listen(kept.state.apiPort);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    notice(
      `The API's earlier port ${kept.state.apiPort} is taken, so it moves; links in mails sent before still name that port.`,
    );
    return listen(undefined);
  }
}

/**
 * Keeps the stack state file: `saveNow()` writes it, and once it has been written, each move of
 * the clock and each ticking reading (what receipts, ledger entries and digests are dated with)
 * saves it again soon. `close()` saves what is not yet saved and stops. It keeps the latest time
 * the clock showed, so a restart never shows a time earlier than one already used.
 */
function stackStateKeeper(directory: DataDirectory, clock: VirtualClock, state: StackState) {
  let savedUpToMs = Number.NEGATIVE_INFINITY;
  const save = async () => {
    const reading = clock.latestReading();
    await writeStackState(directory, { ...state, clock: reading.toISOString() });
    savedUpToMs = Math.max(savedUpToMs, reading.getTime());
  };
  let saved = false;
  const saver = new SaveSoon({
    save,
    delayMs: 100,
    onError: (error) =>
      console.error(`the stack state could not be saved to ${directory.stateFile}: ${String(error)}`),
  });
  const changed = () => {
    if (saved) saver.changed();
  };
  const unsubscribeMoves = clock.onMoved(changed);
  const unsubscribeReadings = clock.onTicked(changed);
  return {
    async saveNow() {
      await save();
      saved = true;
    },
    async close() {
      unsubscribeMoves();
      unsubscribeReadings();
      await saver.close();
    },
    /** After `close()`: saves a reading taken since the last save, if any. */
    async saveLateReadings() {
      if (saved && clock.latestReading().getTime() > savedUpToMs) await save();
    },
  };
}
