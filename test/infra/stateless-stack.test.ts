import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrlOutputKey, dealregStackNames, statelessOutputKeys } from '#domain/deployment.ts';
import { apiBinaryMediaTypes } from '#lib/api/binary-media-types.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import {
  allow,
  attribute,
  executionsOf,
  functionBaseline,
  imported,
  itemReadsAndWrites,
  ledgerTableAndIndexes,
  ref,
  sendEmailAs,
  statementsOf,
  viaDynamoDb,
} from './iam-statements.ts';
import {
  logicalIdOf,
  type SynthesizedApp,
  synthesizeDealregApp,
  testContext,
  testFormGuids,
} from './synthesize.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
});

/** `{"Fn::ImportValue": "…"}` naming the stateful stack's export of this construct. */
function importOf(construct: Parameters<typeof logicalIdOf>[0]) {
  return {
    'Fn::ImportValue': Match.stringLikeRegexp(
      `^Dealreg-test-Stateful:ExportsOutput.*${logicalIdOf(construct)}`,
    ),
  };
}

describe('intake function', () => {
  it('runs on Node.js 24, arm64, traced, with its settings in the environment', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const intake = stateless.submissionIntake.function;

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          REGISTRATIONS_TABLE: importOf(stateful.registrationsTable),
          SWEEPER_STATE_TABLE: importOf(stateful.sweeperStateTable),
          BACKFILL_FUNCTION_NAME: { Ref: logicalIdOf(stateless.submissionBackfill.function) },
          REGISTRATION_WORKFLOW_ARN: { Ref: logicalIdOf(stateless.registrationWorkflow.stateMachine) },
          HUBSPOT_CLIENT_SECRET_ARN: importOf(stateful.hubspotClientSecret),
          MAIL_FROM: 'deals@partners.example.com',
          SUBMITTED_AT_TOLERANCE_HOURS: '72',
          CALENDAR_TIME_ZONE: 'America/New_York',
          POWERTOOLS_SERVICE_NAME: 'dealreg-intake',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    expect(logicalIdOf(intake)).toMatch(/^SubmissionIntakeFormSubmissions/);
  });

  it('is granted exactly item reads and writes on Registrations and SweeperState, invoking the backfill, one workflow start, the client secret and mail from the sender', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const intake = stateless.submissionIntake.function;
    const [registrations, dataKey] = itemReadsAndWrites(stateful.registrationsTable, stateful.dataKey);

    const statements = statementsOf(statelessTemplate, intake);

    expect(statements).toEqual([
      ...functionBaseline(intake),
      registrations,
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [imported(stateful.sweeperStateTable, 'Arn')]),
      dataKey,
      allow(['lambda:InvokeFunction'], [attribute(stateless.submissionBackfill.function)]),
      allow(['states:StartExecution'], [ref(stateless.registrationWorkflow.stateMachine)]),
      allow(['secretsmanager:GetSecretValue'], [imported(stateful.hubspotClientSecret)]),
      sendEmailAs(),
    ]);
  });

  it('uses the table key only through DynamoDB', () => {
    const { stateless, statelessTemplate } = synthesized;
    const intake = stateless.submissionIntake.function;

    const kms = statementsOf(statelessTemplate, intake).filter((statement) =>
      statement.actions.some((action) => action.startsWith('kms:')),
    );

    expect(kms.map((statement) => statement.condition)).toEqual([viaDynamoDb]);
  });

  it('logs to a log group kept for three months, with a dead-letter queue and alarms on errors and dead letters', () => {
    const { stateless, statelessTemplate } = synthesized;
    const intake = stateless.submissionIntake.function;
    const topic = { Ref: logicalIdOf(stateless.alarmTopic) };

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(intake.logGroup) } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(intake.deadLetters), 'Arn'] } },
    });
    statelessTemplate.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
    statelessTemplate.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(intake) } }],
      AlarmActions: [topic],
    });
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(intake.deadLetters), 'QueueName'] } },
      ],
      AlarmActions: [topic],
    });
  });
});

