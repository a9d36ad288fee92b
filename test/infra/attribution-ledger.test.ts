import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttributionLedger, deniedLedgerActions } from '#lib/constructs/attribution-ledger.ts';
import { allow, attribute, ledgerTableAndIndexes, statementsOf, viaDynamoDb } from './iam-statements.ts';
import { logicalIdOf } from './synthesize.ts';

let stack: Stack;
let ledger: AttributionLedger;
let writer: Role;
let template: Template;

beforeAll(() => {
  const app = new App({ builtinCloudFormationValidation: false });
  stack = new Stack(app, 'LedgerTest', { env: { region: 'eu-west-1', account: '111111111111' } });
  ledger = new AttributionLedger(stack, 'Ledger', {
    alarmTopic: new Topic(stack, 'Alarms'),
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

  it('grants a writer conditional puts and reads only, never update or delete, and the key through DynamoDB only', () => {
    const statements = statementsOf(template, writer);

    expect(statements).toEqual([
      allow(
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        [attribute(ledger.table.encryptionKey as Key)],
        viaDynamoDb,
      ),
      allow(
        ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
        ledgerTableAndIndexes(attribute(ledger.table)),
      ),
    ]);
  });

  it('feeds only non-INSERT stream events to the guard and alarms on the first one', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(ledger.streamGuard) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(ledger.table), 'StreamArn'] },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: [{ 'anything-but': ['INSERT'] }] }) }],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Dealreg',
      MetricName: 'LedgerNonInsertEvents',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
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
