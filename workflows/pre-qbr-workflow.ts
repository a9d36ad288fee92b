import { Arn, Aws, Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DistributedMap,
  type IChainable,
  ItemBatcher,
  JsonPath,
  S3JsonItemReader,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { DEAL_BATCH_SIZE, RUNS_PREFIX } from '#domain/qbr/report-location.ts';

/** The state machine's comment: what one execution is. */
export const preQbrWorkflowComment =
  'One pre-QBR check: decide it is due, read HubSpot, build and store the report, email leadership';

/** HubSpot errors a later attempt may not meet (rate limit, outage); others fail at once. */
const TRANSIENT_HUBSPOT_ERRORS = ['HubSpotRateLimitError', 'HubSpotUnavailableError'];

/**
 * Lambda refused the invocation: every container the function may run is busy. The report
 * function has one (its HubSpot share) and the batch workers the Map's own concurrency, so a
 * second check running at once (the daily schedule and an on-demand execution, or two on-demand runs)
 * finds them taken. Nothing ran, so it is always safe to try again ("Handle Lambda service
 * exceptions"); the pauses (30 s doubling to 5 minutes, 12 attempts: about 47 minutes in all)
 * outlast the report function's 15-minute timeout, so the second check waits for the first
 * rather than fail. CDK's `retryOnServiceExceptions` does not cover this error.
 */
export const preQbrThrottledRetry = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxDelay: Duration.minutes(5),
  maxAttempts: 12,
};

export interface PreQbrWorkflowFunctions {
  readonly dueCheck: IFunction;
  readonly dealExport: IFunction;
  readonly batchWorker: IFunction;
  readonly buildReport: IFunction;
  readonly emailReport: IFunction;
}

export interface PreQbrWorkflowProps {
  readonly functions: PreQbrWorkflowFunctions;
  /** The bucket the deal ids are exported to (the Distributed Map's item reader reads it). */
  readonly reportsBucket: IBucket;
  /** Above this many deals, HubSpot is read by the Distributed Map rather than in the report step. */
  readonly largePortfolioDeals: number;
  /** Batch workers at once: capped so their HubSpot requests stay under the portal's limit. */
  readonly maxConcurrency: number;
}

/**
 * The pre-QBR check (DESIGN §3.6) as CDK chainables, JSONPath query language:
 *
 * 1. *Decide whether the check is due* — the daily schedule starts every execution; only the
 *    due business day (or an on-demand request naming a quarter) goes on.
 * 2. *Export the deal ids to read* — the ledger's opportunities, as one JSON array in S3.
 * 3. For a large portfolio, *Read HubSpot deals in batches of 100*: a Distributed Map over that
 *    export, each batch one Lambda invocation (one HubSpot request), at most `maxConcurrency`
 *    at once; the batches are stored for the next step.
 * 4. *Build and store the report* — metrics, reconciliation and findings; JSON, HTML and CSV
 *    files in the reports bucket.
 * 5. *Email the report to leadership*.
 *
 * Only small JSON objects pass between states (the 256 KB limit); the report travels through S3.
 */
