import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SubmissionBackfill,
  SubmissionBackfillConfigurationError,
  type SubmissionBackfillProps,
} from '#lib/constructs/submission-backfill.ts';

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
    sweeperStateTable,
    registrationsTable,
    registrationWorkflow,
    hubspotAccessToken,
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
    const { template, stack, backfill } = built;
    const functionId = stack.getLogicalId(backfill.function.node.defaultChild as never);

    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes('lambda:InvokeFunction'),
    );
    const statements = policies.flatMap(
      (policy) =>
        (policy.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } })
          .PolicyDocument.Statement,
    );

    expect(statements.some((statement) => statement.Action === 'lambda:InvokeFunction')).toBe(true);
    for (const statement of statements.filter((candidate) => candidate.Action === 'lambda:InvokeFunction')) {
      expect(JSON.stringify(statement.Resource)).toContain(functionId);
    }
  });

  it('grants the sweeper exactly: its state item, registration items, starting the workflow, the token and mail', () => {
    const { template, stack, backfill } = built;
    const roleId = stack.getLogicalId(backfill.function.role?.node.defaultChild as never);

    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((candidate) =>
      JSON.stringify(candidate.Properties?.Roles).includes(roleId),
    );
    const document = policy?.Properties?.PolicyDocument as
      | { Statement: { Action: string | string[] }[] }
      | undefined;
    const actions = (document?.Statement ?? []).flatMap((statement) =>
      Array.isArray(statement.Action) ? statement.Action : [statement.Action],
    );

    expect([...new Set(actions)].sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'ses:SendEmail',
        'ses:SendRawEmail',
        'sqs:SendMessage',
        'states:StartExecution',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('may only read and write items of the SweeperState table, not update or delete them', () => {
    const { template, stack } = built;
    const sweeperTableId = stack.getLogicalId(
      stack.node.findChild('SweeperState').node.defaultChild as never,
    );

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [sweeperTableId, 'Arn'] },
          },
        ]),
      },
    });
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
          HUBSPOT_REQUESTS_PER_WINDOW: '50',
        }),
      },
    });
  });

  it('bundles its own Lambda entry module by default', () => {
    const { template } = build({ entry: undefined });

    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

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
