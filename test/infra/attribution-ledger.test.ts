import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type CfnTopic, Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttributionLedger, deniedLedgerActions } from '#lib/constructs/attribution-ledger.ts';
import {
  allow,
  attribute,
  functionBaseline,
  ledgerTableAndIndexes,
  statementsOf,
  viaDynamoDb,
} from './iam-statements.ts';
import { logicalIdOf } from './synthesize.ts';

let stack: Stack;
let ledger: AttributionLedger;
let writer: Role;
let template: Template;
let alarmTopic: Topic;

beforeAll(() => {
  const app = new App({ builtinCloudFormationValidation: false });
  stack = new Stack(app, 'LedgerTest', { env: { region: 'eu-west-1', account: '111111111111' } });
  alarmTopic = new Topic(stack, 'Alarms');
  ledger = new AttributionLedger(stack, 'Ledger', {
    alarmTopic,
    encryptionKey: new Key(stack, 'DataKey', { enableKeyRotation: true }),
  });
  writer = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  ledger.grantAppend(writer);
  template = Template.fromStack(stack);
}, 120_000);

function ledgerTableProperties() {
  const table = template.findResources('AWS::DynamoDB::GlobalTable')[logicalIdOf(ledger.table)];
  if (table === undefined) throw new Error('ledger table not synthesised');
  return table.Properties;
}

describe('AttributionLedger', () => {
  it('keys the table by opportunity and sequence with point-in-time recovery, deletion protection and a full-image stream', () => {
    const properties = ledgerTableProperties();

    expect(properties.KeySchema).toEqual([
      { AttributeName: 'opportunityId', KeyType: 'HASH' },
      { AttributeName: 'sequence', KeyType: 'RANGE' },
    ]);
    expect(properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(properties.Replicas[0]).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('denies update, delete, batch write and PartiQL update/delete to every principal in the table policy', () => {
    const statements = ledgerTableProperties().Replicas[0].ResourcePolicy.PolicyDocument.Statement;

    expect(statements).toContainEqual({
      Sid: 'LedgerEntriesAreNeverChanged',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...deniedLedgerActions],
      Resource: '*',
    });
  });

  it('grants a writer conditional puts and reads only, never update or delete, the table key through DynamoDB only, and GenerateMac alone on the ledger key', () => {
    const statements = statementsOf(template, writer);

    expect(statements).toEqual([
      allow(
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        [attribute(ledger.table.encryptionKey as Key)],
        viaDynamoDb,
      ),
      allow(['kms:GenerateMac'], [attribute(ledger.macKey)]),
      allow(
        ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        ledgerTableAndIndexes(attribute(ledger.table)),
      ),
    ]);
  });

  it('keeps the ledger key in KMS as an HMAC_256 key for generating and verifying MACs, retained', () => {
    const keys = template.findResources('AWS::KMS::Key', {
      Properties: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    });

    expect(Object.keys(keys)).toEqual([logicalIdOf(ledger.macKey)]);
    expect(Object.values(keys)[0]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { PendingWindowInDays: 30 },
    });
  });

  it('lets the stream guard verify MACs and nothing else with the ledger key, and feeds it every stream event', () => {
    const macStatements = statementsOf(template, ledger.streamGuard).filter((statement) =>
      statement.actions.some((action) => action.endsWith('Mac')),
    );

    expect(macStatements).toEqual([allow(['kms:VerifyMac'], [attribute(ledger.macKey)])]);
    expect(statementsOf(template, ledger.streamGuard)).toEqual(
      expect.arrayContaining(functionBaseline(ledger.streamGuard)),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Description: Match.stringLikeRegexp('stream guard'),
      Environment: {
        Variables: Match.objectLike({
          LEDGER_MAC_KEY: { 'Fn::GetAtt': [logicalIdOf(ledger.macKey), 'Arn'] },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(ledger.streamGuard) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(ledger.table), 'StreamArn'] },
      FilterCriteria: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('alarms within a minute on the first entry modified, removed or inserted without a valid MAC', () => {
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((resource) =>
      String(resource.Properties.AlarmDescription).includes('attribution ledger entry'),
    );
    const queries = alarm?.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: {
        Metric: { MetricName: string; Dimensions: { Value: string }[] };
        Period: number;
        Stat: string;
      };
    }[];

    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.getLogicalId(alarmTopic.node.defaultChild as CfnTopic) }],
    });
    expect(queries.find((query) => query.Expression !== undefined)?.Expression).toBe(
      'FILL(changed, 0) + FILL(forged, 0) + FILL(undigested, 0)',
    );
    expect(
      queries
        .filter((query) => query.MetricStat !== undefined)
        .map(({ Id, MetricStat }) => [
          Id,
          MetricStat?.Metric.MetricName,
          MetricStat?.Metric.Dimensions[0]?.Value,
          MetricStat?.Period,
          MetricStat?.Stat,
        ]),
    ).toEqual([
      ['changed', 'LedgerNonInsertEvents', 'dealreg-ledger-guard', 60, 'Sum'],
      ['forged', 'LedgerUnauthenticatedEntries', 'dealreg-ledger-guard', 60, 'Sum'],
      ['undigested', 'LedgerUnauthenticatedEntries', 'dealreg-ledger-digest', 60, 'Sum'],
    ]);
  });

  it('lets the digest writer check MACs and sign digests, and tells it the digest interval', () => {
    const macStatements = statementsOf(template, ledger.digestWriter).filter((statement) =>
      statement.actions.some((action) => action.endsWith('Mac')),
    );

    expect(macStatements).toEqual([
      allow(['kms:VerifyMac'], [attribute(ledger.macKey)]),
      allow(['kms:GenerateMac'], [attribute(ledger.macKey)]),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('ledger digest'),
      Environment: { Variables: Match.objectLike({ DIGEST_EVERY_SECONDS: '86400' }) },
    });
  });

  it('gives verify a role that reads the ledger and its digests and verifies MACs, nothing more', () => {
    const statements = statementsOf(template, ledger.verifierRole);

    expect(statements.flatMap((statement) => statement.actions).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'kms:Decrypt',
      'kms:VerifyMac',
      's3:GetObject',
      's3:ListBucket',
    ]);
    expect(statements).toContainEqual(allow(['kms:VerifyMac'], [attribute(ledger.macKey)]));
  });

  it('keeps digests in a versioned, encrypted, SSL-only bucket under compliance-mode Object Lock', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[logicalIdOf(ledger.digestBucket)];

    expect(bucket?.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(ledger.digestBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('writes digests on a schedule with a writer that cannot delete them', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(ledger.digestWriter), 'Arn'] },
        RoleArn: Match.anyValue(),
        DeadLetterConfig: { Arn: Match.anyValue() },
      }),
    });
    const actions = statementsOf(template, ledger.digestWriter).flatMap((statement) => statement.actions);
    expect(actions).toContain('s3:PutObject');
    expect(actions.filter((action) => /Delete|UpdateItem/.test(action))).toEqual([]);
  });

  it('refuses to build without a table or a key for one', () => {
    const other = new Stack(new App(), 'Other');

    expect(() => new AttributionLedger(other, 'Ledger', { alarmTopic: new Topic(other, 'Alarms') })).toThrow(
      /encryptionKey/,
    );
  });

  it('passes the AWS Solutions checks', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    expect(
      report.violations
        .filter((violation) =>
          violation.violatingResources.some((r) => r.constructPath?.includes('/Ledger/')),
        )
        .map(
          (violation) =>
            `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
    ).toEqual([]);
  });
});
