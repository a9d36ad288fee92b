import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SubmissionBackfill,
  SubmissionBackfillConfigurationError,
  type SubmissionBackfillProps,
} from '#lib/constructs/submission-backfill.ts';
import {
  allow,
  attribute,
  executionsOf,
  functionBaseline,
  ref,
  sendEmailAs,
  statementsOf,
} from './iam-statements.ts';

const fixtureEntry = fileURLToPath(new URL('./fixtures/echo-handler.ts', import.meta.url));
const formGuid = '0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01';

function build(overrides: Partial<SubmissionBackfillProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Backfill', { env: { account: '111111111111', region: 'eu-west-1' } });
  const sweeperStateTable = new TableV2(stack, 'SweeperState', {
    partitionKey: { name: 'formGuid', type: AttributeType.STRING },
  });
  const registrationsTable = new TableV2(stack, 'Registrations', {
    partitionKey: { name: 'registrationId', type: AttributeType.STRING },
  });
  const registrationWorkflow = new StateMachine(stack, 'Workflow', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Pass')),
  });
  const hubspotAccessToken = new Secret(stack, 'Token');
  const backfill = new SubmissionBackfill(stack, 'SubmissionBackfill', {
    // `as`: TableV2 and Secret do not match their interfaces under exactOptionalPropertyTypes (aws/aws-cdk#37996).
    sweeperStateTable: sweeperStateTable as ITableV2,
    registrationsTable: registrationsTable as ITableV2,
    registrationWorkflow,
    hubspotAccessToken: hubspotAccessToken as ISecret,
    portalId: 12345678,
    formGuids: [formGuid],
    mailFrom: 'deals@partners.example.com',
    alarmTopic: new Topic(stack, 'Alarms'),
    entry: fixtureEntry,
    ...overrides,
  });
  return { stack, backfill, template: Template.fromStack(stack) };
}

let built: ReturnType<typeof build>;

beforeAll(() => {
  built = build();
});

describe('submission backfill construct', () => {
  it('runs the sweeper every 15 minutes through EventBridge Scheduler, without retries, failures to its DLQ', () => {
    const { template, stack, backfill } = built;

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [stack.getLogicalId(backfill.function.node.defaultChild as never), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      }),
    });
  });

  it('lets the scheduler role invoke the sweeper and nothing else', () => {
    const { template, backfill } = built;

    const statements = statementsOf(template, backfill.scheduleRole);

    expect(statements).toEqual([
      allow(['lambda:InvokeFunction'], [attribute(backfill.function), `${attribute(backfill.function)}:*`]),
      allow(['sqs:SendMessage'], [attribute(backfill.function.deadLetters)]),
    ]);
  });

  it('grants the sweeper exactly: its state item, registration items, starting the workflow, the token and mail', () => {
    const { template, stack, backfill } = built;
    const child = (id: string) => stack.node.findChild(id);

    const statements = statementsOf(template, backfill.function);

    expect(statements).toEqual([
      ...functionBaseline(backfill.function),
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [attribute(child('SweeperState'))]),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [attribute(child('Registrations'))],
      ),
      allow(['states:StartExecution'], [ref(child('Workflow'))]),
      allow(['states:ListExecutions'], [ref(child('Workflow'))]),
      allow(['states:RedriveExecution'], [executionsOf(child('Workflow'), '111111111111')]),
      allow(['secretsmanager:GetSecretValue'], [ref(child('Token'))]),
      sendEmailAs('111111111111'),
    ]);
  });

  it('alarms to the topic while a sweep finds a registration whose workflow stalled', () => {
    const { template } = built;

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StalledRegistrations',
      Namespace: 'Dealreg',
      Dimensions: [{ Name: 'service', Value: 'dealreg-backfill' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [Match.anyValue()],
    });
  });

  it('may only read and write items of the SweeperState table, not update or delete them', () => {
    const { template, stack, backfill } = built;
    const sweeperTable = attribute(stack.node.findChild('SweeperState'));

    const onSweeperTable = statementsOf(template, backfill.function).filter((statement) =>
      statement.resources.includes(sweeperTable),
    );

    expect(onSweeperTable).toEqual([allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [sweeperTable])]);
  });

  it('runs one sweep at a time, with the configured forms, portal and HubSpot budget', () => {
    const { template } = built;

    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          FORM_GUIDS: formGuid,
          HUBSPOT_PORTAL_ID: '12345678',
          HUBSPOT_REQUESTS_PER_WINDOW: '20',
          HUBSPOT_SEARCHES_PER_SECOND: '0',
        }),
      },
    });
  });

  it('bundles its own Lambda entry module by default', () => {
    const { template } = build({ entry: undefined });

    template.resourceCountIs('AWS::Lambda::Function', 1);
    // Bundling takes seconds, more on a loaded machine.
  }, 120_000);

  it('takes another schedule', () => {
    const { template } = build({ schedule: ScheduleExpression.rate(Duration.hours(1)) });

    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('refuses configurations it cannot run with', () => {
    expect(() => build({ formGuids: [] })).toThrow(SubmissionBackfillConfigurationError);
    expect(() => build({ formGuids: ['not-a-guid'] })).toThrow(/not a HubSpot form GUID/);
    expect(() => build({ portalId: 0 })).toThrow(/portalId must be a positive whole number/);
    expect(() => build({ timeout: Duration.seconds(30) })).toThrow(/at least one minute/);
    expect(() => build({ mailFrom: 'nobody' })).toThrow(/mailFrom must be a plain email address/);
  });
});