describe('intake API', () => {
  it('routes POST /hubspot/form-submissions to the intake function without an API Gateway authorizer', () => {
    const { stateless, statelessTemplate } = synthesized;
    const intake = stateless.submissionIntake;

    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'hubspot' });
    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'form-submissions' });
    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'AWS_PROXY',
        Uri: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(intake.function), 'Arn'] }])],
        }),
      },
    });
    // The intake's and the CRM events' webhooks, the deal card (test/infra/deal-card.test.ts), GET
    // and POST of the approval and extension pages and GET of the partner's status page
    // (test/infra/approvals.test.ts); nothing else is exposed.
    expect(Object.keys(statelessTemplate.findResources('AWS::ApiGateway::Method'))).toHaveLength(8);
  });

  it('hands every request body to its function as the bytes sent, base64-encoded, as the local API does', () => {
    const apis = synthesized.statelessTemplate.findResources('AWS::ApiGateway::RestApi');

    expect(Object.values(apis).map((api) => api.Properties.BinaryMediaTypes)).toEqual([['*/*']]);
    expect(apiBinaryMediaTypes).toEqual(['*/*']);
  });

  it('writes JSON access logs of every request, kept a year, without headers or bodies', () => {
    const { stateless, statelessTemplate } = synthesized;
    const accessLogs = stateless.submissionIntake.accessLogs;

    const [stage] = Object.values(statelessTemplate.findResources('AWS::ApiGateway::Stage'));
    const format = JSON.parse(stage?.Properties.AccessLogSetting.Format);

    expect(stage?.Properties.AccessLogSetting.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(accessLogs), 'Arn'],
    });
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      status: '$context.status',
      integrationErrorMessage: '$context.integrationErrorMessage',
    });
    expect(Object.values(format).join(' ')).not.toMatch(/header|body/i);
    statelessTemplate.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('throttles the stage (50 requests/s, bursts of 100), traces it and names it after the stage', () => {
    const { statelessTemplate } = synthesized;

    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'test',
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });

  it('sets the account-wide API Gateway CloudWatch role its access logs need, and keeps it when the stack goes', () => {
    const { statelessTemplate } = synthesized;

    const accounts = statelessTemplate.findResources('AWS::ApiGateway::Account');
    expect(Object.values(accounts)).toHaveLength(1);
    const [account] = Object.values(accounts);
    if (account === undefined) throw new Error('no AWS::ApiGateway::Account');
    expect(account.DeletionPolicy).toBe('Retain');
    const roleReference = (account.Properties as { CloudWatchRoleArn: { 'Fn::GetAtt': [string, string] } })
      .CloudWatchRoleArn['Fn::GetAtt'];
    expect(roleReference[1]).toBe('Arn');
    const role = statelessTemplate.toJSON().Resources[roleReference[0]];
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    ]);
    // The stage deploys after the account setting, or API Gateway refuses its access logs.
    const stages = statelessTemplate.findResources('AWS::ApiGateway::Stage');
    for (const stage of Object.values(stages)) {
      expect(JSON.stringify(stage.DependsOn ?? [])).toContain(Object.keys(accounts)[0]);
    }
  });

  it('outputs the webhook URL to configure in HubSpot', () => {
    const { statelessTemplate } = synthesized;

    const outputs = statelessTemplate.findOutputs('*', {
      Description: Match.stringLikeRegexp('Send a webhook'),
    });

    expect(JSON.stringify(Object.values(outputs)[0]?.Value)).toContain('/hubspot/form-submissions');
  });
});

describe('registration workflow', () => {
  it('is a Standard state machine logging every event to its own log group, traced with X-Ray', () => {
    const { stateless, statelessTemplate } = synthesized;
    const workflow = stateless.registrationWorkflow;

    statelessTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(workflow.logGroup), 'Arn'] },
            },
          },
        ],
      },
    });
    const logGroup = statelessTemplate.toJSON().Resources[logicalIdOf(workflow.logGroup)];
    expect(logGroup.Properties.RetentionInDays).toBe(90);
    expect(logGroup.DeletionPolicy).toBe('Retain');
    // Unique per stack instance: a retained group must not block recreating the stack.
    expect(logGroup.Properties.LogGroupName).toEqual({
      'Fn::Join': [
        '',
        [
          '/aws/vendedlogs/states/dealreg-registration-workflow-',
          { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
        ],
      ],
    });
  });

  it('alarms when an execution fails, times out or is aborted', () => {
    const { stateless, statelessTemplate } = synthesized;
    const stateMachine = { Ref: logicalIdOf(stateless.registrationWorkflow.stateMachine) };

    const [alarm] = Object.values(
      statelessTemplate.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('Registration workflow') },
      }),
    );
    const metrics = alarm?.Properties.Metrics as Array<{
      Id: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } };
    }>;

    expect(alarm?.Properties.AlarmActions).toEqual([{ Ref: logicalIdOf(stateless.alarmTopic) }]);
    expect(alarm?.Properties.Threshold).toBe(1);
    expect(
      metrics
        .filter((metric) => metric.MetricStat)
        .map((metric) => metric.MetricStat?.Metric.MetricName)
        .sort(),
    ).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const metric of metrics.filter((m) => m.MetricStat)) {
      expect(metric.MetricStat?.Metric.Dimensions).toEqual([
        { Name: 'StateMachineArn', Value: stateMachine },
      ]);
    }
  });
});

