import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { HubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotOwnerDirectory } from '#adapters/hubspot/owner-directory.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { FileSnapshotStore } from '#adapters/qbr/file-snapshot-store.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { FileQbrRunStore } from '#adapters/reports/file-qbr-run-store.ts';
import { FileReportStore } from '#adapters/reports/file-report-store.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { nextScheduledStart } from '#domain/qbr/fiscal-calendar.ts';
import { hubSpotBudget } from '#lib/constructs/hubspot-budget.ts';
import type { Mailer } from '#ports/mailer.ts';
import { createQbrBatchWorker } from '#use-cases/qbr-delivery/batch-worker.ts';
import { createQbrDealExport } from '#use-cases/qbr-delivery/deal-export.ts';
import { createQbrDueCheck } from '#use-cases/qbr-delivery/due-check.ts';
import { createQbrReportBuilder } from '#use-cases/qbr-delivery/report-builder.ts';
import { createQbrReportMailer } from '#use-cases/qbr-delivery/report-mailer.ts';
import { buildPreQbrWorkflow, preQbrWorkflowComment } from '#workflows/pre-qbr-workflow.ts';
import { renderAsl } from '#workflows/render-asl.ts';
import type { ClockTimer, VirtualClock } from './clock.ts';
import { DirectoryBuckets, type LocalWorkflowRunner } from './workflow-runner/index.ts';

/** The pre-QBR functions as the local runner knows them (the deployed ones have generated names). */
export const preQbrFunctionNames = {
  dueCheck: 'dealreg-qbr-due-check',
  dealExport: 'dealreg-qbr-deal-export',
  batchWorker: 'dealreg-qbr-batch-worker',
  buildReport: 'dealreg-qbr-build-report',
  emailReport: 'dealreg-qbr-email-report',
} as const;

/** The reports bucket's name locally; its objects are files under the data directory. */
export const localReportsBucket = 'dealreg-local-reports';

/** The state machine's name in execution ARNs, as the runner lists them. */
export const preQbrStateMachineName = 'PreQbrCheck';

/**
 * The reports bucket on one machine: the data directory, where `dealreg qbr check` keeps
 * `reports/…` and the pre-QBR steps write `runs/…`, as the same keys live in the S3 bucket.
 */
export function localReportsBuckets(dataDir: string): DirectoryBuckets {
  return new DirectoryBuckets({ [localReportsBucket]: dataDir });
}

/**
 * The pre-QBR workflow as CloudFormation resolves it, with the local function names and bucket:
 * what `dealreg local` runs when no definition is given.
 */
export function renderPreQbrWorkflowAsl(
  options: { largePortfolioDeals?: number; maxConcurrency?: number } = {},
): Record<string, unknown> {
  return renderAsl(
    (scope) =>
      buildPreQbrWorkflow(scope, {
        functions: {
          dueCheck: LambdaFunction.fromFunctionName(scope, 'DueCheck', preQbrFunctionNames.dueCheck),
          dealExport: LambdaFunction.fromFunctionName(scope, 'DealExport', preQbrFunctionNames.dealExport),
          batchWorker: LambdaFunction.fromFunctionName(scope, 'BatchWorker', preQbrFunctionNames.batchWorker),
          buildReport: LambdaFunction.fromFunctionName(scope, 'BuildReport', preQbrFunctionNames.buildReport),
          emailReport: LambdaFunction.fromFunctionName(scope, 'EmailReport', preQbrFunctionNames.emailReport),
        },
        reportsBucket: Bucket.fromBucketName(scope, 'Reports', localReportsBucket),
        // The deployed defaults (lib/constructs/pre-qbr-check.ts).
        largePortfolioDeals: options.largePortfolioDeals ?? 200_000,
        maxConcurrency: options.maxConcurrency ?? 9,
      }),
    { comment: preQbrWorkflowComment, timeoutSeconds: 6 * 60 * 60 },
  );
}

export interface LocalPreQbrCheckOptions {
  /** Its object store must hold `localReportsBucket` (see `localReportsBuckets`). */
  readonly runner: LocalWorkflowRunner;
  readonly clock: VirtualClock;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tables: { readonly ledger: string; readonly registrations: string };
  readonly hubspot: HubSpotConnection;
  readonly portalId: number;
  readonly mailer: Mailer;
  readonly policy: LoadedPolicy;
  /** Where reports, run files, snapshots and ledger digests are kept (the bucket's directory). */
  readonly dataDir: string;
  /** @default renderPreQbrWorkflowAsl() — tests pass the definition taken from the synthesised stack. */
  readonly definition?: Record<string, unknown>;
  /** Start the daily schedule on the virtual clock. @default true */
  readonly schedule?: boolean;
  /** Told when a scheduled start fails (it never throws into the clock). */
  readonly onScheduleError?: (error: unknown) => void;
}

