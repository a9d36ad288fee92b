import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, Policy } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { DIGEST_PREFIX } from '#domain/ledger/digest-location.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { REPORTS_PREFIX, RUNS_PREFIX } from '#domain/qbr/report-location.ts';
import { CHART_ASSETS_DIR_VARIABLE } from '#rendering/charts/chart-renderer.ts';
import { buildPreQbrWorkflow, preQbrWorkflowComment } from '#workflows/pre-qbr-workflow.ts';
import type { AttributionLedger } from './attribution-ledger.ts';
import { bakedPolicy } from './baked-policy.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues } from './grants.ts';
import { hubSpotBudget, hubSpotShareEnvironment } from './hubspot-budget.ts';
import { acknowledgeWildcardResource, renderCfnValue } from './nag-acknowledgements.ts';
import { createSchedulerRole } from './scheduler-role.ts';
import { sendEmailAsStatement } from './ses-sender.ts';
import { createWorkflowStateMachine } from './workflow-state-machine.ts';

const defaultPolicyFile = fileURLToPath(new URL('../../policy/default-policy.json', import.meta.url));

/** A setting of the pre-QBR check that cannot work, named; thrown at synth. */
export class PreQbrCheckConfigurationError extends Error {
  override readonly name = 'PreQbrCheckConfigurationError';
}

/**
 * The reports bucket's name: `dealreg-{stage}-reports-{account}-{region}`, so the stateless stack
 * can refer to it by name (the account and region resolve in whichever stack uses it, unless given).
 */
export function reportsBucketName(
  stage: string,
  account: string = Aws.ACCOUNT_ID,
  region: string = Aws.REGION,
): string {
  return `dealreg-${stage}-reports-${account}-${region}`;
}

/**
 * The reports bucket (stateful): private, encrypted, TLS only, versioned so a replaced report can
 * be recovered; run working files expire after a week.
 */
export function createReportsBucket(
  scope: Construct,
  id: string,
  options: { bucketName?: string } = {},
): Bucket {
  const bucket = new Bucket(scope, id, {
    ...(options.bucketName === undefined ? {} : { bucketName: options.bucketName }),
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { prefix: RUNS_PREFIX, expiration: Duration.days(7), noncurrentVersionExpiration: Duration.days(1) },
      { prefix: REPORTS_PREFIX, noncurrentVersionExpiration: Duration.days(365) },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Reports are written only by the pre-QBR workflow role and kept with versions; CloudTrail data events, ' +
      'not server access logs, are the audit trail the deployment enables when it needs one.',
  });
  return bucket;
}

export interface PreQbrCheckProps {
  /** Topic that receives the function and workflow alarms. */
  readonly alarmTopic: ITopic;
  /** The ledger the report reads (read grants come from it). */
  readonly ledger: AttributionLedger;
  /** The registrations table (read by the report for SLA, exceptions, orphans). */
  readonly registrationsTable: ITableV2;
  /** Where reports, quarter snapshots and run working files are kept (see `createReportsBucket`). */
  readonly reportsBucket: IBucket;
  /** HubSpot private app access token. */
  readonly hubspotAccessToken: ISecret;
  /** The HubSpot portal (hub) id. */
  readonly hubspotPortalId: number;
  /** Sender of the report email (an SES-verified identity). */
  readonly mailFrom: string;
  /**
   * The policy as JSON text: fiscal calendar, check day, leadership list, definitions.
   * @default - `policy/default-policy.json`
   */
  readonly policyDocument?: string;
  /**
   * HubSpot requests per rolling 10 s the batch workers may use together. The portal allows 190
   * (Professional, Enterprise); the rest is left to the functions running meanwhile
   * (`hubspot-budget.ts`).
   * @default 30 (hubSpotBudget.preQbrBatches: 3 workers × 10)
   */
  readonly hubspotRequestBudget?: number;
  /**
   * Batch workers at once in the Distributed Map. Each makes one request per invocation and
   * has its own limiter of `hubspotRequestBudget / batchConcurrency` requests per 10 s, so the
   * sum never exceeds the budget; the worker's reserved concurrency enforces the cap.
   * @default 3
   */
  readonly batchConcurrency?: number;
  /**
   * Above this many deals HubSpot is read by the Distributed Map. The report function reads
   * ~900 deals/s at the default budget (1,000,000 deals in ~18 min would not fit its 15 minutes
   * with the computation); below it, one function is cheaper.
   * @default 200000
   */
  readonly largePortfolioDeals?: number;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
}