describe('submission backfill', () => {
  it('runs one sweep at a time on Node.js 24, with the portal, forms and tables in its environment', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const sweeper = stateless.submissionBackfill.function;

    const resource = statelessTemplate.toJSON().Resources[logicalIdOf(sweeper)];

    expect(resource.Type).toBe('AWS::Lambda::Function');
    expect(resource.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 1,
      Timeout: 300,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(sweeper.deadLetters), 'Arn'] } },
    });
    expect(resource.Properties.Environment.Variables).toEqual({
      SWEEPER_STATE_TABLE: {
        'Fn::ImportValue': expect.stringMatching(logicalIdOf(stateful.sweeperStateTable)),
      },
      REGISTRATIONS_TABLE: {
        'Fn::ImportValue': expect.stringMatching(logicalIdOf(stateful.registrationsTable)),
      },
      REGISTRATION_WORKFLOW_ARN: { Ref: logicalIdOf(stateless.registrationWorkflow.stateMachine) },
      HUBSPOT_ACCESS_TOKEN_ARN: {
        'Fn::ImportValue': expect.stringMatching(
          `ExportsOutputRef${logicalIdOf(stateful.hubspotAccessToken)}`,
        ),
      },
      HUBSPOT_PORTAL_ID: '12345678',
      HUBSPOT_REQUESTS_PER_WINDOW: '20',
      HUBSPOT_SEARCHES_PER_SECOND: '0',
      FORM_GUIDS: testFormGuids.join(','),
      MAIL_FROM: 'deals@partners.example.com',
      SUBMITTED_AT_TOLERANCE_HOURS: '72',
      CALENDAR_TIME_ZONE: 'America/New_York',
      POWERTOOLS_SERVICE_NAME: 'dealreg-backfill',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('is granted exactly its SweeperState and Registrations items, starting, listing and redriving workflow executions, the access token and mail', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const sweeper = stateless.submissionBackfill.function;

    const statements = statementsOf(statelessTemplate, sweeper);

    expect(statements).toEqual([
      ...functionBaseline(sweeper),
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [imported(stateful.sweeperStateTable, 'Arn')]),
      ...itemReadsAndWrites(stateful.registrationsTable, stateful.dataKey),
      allow(['states:StartExecution'], [ref(stateless.registrationWorkflow.stateMachine)]),
      allow(['states:ListExecutions'], [ref(stateless.registrationWorkflow.stateMachine)]),
      allow(['states:RedriveExecution'], [executionsOf(stateless.registrationWorkflow.stateMachine)]),
      allow(['secretsmanager:GetSecretValue'], [imported(stateful.hubspotAccessToken)]),
      sendEmailAs(),
    ]);
  });

  it('keeps each HubSpot credential with the one function that uses it', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const secretsOf = (fn: typeof stateless.submissionIntake.function) =>
      statementsOf(statelessTemplate, fn)
        .filter((statement) => statement.actions.includes('secretsmanager:GetSecretValue'))
        .map((statement) => statement.resources);

    const intake = secretsOf(stateless.submissionIntake.function);
    const backfill = secretsOf(stateless.submissionBackfill.function);
    const crmEvents = secretsOf(stateless.crmEvents.function);

    expect(intake).toEqual([[imported(stateful.hubspotClientSecret)]]);
    expect(backfill).toEqual([[imported(stateful.hubspotAccessToken)]]);
    // CRM events verify signatures with the client secret and read deals with the access token.
    expect(crmEvents).toEqual([
      [imported(stateful.hubspotClientSecret), imported(stateful.hubspotAccessToken)],
    ]);
  });

  it('is invoked every 15 minutes by EventBridge Scheduler, once per run, failed invocations to its DLQ', () => {
    const { stateless, statelessTemplate } = synthesized;
    const backfill = stateless.submissionBackfill;

    const sweeperArn = { 'Fn::GetAtt': [logicalIdOf(backfill.function), 'Arn'] };
    const schedulesOfSweeper = Object.values(
      statelessTemplate.findResources('AWS::Scheduler::Schedule'),
    ).filter((schedule) => JSON.stringify(schedule.Properties.Target.Arn) === JSON.stringify(sweeperArn));
    expect(schedulesOfSweeper).toHaveLength(1);
    statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(backfill.function), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(backfill.scheduleRole), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(backfill.function.deadLetters), 'Arn'] } },
      },
    });
  });

  it("lets only this account's scheduler assume the schedule role, which may invoke the sweeper and nothing else", () => {
    const { stateless, statelessTemplate } = synthesized;
    const backfill = stateless.submissionBackfill;

    const role = statelessTemplate.toJSON().Resources[logicalIdOf(backfill.scheduleRole)];
    const statements = statementsOf(statelessTemplate, backfill.scheduleRole);

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:eu-west-1:',
                  { Ref: 'AWS::AccountId' },
                  ':schedule-group/default',
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(statements).toEqual([
      allow(['lambda:InvokeFunction'], [attribute(backfill.function), `${attribute(backfill.function)}:*`]),
      allow(['sqs:SendMessage'], [attribute(backfill.function.deadLetters)]),
    ]);
  });

  it('alarms on failed sweeps and on dead letters', () => {
    const { stateless, statelessTemplate } = synthesized;
    const sweeper = stateless.submissionBackfill.function;
    const topic = { Ref: logicalIdOf(stateless.alarmTopic) };

    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(sweeper) } }],
      AlarmActions: [topic],
    });
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(sweeper.deadLetters), 'QueueName'] } },
      ],
      AlarmActions: [topic],
    });
  });

  it('takes its schedule, support address and form field mapping from the deployment settings', () => {
    const { stateless, statelessTemplate } = synthesizeDealregApp({
      context: {
        ...testContext,
        [contextKeys.backfillSchedule]: 'cron(0/30 7-19 ? * MON-FRI *)',
        [contextKeys.supportEmail]: 'partner-help@example.com',
        [contextKeys.formFieldMapping]: '{"customerDomain":"company_website"}',
      },
    });
    const sweeper = statelessTemplate.toJSON().Resources[logicalIdOf(stateless.submissionBackfill.function)];

    statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/30 7-19 ? * MON-FRI *)',
    });
    expect(sweeper.Properties.Environment.Variables).toMatchObject({
      SUPPORT_EMAIL: 'partner-help@example.com',
      FORM_FIELD_MAPPING: '{"customerDomain":"company_website"}',
    });
  });
});