export function buildPreQbrWorkflow(scope: Construct, props: PreQbrWorkflowProps): IChainable {
  const { functions } = props;
  // Without `payload` the function receives the state's whole input. `TaskInput.fromJsonPathAt('$')`
  // would not do that: with `payloadResponseOnly` CDK renders it as the literal string "$".
  const invoke = (id: string, fn: IFunction, payload: TaskInput | undefined, resultPath: string) =>
    new LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      ...(payload === undefined ? {} : { payload }),
      payloadResponseOnly: true,
      resultPath,
      retryOnServiceExceptions: true,
    }).addRetry(preQbrThrottledRetry);
  const fields = (values: Record<string, string>) => TaskInput.fromObject(values);

  // The execution input: `{trigger, scheduledTime}` from the schedule, `{quarter, asOf?}` on demand.
  const dueCheck = invoke('Decide whether the check is due', functions.dueCheck, undefined, '$.check');

  const notDue = new Succeed(scope, 'Not due today', {
    comment: 'The daily schedule fired on a day that is not the check day of any quarter',
  });

  const exportIds = invoke(
    'Export the deal ids to read',
    functions.dealExport,
    fields({ 'quarter.$': '$.check.quarter', 'asOf.$': '$.check.asOf' }),
    '$.export',
  );

  const readBatches = new DistributedMap(scope, `Read HubSpot deals in batches of ${DEAL_BATCH_SIZE}`, {
    comment: 'Each batch is one HubSpot batch read; concurrency stays under the portal rate limit',
    itemReader: new RunFileItemReader({
      bucket: props.reportsBucket,
      key: JsonPath.stringAt('$.export.key'),
    }),
    itemBatcher: new ItemBatcher({
      maxItemsPerBatch: DEAL_BATCH_SIZE,
      batchInput: { 'run.$': '$.export.run' },
    }),
    maxConcurrency: props.maxConcurrency,
    toleratedFailurePercentage: 0,
    resultPath: JsonPath.DISCARD,
    // Each child is one short Lambda call: Express children cost a fraction of Standard ones.
    mapExecutionType: StateMachineType.EXPRESS,
  });
  const readBatch = new LambdaInvoke(scope, 'Read one batch of deals', {
    lambdaFunction: functions.batchWorker,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  }).addRetry(preQbrThrottledRetry);
  readBatch.addRetry({
    errors: TRANSIENT_HUBSPOT_ERRORS,
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxAttempts: 4,
  });
  readBatches.itemProcessor(readBatch);

  const buildAfterBatches = invoke(
    'Build and store the report from the batches',
    functions.buildReport,
    fields({ 'quarter.$': '$.check.quarter', 'asOf.$': '$.check.asOf', 'run.$': '$.export.run' }),
    '$.report',
  );
  const build = invoke(
    'Build and store the report',
    functions.buildReport,
    fields({ 'quarter.$': '$.check.quarter', 'asOf.$': '$.check.asOf' }),
    '$.report',
  );
  for (const step of [build, buildAfterBatches]) {
    step.addRetry({
      errors: TRANSIENT_HUBSPOT_ERRORS,
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 3,
    });
  }

  const email = invoke(
    'Email the report to leadership',
    functions.emailReport,
    fields({ 'quarter.$': '$.report.quarter', 'asOf.$': '$.report.asOf' }),
    '$.email',
  );
  email.addRetry({
    errors: ['EmailDeliveryError'],
    interval: Duration.minutes(1),
    backoffRate: 2,
    maxAttempts: 3,
  });
  const delivered = new Succeed(scope, 'Report delivered', {
    comment: 'The report is stored and leadership has it in their inbox',
  });
  email.next(delivered);

  const portfolioSize = new Choice(scope, 'Is the portfolio too large for one function?')
    .when(
      Condition.numberGreaterThan('$.export.dealCount', props.largePortfolioDeals),
      readBatches.next(buildAfterBatches).next(email),
    )
    .otherwise(build.next(email));

  return dueCheck.next(
    new Choice(scope, 'Is the check due today?')
      .when(Condition.booleanEquals('$.check.due', true), exportIds.next(portfolioSize))
      .otherwise(notDue),
  );
}

/**
 * The Distributed Map's reader of the exported deal ids: a JSON array the export function wrote
 * under `runs/` (its only write grant). CDK's S3JsonItemReader cannot know a key named at run time
 * and grants GetObject on the whole bucket, leadership's stored reports included; this one grants
 * it on the run files only ("ItemReader (Map)", Step Functions Developer Guide: the state machine's
 * role needs s3:GetObject on the object it reads).
 */
class RunFileItemReader extends S3JsonItemReader {
  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          Arn.format({
            partition: Aws.PARTITION,
            service: 's3',
            region: '',
            account: '',
            resource: this.bucket.bucketName,
            resourceName: `${RUNS_PREFIX}*`,
          }),
        ],
      }),
    ];
  }
}