/**
 * The pre-QBR check (DESIGN §3.6): an EventBridge Scheduler schedule that starts the workflow
 * every day at the opening of working hours in the policy's calendar zone; a Standard state
 * machine that goes on only on the check day (ten business days before each fiscal quarter
 * ends, computed in code: not expressible in cron), reads HubSpot (a Distributed Map over an S3
 * export in batches of 100 for large portfolios), builds and stores the report and emails it to
 * leadership. Every function gets only what its step needs.
 */
export class PreQbrCheck extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly schedule: Schedule;
  public readonly dueCheck: DealregFunction;
  public readonly dealExport: DealregFunction;
  public readonly batchWorker: DealregFunction;
  public readonly buildReport: DealregFunction;
  public readonly emailReport: DealregFunction;
  /** The WebAssembly SVG renderer and the chart font for the functions that draw charts. */
  public readonly chartAssets: LayerVersion;
  /** In alarm when an execution failed, timed out or was aborted. */
  public readonly failuresAlarm: Alarm;
  /** Concurrency of the Distributed Map and reserved concurrency of the batch worker. */
  public readonly batchConcurrency: number;

  constructor(scope: Construct, id: string, props: PreQbrCheckProps) {
    super(scope, id);
    const policy = readPolicy(props.policyDocument);
    const batches = hubSpotBudget.preQbrBatches;
    const budget = props.hubspotRequestBudget ?? batches.containers * batches.requestsPerWindow;
    const concurrency = props.batchConcurrency ?? batches.containers;
    const large = props.largePortfolioDeals ?? 200_000;
    if (!Number.isInteger(budget) || budget < 1 || budget > 250) {
      throw new PreQbrCheckConfigurationError(
        `hubspotRequestBudget must be a whole number of requests per 10 s between 1 and 250 (HubSpot's highest limit), got ${budget}`,
      );
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > budget) {
      throw new PreQbrCheckConfigurationError(
        `batchConcurrency must be a whole number from 1 to hubspotRequestBudget (${budget}), got ${concurrency}`,
      );
    }
    if (!Number.isInteger(large) || large < 1) {
      throw new PreQbrCheckConfigurationError(
        `largePortfolioDeals must be a positive whole number, got ${large}`,
      );
    }
    if (!Number.isInteger(props.hubspotPortalId) || props.hubspotPortalId <= 0) {
      throw new PreQbrCheckConfigurationError(
        `hubspotPortalId must be a positive whole number, got ${props.hubspotPortalId}`,
      );
    }
    const sendEmailAs = sendEmailAsStatement(
      this,
      props.mailFrom,
      (message) => new PreQbrCheckConfigurationError(message),
    );
    this.batchConcurrency = concurrency;

    this.chartAssets = new LayerVersion(this, 'ChartAssets', {
      description: 'Dealreg charts: resvg WebAssembly renderer and the DejaVu Sans font',
      code: Code.fromAsset(stageChartAssets()),
      compatibleArchitectures: [Architecture.ARM_64, Architecture.X86_64],
    });

    const policyInCode = bakedPolicy(JSON.stringify(policy.policy));
    const hubspot = {
      HUBSPOT_ACCESS_TOKEN_ARN: props.hubspotAccessToken.secretArn,
      HUBSPOT_PORTAL_ID: String(props.hubspotPortalId),
    };
    const common = { alarmTopic: props.alarmTopic, logLevel: props.logLevel ?? 'INFO' } as const;

    this.dueCheck = new DealregFunction(this, 'DueCheck', {
      ...common,
      entry: handlerEntry('qbr-due-check.ts'),
      description: 'Dealreg pre-QBR: decides whether today is the check day',
      serviceName: 'dealreg-qbr',
      define: policyInCode.define,
      environment: policyInCode.environment,
    });
    this.dealExport = new DealregFunction(this, 'DealExport', {
      ...common,
      entry: handlerEntry('qbr-deal-export.ts'),
      description: 'Dealreg pre-QBR: exports the deal ids to read from HubSpot',
      serviceName: 'dealreg-qbr',
      timeout: Duration.minutes(5),
      environment: {
        LEDGER_TABLE: props.ledger.table.tableName,
        REPORTS_BUCKET: props.reportsBucket.bucketName,
      },
    });
    this.batchWorker = new DealregFunction(this, 'BatchWorker', {
      ...common,
      entry: handlerEntry('qbr-batch-worker.ts'),
      description: 'Dealreg pre-QBR: reads one batch of 100 deals from HubSpot',
      serviceName: 'dealreg-qbr',
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: concurrency,
      // The Distributed Map retries throttled batches; single errors are not worth a page.
      errorAlarmThreshold: 5,
      define: policyInCode.define,
      environment: {
        ...policyInCode.environment,
        ...hubspot,
        REPORTS_BUCKET: props.reportsBucket.bucketName,
        ...hubSpotShareEnvironment({
          containers: concurrency,
          requestsPerWindow: Math.floor(budget / concurrency),
          searchesPerSecond: batches.searchesPerSecond,
        }),
      },
    });
    this.buildReport = new DealregFunction(this, 'BuildReport', {
      ...common,
      entry: handlerEntry('qbr-build-report.ts'),
      description: 'Dealreg pre-QBR: builds, renders and stores the report',
      serviceName: 'dealreg-qbr',
      timeout: Duration.minutes(15),
      memorySize: 3008,
      reservedConcurrentExecutions: hubSpotBudget.preQbrReport.containers,
      define: policyInCode.define,
      environment: {
        ...policyInCode.environment,
        ...hubspot,
        REPORTS_BUCKET: props.reportsBucket.bucketName,
        LEDGER_TABLE: props.ledger.table.tableName,
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        LEDGER_DIGEST_BUCKET: props.ledger.digestBucket.bucketName,
        ...hubSpotShareEnvironment(hubSpotBudget.preQbrReport),
        [CHART_ASSETS_DIR_VARIABLE]: '/opt/chart-assets',
      },
    });
    this.emailReport = new DealregFunction(this, 'EmailReport', {
      ...common,
      entry: handlerEntry('qbr-email-report.ts'),
      description: 'Dealreg pre-QBR: emails the stored report to leadership',
      serviceName: 'dealreg-qbr',
      timeout: Duration.minutes(2),
      memorySize: 1024,
      define: policyInCode.define,
      environment: {
        ...policyInCode.environment,
        REPORTS_BUCKET: props.reportsBucket.bucketName,
        MAIL_FROM: props.mailFrom,
        [CHART_ASSETS_DIR_VARIABLE]: '/opt/chart-assets',
      },
    });
    this.buildReport.addLayers(this.chartAssets);
    this.emailReport.addLayers(this.chartAssets);
    this.#grant(props, sendEmailAs);

    this.stateMachine = createWorkflowStateMachine(this, {
      comment: preQbrWorkflowComment,
      definition: buildPreQbrWorkflow(this, {
        functions: {
          dueCheck: this.dueCheck,
          dealExport: this.dealExport,
          batchWorker: this.batchWorker,
          buildReport: this.buildReport,
          emailReport: this.emailReport,
        },
        reportsBucket: props.reportsBucket,
        largePortfolioDeals: large,
        maxConcurrency: concurrency,
      }),
      logName: 'dealreg-pre-qbr-check',
      logRetention: RetentionDays.ONE_YEAR,
      includeExecutionData: false,
      timeout: Duration.hours(6),
    }).stateMachine;
    this.#acknowledgeStateMachine(props);

    this.schedule = this.#dailySchedule(policy);

    const metricOptions = { period: Duration.minutes(5), statistic: 'Sum' } as const;
    this.failuresAlarm = new Alarm(this, 'FailuresAlarm', {
      alarmDescription:
        'Pre-QBR check executions failed, timed out or were aborted: leadership has no report',
      metric: new MathExpression({
        label: 'Unsuccessful executions',
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed(metricOptions),
          timedOut: this.stateMachine.metricTimedOut(metricOptions),
          aborted: this.stateMachine.metricAborted(metricOptions),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failuresAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }

  /**
   * Every day at the opening of working hours in the calendar's zone (Scheduler keeps the zone
   * across daylight saving). The first step decides whether the day is the check day: a fiscal
   * quarter's tenth business day from its end moves with holidays and weekends, which cron
   * cannot say, and a daily start costs two state transitions on the other days.
   */
  #dailySchedule(policy: LoadedPolicy): Schedule {
    const { calendar } = policy.policy;
    const [hour, minute] = calendar.workingHours.start.split(':').map(Number);
    const role = createSchedulerRole(
      this,
      'ScheduleRole',
      'EventBridge Scheduler: starts the Dealreg pre-QBR check',
    );
    return new Schedule(this, 'Schedule', {
      description: 'Dealreg: daily start of the pre-QBR check; it runs on the check day only',
      schedule: ScheduleExpression.cron({
        minute: String(minute ?? 0),
        hour: String(hour ?? 9),
        timeZone: TimeZone.of(calendar.timeZone),
      }),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role,
        // The moment the schedule was due ("Adding context attributes in EventBridge Scheduler"):
        // a start retried hours later still decides for the day it was scheduled for.
        input: ScheduleTargetInput.fromObject({
          trigger: 'schedule',
          scheduledTime: ContextAttribute.scheduledTime,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.dueCheck.deadLetters,
      }),
    });
  }

  #grant(props: PreQbrCheckProps, sendEmailAs: ReturnType<typeof sendEmailAsStatement>): void {
    const bucket = props.reportsBucket;
    const _stack = Stack.of(this);
    const objects = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
    const listUnder = (grantee: IGrantable, prefix: string) =>
      Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      });

    props.ledger.grantRead(this.dealExport);
    Grant.addToPrincipal({
      grantee: this.dealExport,
      actions: ['s3:PutObject'],
      resourceArns: [objects(RUNS_PREFIX)],
    });

    // GetSecretValue only (grantRead would add DescribeSecret, which no function calls).
    grantSecretValues(this.batchWorker, [props.hubspotAccessToken]);
    Grant.addToPrincipal({
      grantee: this.batchWorker,
      actions: ['s3:PutObject'],
      resourceArns: [objects(RUNS_PREFIX)],
    });

    props.ledger.grantRead(this.buildReport);
    grantSecretValues(this.buildReport, [props.hubspotAccessToken]);
    props.registrationsTable.encryptionKey?.grantDecrypt(this.buildReport);
    Grant.addToPrincipal({
      grantee: this.buildReport,
      actions: ['dynamodb:Scan'],
      resourceArns: [props.registrationsTable.tableArn],
    });
    const digests = props.ledger.digestBucket;
    Grant.addToPrincipal({
      grantee: this.buildReport,
      actions: ['s3:ListBucket'],
      resourceArns: [digests.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DIGEST_PREFIX}*`] } },
    });
    Grant.addToPrincipal({
      grantee: this.buildReport,
      actions: ['s3:GetObject'],
      resourceArns: [digests.arnForObjects(`${DIGEST_PREFIX}*`)],
    });
    listUnder(this.buildReport, REPORTS_PREFIX);
    listUnder(this.buildReport, RUNS_PREFIX);
    Grant.addToPrincipal({
      grantee: this.buildReport,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [objects(REPORTS_PREFIX), objects(RUNS_PREFIX)],
    });

    Grant.addToPrincipal({
      grantee: this.emailReport,
      actions: ['s3:GetObject'],
      resourceArns: [objects(REPORTS_PREFIX)],
    });
    this.emailReport.addToRolePolicy(sendEmailAs);

    const acknowledge = (fn: DealregFunction, resources: readonly string[], reason: string) => {
      for (const resource of resources) acknowledgeWildcardResource(fn.role as IConstruct, resource, reason);
    };
    const runReason =
      'Each run writes its deal ids and batches under runs/<quarter>/<asOf>/, named at run time; the role may ' +
      'write there and nowhere else in the reports bucket.';
    acknowledge(this.dealExport, [objects(RUNS_PREFIX)], runReason);
    acknowledge(this.batchWorker, [objects(RUNS_PREFIX)], runReason);
    acknowledge(
      this.buildReport,
      [objects(RUNS_PREFIX), objects(REPORTS_PREFIX), digests.arnForObjects(`${DIGEST_PREFIX}*`)],
      'Reports, snapshots and run files are named by quarter and moment at run time, digests by their creation ' +
        'time; the role reads and writes those prefixes only, and only reads the digests.',
    );
    acknowledge(
      this.emailReport,
      [objects(REPORTS_PREFIX)],
      'The stored report to send is named by quarter and moment at run time; the role only reads under reports/.',
    );
  }

  #acknowledgeStateMachine(props: PreQbrCheckProps): void {
    const stack = Stack.of(this);
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery, X-Ray trace publishing and starting/stopping the Distributed Map child ' +
        'executions (whose ARNs exist only at run time) do not support narrower resources.',
    });
    for (const fn of [this.dueCheck, this.dealExport, this.batchWorker, this.buildReport, this.emailReport]) {
      acknowledgeWildcardResource(
        this.stateMachine,
        `${fn.functionArn}:*`,
        'Invoking a task function includes its versions and aliases (function ARN:*); each is named.',
      );
    }
    acknowledgeWildcardResource(
      this.stateMachine,
      `arn:${Aws.PARTITION}:s3:::${props.reportsBucket.bucketName}/${RUNS_PREFIX}*`,
      'The Distributed Map reads the exported deal ids, whose key is named at run time, under runs/ only.',
    );
    // The Distributed Map's own policy: describe, stop and redrive its child executions, named at run time.
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (mapPolicy instanceof Policy) {
      const document = stack.resolve(mapPolicy.document.toJSON()) as { Statement: { Resource: unknown }[] };
      for (const statement of document.Statement) {
        for (const resource of [statement.Resource].flat()) {
          if (!renderCfnValue(resource).includes('*')) continue;
          acknowledgeWildcardResource(
            mapPolicy,
            resource,
            'Child executions of the Distributed Map are named at run time under this state machine; the ' +
              'policy names this state machine only.',
          );
        }
      }
    }
  }
}

/** Validates the policy at synth, so a deployment never starts with one the functions refuse. */
function readPolicy(document: string | undefined): LoadedPolicy {
  const text = document ?? readFileSync(defaultPolicyFile, 'utf8');
  try {
    return loadPolicy(text);
  } catch (cause) {
    throw new PreQbrCheckConfigurationError(`policyDocument: ${(cause as Error).message}`, { cause });
  }
}

let stagedChartAssets: string | undefined;

/**
 * A folder holding `chart-assets/index_bg.wasm` and `chart-assets/DejaVuSans.ttf`, the layer's
 * content (a layer is extracted under /opt). Copied from the installed package and the repository
 * at synth; the asset hash follows their bytes.
 */
function stageChartAssets(): string {
  if (stagedChartAssets !== undefined) return stagedChartAssets;
  const root = mkdtempSync(join(tmpdir(), 'dealreg-chart-assets-'));
  const folder = join(root, 'chart-assets');
  mkdirSync(folder);
  const require = createRequire(import.meta.url);
  copyFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm'), join(folder, 'index_bg.wasm'));
  copyFileSync(
    fileURLToPath(new URL('../../functions/rendering/charts/fonts/DejaVuSans.ttf', import.meta.url)),
    join(folder, 'DejaVuSans.ttf'),
  );
  stagedChartAssets = root;
  return root;
}