describe('the registration form partners are linked to', () => {
  it('is given to the intake and the backfill, which email a partner what to fix, as to the workflow', () => {
    const { stateless, statelessTemplate } = synthesizeDealregApp({
      context: { ...testContext, [contextKeys.registrationFormUrl]: 'https://partners.yourco.test/register' },
    });
    const resources = statelessTemplate.toJSON().Resources;
    for (const fn of [stateless.submissionIntake.function, stateless.submissionBackfill.function]) {
      expect(resources[logicalIdOf(fn)].Properties.Environment.Variables.REGISTRATION_FORM_URL).toBe(
        'https://partners.yourco.test/register',
      );
    }
  });
});

describe('submittedAt tolerance', () => {
  it("gives the intake and the backfill the policy's intake.submittedAtToleranceHours and calendar zone", () => {
    const directory = mkdtempSync(join(tmpdir(), 'dealreg-policy-'));
    const policyFile = join(directory, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ intake: { submittedAtToleranceHours: 24 }, calendar: { timeZone: 'Europe/Berlin' } }),
    );
    const { stateless, statelessTemplate } = synthesizeDealregApp({
      context: { ...testContext, [contextKeys.policyFile]: policyFile },
    });
    const resources = statelessTemplate.toJSON().Resources;
    for (const fn of [stateless.submissionIntake.function, stateless.submissionBackfill.function]) {
      expect(resources[logicalIdOf(fn)].Properties.Environment.Variables.SUBMITTED_AT_TOLERANCE_HOURS).toBe(
        '24',
      );
      // The invalid-submission email gives the receipt time in the calendar's zone.
      expect(resources[logicalIdOf(fn)].Properties.Environment.Variables.CALENDAR_TIME_ZONE).toBe(
        'Europe/Berlin',
      );
    }
  });
});

