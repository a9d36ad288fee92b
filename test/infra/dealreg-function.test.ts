import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { DealregFunction } from '#lib/constructs/dealreg-function.ts';
import { allow, attribute, statementsOf } from './iam-statements.ts';
import { logicalIdOf } from './synthesize.ts';

const esmRequireBanner =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";
const entry = fileURLToPath(new URL('./fixtures/echo-handler.ts', import.meta.url));

let app: App;
let template: Template;
let stack: Stack;
let defaults: DealregFunction;

beforeAll(() => {
  // The resource assertions below do not need CloudFormation's schema check (the app tests run it).
  app = new App({ builtinCloudFormationValidation: false });
  stack = new Stack(app, 'FunctionTest', { env: { region: 'eu-west-1' } });
  const alarmTopic = new Topic(stack, 'Alarms');
  defaults = new DealregFunction(stack, 'Defaults', {
    entry,
    description: 'Function with every default',
    serviceName: 'dealreg-test',
    alarmTopic,
    environment: { TABLE: 'registrations' },
  });
  new DealregFunction(stack, 'Tuned', {
    entry,
    description: 'Function with overrides',
    serviceName: 'dealreg-tuned',
    alarmTopic,
    memorySize: 1024,
    timeout: Duration.seconds(30),
    logLevel: 'DEBUG',
    logRetention: RetentionDays.ONE_WEEK,
    reservedConcurrentExecutions: 5,
  });
  template = Template.fromStack(stack);
});

function functionNamed(description: string) {
  const [found] = Object.values(
    template.findResources('AWS::Lambda::Function', { Properties: { Description: description } }),
  );
  if (!found) throw new Error(`no function described "${description}"`);
  return found.Properties;
}

describe('DealregFunction', () => {
  it('runs Node.js 24 on arm64 with active tracing, 512 MB and 10 s by default', () => {
    const properties = functionNamed('Function with every default');

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 10,
      Handler: 'index.handler',
    });
  });

  it('sets the Powertools service and log level, keeping the caller environment, and no NODE_OPTIONS (source maps are not loaded at start)', () => {
    const properties = functionNamed('Function with every default');

    expect(properties.Environment.Variables).toEqual({
      TABLE: 'registrations',
      POWERTOOLS_SERVICE_NAME: 'dealreg-test',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('takes memory, timeout, log level, retention and reserved concurrency from its props', () => {
    const properties = functionNamed('Function with overrides');

    expect(properties).toMatchObject({
      MemorySize: 1024,
      Timeout: 30,
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_SERVICE_NAME: 'dealreg-tuned' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('logs to its own retained log group, three months by default', () => {
    const logGroupId = stack.getLogicalId(defaults.logGroup.node.defaultChild as never);

    const properties = functionNamed('Function with every default');

    expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 90 },
    });
  });

  it('sends failed asynchronous invocations to an encrypted dead-letter queue that refuses plain HTTP', () => {
    const queueId = stack.getLogicalId(defaults.deadLetters.node.defaultChild as never);

    const properties = functionNamed('Function with every default');

    expect(properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms on any error and on any dead letter, notifying the alarm topic', () => {
    const topicRef = { Ref: stack.getLogicalId(stack.node.findChild('Alarms').node.defaultChild as never) };
    const functionRef = { Ref: stack.getLogicalId(defaults.node.defaultChild as never) };
    const queueName = {
      'Fn::GetAtt': [stack.getLogicalId(defaults.deadLetters.node.defaultChild as never), 'QueueName'],
    };

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      Threshold: 1,
      AlarmActions: [topicRef],
      // A queue that goes inactive stops reporting with its messages still waiting: the alarm
      // keeps its state rather than turning OK.
      TreatMissingData: 'ignore',
    });
  });

  it('starts with write access to its own log group only, not the AWS-managed basic execution policy', () => {
    const role = template.toJSON().Resources[logicalIdOf(defaults.role as Role)];

    const statements = statementsOf(template, defaults);

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statements).toEqual([
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [attribute(defaults.logGroup)]),
      allow(['sqs:SendMessage'], [attribute(defaults.deadLetters)]),
      allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
    ]);
  });

  it('bundles a minified ES module with the createRequire banner, a source map and the SDK inside', () => {
    const asset = defaults.node.findChild('Code') as Asset;
    const directory = join(app.outdir, asset.assetPath);

    const bundle = readFileSync(join(directory, 'index.mjs'), 'utf8');

    // Booleans, not the bundle itself: a failure must not print 300 kB of JavaScript.
    expect(existsSync(join(directory, 'index.mjs.map'))).toBe(true);
    expect(bundle.startsWith(esmRequireBanner)).toBe(true);
    expect(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(bundle)).toBe(true);
    expect(/(?:\bfrom|\bimport\(|\brequire\()\s*["']@aws-sdk\/client-dynamodb["']/.test(bundle)).toBe(false);
    expect(bundle.includes('DynamoDBClient')).toBe(true);
    expect(bundle.split('\n').length).toBeLessThan(100);
  });
});
