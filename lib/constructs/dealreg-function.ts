import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * Lets CommonJS dependencies call `require` inside an ESM bundle (esbuild wraps their
 * `require` calls in a shim that needs one in scope).
 */
const esmRequireBanner =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/**
 * Packages a function bundle gets a stand-in for: loaded at every cold start by a dependency
 * that never calls them on Node.js 24 or in Lambda (see each stand-in's comment).
 */
const bundleAliases = {
  'whatwg-url': fileURLToPath(new URL('../../functions/shims/whatwg-url.ts', import.meta.url)),
  semver: fileURLToPath(new URL('../../functions/shims/semver.ts', import.meta.url)),
  '@aws-sdk/credential-provider-node': fileURLToPath(
    new URL('../../functions/shims/credential-provider-node.ts', import.meta.url),
  ),
};

/** The absolute path of a handler module in `functions/handlers/`, such as `crm-events.ts`. */
export function handlerEntry(module: string): string {
  return fileURLToPath(new URL(`../../functions/handlers/${module}`, import.meta.url));
}

/** Log levels understood by Powertools Logger. */
export type DealregLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface DealregFunctionProps {
  /** Absolute path of the handler module (a `.ts` file exporting the handler). */
  readonly entry: string;
  /**
   * Name of the exported handler function.
   * @default 'handler'
   */
  readonly handler?: string;
  /** Human-readable purpose, shown in the Lambda console. */
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME`: the service name on every log line, metric and trace. */
  readonly serviceName: string;
  /** Topic that receives the error and dead-letter alarms. */
  readonly alarmTopic: ITopic;
  /**
   * Extra environment variables; the defaults (service name, log level) are always set.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MB (CPU grows with it; 512 MB keeps cold starts of a bundled SDK short).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: DealregLogLevel;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Concurrency reserved for (and capping) this function.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Errors within one minute that raise the errors alarm.
   * @default 1
   */
  readonly errorAlarmThreshold?: number;
  /**
   * Constants replaced in the bundle at deploy time (esbuild `define`), e.g. configuration too
   * large for the environment's 4 KB; keys are expressions, values JSON literals.
   * @default - none
   */
  readonly define?: Readonly<Record<string, string>>;
}

/**
 * The one Lambda function shape Dealreg deploys: Node.js 24 on arm64, an ESM bundle that
 * includes the AWS SDK (no runtime-provided SDK, shorter cold starts), minified, X-Ray tracing,
 * its own log group with retention, an encrypted dead-letter queue for failed asynchronous
 * invocations, and alarms on errors and on dead letters.
 *
 * The source map is shipped beside the bundle but Node.js is not started with
 * `--enable-source-maps`: that option reads and parses the whole map when the bundle loads, a
 * cost paid on every cold start (about 10 % of a 2 MB bundle's import), for stack traces that
 * name TypeScript lines. Logged stack traces name positions in `index.mjs`; map them with the
 * function's `index.mjs.map` when one needs reading.
 *
 * The execution role starts with write access to the function's own log group only; callers
 * grant exactly what the handler needs.
 */
export class DealregFunction extends NodejsFunction {
  /** Failed asynchronous invocations land here. */
  public readonly deadLetters: Queue;
  /** In alarm when the function reports errors. */
  public readonly errorsAlarm: Alarm;
  /** In alarm when the dead-letter queue holds a message. */
  public readonly deadLettersAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DealregFunctionProps) {
    // The log group, role and queue are passed to the function at creation, so they are
    // created beside it (in the same scope) rather than under it.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    // Instead of the AWS-managed basic execution policy (logs:* on every log group).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const deadLetters = new Queue(scope, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    super(scope, id, {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      deadLetterQueue: deadLetters,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The AWS SDK is bundled, not taken from the runtime (the CDK's default, `bundleAwsSDK:
        // false`). The runtime's SDK is AWS's version, not the lockfile's the tests ran, and in an
        // interleaved comparison the imports took 10–23 % more CPU with it: each runtime client
        // loads whole and unminified, where the bundle keeps the commands used (BENCHMARKS.md,
        // Lambda cold start).
        externalModules: [],
        esbuildArgs: Object.fromEntries(
          Object.entries(bundleAliases).map(([module, standIn]) => [`--alias:${module}`, standIn]),
        ),
        ...(props.define === undefined ? {} : { define: { ...props.define } }),
      },
    });

    this.deadLetters = deadLetters;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray only grants on "*"; ' +
        'every other statement of this role names its resources.',
    });

    const alarmAction = new SnsAction(props.alarmTopic);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.description}: invocations failed`,
      metric: this.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: props.errorAlarmThreshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deadLettersAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `${props.description}: failed asynchronous invocations are waiting in the dead-letter queue`,
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // "Available CloudWatch metrics for Amazon SQS": the queue's metrics are reported only while
      // it is active, and a dead-letter queue nobody reads goes quiet with its messages still in
      // it. Missing data keeps the alarm where it is ("Configuring how CloudWatch alarms treat
      // missing data": ignore), so it does not turn OK over failures nobody has handled.
      treatMissingData: TreatMissingData.IGNORE,
    });
    for (const alarm of [this.errorsAlarm, this.deadLettersAlarm]) {
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }
  }
}