describe('alarm topic', () => {
  it('is encrypted with the alarms key, refuses plain HTTP and mails the alarm address', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;

    statelessTemplate.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: importOf(stateful.alarmsKey),
    });
    statelessTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'revops-alerts@example.com',
      TopicArn: { Ref: logicalIdOf(stateless.alarmTopic) },
    });
  });
});

describe('attribution ledger guards', () => {
  it('guards the stateful ledger table’s stream from the stateless stack with the stateful ledger key, and alarms on tampering', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const guard = stateless.attributionLedger.streamGuard;

    statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::ImportValue': Match.stringLikeRegexp(`${logicalIdOf(stateful.ledgerTable)}StreamArn`),
      },
      FunctionName: { Ref: logicalIdOf(guard) },
      FilterCriteria: Match.absent(),
    });
    expect(statementsOf(statelessTemplate, guard)).toContainEqual(
      allow(['kms:VerifyMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
    );
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(changed, 0) + FILL(forged, 0) + FILL(undigested, 0)' }),
      ]),
      Threshold: 1,
    });
  });

  it('writes digests on a schedule into the stateful bucket, under the digest prefix only', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const writer = stateless.attributionLedger.digestWriter;
    const bucket = 'arn:<AWS::Partition>:s3:::dealreg-test-digest-<AWS::AccountId>-<AWS::Region>';

    const statements = statementsOf(statelessTemplate, writer);

    expect(statements).toEqual([
      ...functionBaseline(writer),
      allow(['kms:Decrypt'], [imported(stateful.dataKey, 'Arn')]),
      allow(
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        ledgerTableAndIndexes(imported(stateful.ledgerTable, 'Arn')),
      ),
      allow(['s3:ListBucket'], [bucket], { StringLike: { 's3:prefix': ['ledger-digests/*'] } }),
      allow(['s3:PutObject', 's3:GetObject'], [`${bucket}/ledger-digests/*`]),
      allow(['kms:VerifyMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
      allow(['kms:GenerateMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
    ]);
    statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(writer), 'Arn'] } }),
    });
  });
});

describe('what dealreg doctor reads', () => {
  it('outputs the sender, the portal and the scheduled functions under the keys the doctor looks for', () => {
    const { stateless, statelessTemplate } = synthesized;

    statelessTemplate.hasOutput(statelessOutputKeys.mailFrom, { Value: 'deals@partners.example.com' });
    statelessTemplate.hasOutput(statelessOutputKeys.hubspotPortalId, { Value: '12345678' });
    statelessTemplate.hasOutput(statelessOutputKeys.backfillFunctionName, {
      Value: { Ref: logicalIdOf(stateless.submissionBackfill.function) },
    });
    statelessTemplate.hasOutput(statelessOutputKeys.ledgerDigestFunctionName, {
      Value: { Ref: logicalIdOf(stateless.attributionLedger.digestWriter) },
    });
    statelessTemplate.hasOutput(statelessOutputKeys.alarmTopicArn, {
      Value: { Ref: logicalIdOf(stateless.alarmTopic) },
    });
  });

  it('outputs the API base URL that dealreg hubspot project fills the HubSpot app with', () => {
    const { stateless, statelessTemplate } = synthesized;

    const outputs = statelessTemplate.findOutputs(apiUrlOutputKey);
    const value = JSON.stringify(outputs[apiUrlOutputKey]?.Value);

    expect(value).toContain(`{"Ref":"${logicalIdOf(stateless.submissionIntake.api)}"}`);
    expect(value).toContain('.execute-api.');
  });

  it('names the stacks as the doctor does', () => {
    expect([synthesized.stateful.stackName, synthesized.stateless.stackName]).toEqual(
      Object.values(dealregStackNames('test')),
    );
  });
});