export interface LocalPreQbrCheck {
  readonly definition: Record<string, unknown>;
  /** Starts an execution now, like `StartExecution` (`{}` or `{quarter, asOf?}` on demand). */
  start(input?: Record<string, unknown>): Promise<string>;
  /** When the schedule fires next (virtual time), if it runs. */
  nextScheduledStart(): Date | undefined;
  stop(): void;
}

/**
 * The pre-QBR check on one machine: the five steps registered with the runner as the functions
 * the definition invokes, on DynamoDB Local, the HubSpot sandbox, files under the data directory
 * and the mailbox; and the EventBridge Scheduler schedule that starts it, on the virtual clock.
 */
export function startLocalPreQbrCheck(options: LocalPreQbrCheckOptions): LocalPreQbrCheck {
  const { runner, clock, policy, dataDir } = options;
  const now = () => clock.now();
  const runs = new FileQbrRunStore(dataDir);
  const reports = new FileReportStore(join(dataDir, 'reports'));
  const ledger = new DynamoDbLedgerStore(options.client, options.tables.ledger);
  const deals = new HubSpotAdapter(options.hubspot, { portalId: options.portalId });
  const steps = {
    [preQbrFunctionNames.dueCheck]: createQbrDueCheck({ policy, now }),
    [preQbrFunctionNames.dealExport]: createQbrDealExport({ ledger, runs }),
    [preQbrFunctionNames.batchWorker]: createQbrBatchWorker({
      deals,
      runs,
      croProperty: policy.policy.definitions.croView.dealProperty,
    }),
    [preQbrFunctionNames.buildReport]: createQbrReportBuilder({
      report: {
        ledger,
        digests: new FileDigestStore(localDigestDirectory(dataDir)),
        registrations: new DynamoDbRegistrationHistory(options.documentClient, options.tables.registrations),
        snapshots: new FileSnapshotStore(join(dataDir, 'reports', 'snapshots')),
        policy,
        now,
        // As the Lambda wires them (functions/handlers/qbr-build-report.ts): the deal properties,
        // to tell a CRO property missing in the portal from one left empty; the portal id, so
        // findings link to their deals in it (here the sandbox's); the owners drift findings name.
        dealProperties: new HubSpotPortalSchemaAdmin(options.hubspot),
        hubspotPortalId: options.portalId,
        owners: { owner: (ownerId) => new HubSpotOwnerDirectory(options.hubspot).owner(ownerId) },
      },
      deals,
      runs,
      reports,
    }),
    [preQbrFunctionNames.emailReport]: createQbrReportMailer({
      reports,
      mailer: options.mailer,
      leadership: policy.policy.reporting.leadership.map((person) => person.email),
    }),
  };
  // The Lambda entries (functions/handlers/qbr-*.ts) export these functions as their handlers.
  // The batch workers and the report function run at most the containers their HubSpot shares
  // give them, as deployed (lib/constructs/pre-qbr-check.ts): a second check at once is throttled.
  const reservedConcurrency: Readonly<Record<string, number>> = {
    [preQbrFunctionNames.batchWorker]: hubSpotBudget.preQbrBatches.containers,
    [preQbrFunctionNames.buildReport]: hubSpotBudget.preQbrReport.containers,
  };
  for (const [name, step] of Object.entries(steps))
    runner.registerHandler(name, (input) => step(input), { reservedConcurrency: reservedConcurrency[name] });

  const definition = options.definition ?? renderPreQbrWorkflowAsl();
  const start = async (input: Record<string, unknown> = {}) =>
    (await runner.startExecution(definition, { input, stateMachineName: preQbrStateMachineName }))
      .executionArn;

  // EventBridge Scheduler User Guide — Schedule types: a cron-based schedule with a time zone fires
  // at that wall-clock time in the zone, keeping it across daylight saving and skipping a day the
  // clocks spring forward over it; the target gets the schedule's input as
  // lib/constructs/pre-qbr-check.ts sets it, its `<aws.scheduler.scheduled-time>` replaced by the
  // moment the schedule was due ("Adding context attributes in EventBridge Scheduler").
  const { calendar } = policy.policy;
  const nextFiring = (after: Date): Date => nextScheduledStart(after, calendar);
  let timer: ClockTimer | undefined;
  const arm = (after: Date) => {
    const scheduledTime = nextFiring(after);
    timer = clock.schedule(scheduledTime, async () => {
      arm(clock.now());
      // Awaited, so the clock's move waits for the execution to exist before settling on it.
      await start({ trigger: 'schedule', scheduledTime: scheduledTime.toISOString() }).catch(
        (error: unknown) => options.onScheduleError?.(error),
      );
    });
  };
  if (options.schedule !== false) arm(clock.now());

  return {
    definition,
    start,
    nextScheduledStart: () => timer?.dueAt,
    stop: () => timer?.cancel(),
  };
}
