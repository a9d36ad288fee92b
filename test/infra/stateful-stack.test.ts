import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deniedLedgerActions } from '#lib/constructs/attribution-ledger.ts';
import { allTables, sweeperStateTable } from '#lib/tables/index.ts';
import { normaliseStatements } from './iam-statements.ts';
import { logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
});

describe('stateful stack', () => {
  it('deploys one table per definition in lib/tables', () => {
    const { statefulTemplate } = synthesized;

    const tables = statefulTemplate.findResources('AWS::DynamoDB::GlobalTable');

    expect(Object.keys(tables)).toHaveLength(allTables.length);
    expect(synthesized.stateful.tables.size).toBe(allTables.length);
  });

  it.each(allTables.map((definition) => [definition.logicalName, definition] as const))(
    'builds the %s keys, indexes, stream and TTL from its definition',
    (logicalName, definition) => {
      const { stateful, statefulTemplate } = synthesized;
      const keySchema = (partition: { name: string }, sort?: { name: string }) => [
        { AttributeName: partition.name, KeyType: 'HASH' },
        ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : []),
      ];
      const logicalId = stateful.getLogicalId(stateful.table(logicalName).node.defaultChild as CfnResource);

      const table = statefulTemplate.toJSON().Resources[logicalId];

      expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
      expect(table.Properties.KeySchema).toEqual(keySchema(definition.partitionKey, definition.sortKey));
      expect(table.Properties.GlobalSecondaryIndexes ?? []).toEqual(
        (definition.globalSecondaryIndexes ?? []).map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection:
            index.projection?.type === 'INCLUDE'
              ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
              : { ProjectionType: 'ALL' },
        })),
      );
      expect(table.Properties.StreamSpecification).toEqual(
        definition.stream ? { StreamViewType: definition.stream } : undefined,
      );
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        definition.timeToLiveAttribute
          ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
          : undefined,
      );
    },
  );

  it('orders the customer-domain index by receipt and copies into it only what the conflict check compares, never the progress', () => {
    const { stateful, statefulTemplate } = synthesized;
    const logicalId = stateful.getLogicalId(stateful.table('Registrations').node.defaultChild as CfnResource);

    const indexes = statefulTemplate.toJSON().Resources[logicalId].Properties.GlobalSecondaryIndexes;

    expect(indexes).toEqual([
      {
        IndexName: 'byCustomerReceipt',
        KeySchema: [
          { AttributeName: 'customerDomain', KeyType: 'HASH' },
          { AttributeName: 'receivedAt', KeyType: 'RANGE' },
        ],
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['partnerDomain', 'customerCompanyKey', 'standing'],
        },
      },
    ]);
  });

  it('bills tables on demand with point-in-time recovery and deletion protection, retained on stack deletion', () => {
    const { statefulTemplate } = synthesized;

    const tables = Object.values(statefulTemplate.findResources('AWS::DynamoDB::GlobalTable'));

    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.Replicas).toEqual([
        expect.objectContaining({
          Region: 'eu-west-1',
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ]);
    }
  });

  it('encrypts every table with the rotating customer-managed data key', () => {
    const { stateful, statefulTemplate } = synthesized;
    const dataKeyId = stateful.getLogicalId(stateful.dataKey.node.defaultChild as CfnResource);

    statefulTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const tables = Object.values(statefulTemplate.findResources('AWS::DynamoDB::GlobalTable'));

    for (const table of tables) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas[0].SSESpecification).toEqual({
        KMSMasterKeyId: { 'Fn::GetAtt': [dataKeyId, 'Arn'] },
      });
    }
  });

  it('lets CloudWatch publish to the alarm topic key, and nothing else outside the account', () => {
    const { stateful, statefulTemplate } = synthesized;
    const key = statefulTemplate.toJSON().Resources[logicalIdOf(stateful.alarmsKey)];

    const statements = normaliseStatements(key.Properties.KeyPolicy.Statement);

    expect(statements).toEqual([
      {
        effect: 'Allow',
        principal: { AWS: 'arn:<AWS::Partition>:iam::<AWS::AccountId>:root' },
        actions: ['kms:*'],
        resources: ['*'],
      },
      {
        effect: 'Allow',
        principal: { Service: 'cloudwatch.amazonaws.com' },
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      },
    ]);
  });

  it('creates the HubSpot client secret with a random placeholder, retained, under a stage-specific name', () => {
    const { statefulTemplate } = synthesized;

    statefulTemplate.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'dealreg/test/hubspot-client-secret',
        GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
      },
    });
    statefulTemplate.hasOutput('HubSpotClientSecretName', {});
  });

  it('creates the HubSpot access token secret with a random placeholder, retained, under a stage-specific name', () => {
    const { stateful, statefulTemplate } = synthesized;

    const secret = statefulTemplate.toJSON().Resources[logicalIdOf(stateful.hubspotAccessToken)];

    expect(secret).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: 'dealreg/test/hubspot-access-token',
        GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
      },
    });
    expect(secret.Properties.SecretString).toBeUndefined();
    statefulTemplate.hasOutput('HubSpotAccessTokenName', { Value: 'dealreg/test/hubspot-access-token' });
    // The two HubSpot credentials and the approval signing key (test/infra/approvals.test.ts).
    statefulTemplate.resourceCountIs('AWS::SecretsManager::Secret', 3);
  });

  it('acknowledges that AWS cannot rotate either HubSpot credential, each with its own reason', () => {
    const { stateful } = synthesized;
    const rotationReason = (secret: IConstruct) =>
      secret.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .find(([id]) => id.endsWith('AwsSolutions-SMG4'))?.[1];

    const clientSecret = rotationReason(stateful.hubspotClientSecret);
    const accessToken = rotationReason(stateful.hubspotAccessToken);

    expect(accessToken).toMatch(/static token or the Service Key/);
    expect(clientSecret).toMatch(/client secret/);
    expect(accessToken).not.toBe(clientSecret);
  });

  it('exposes the SweeperState table the backfill keeps its place in', () => {
    const { stateful } = synthesized;

    expect(stateful.sweeperStateTable).toBe(stateful.table(sweeperStateTable.logicalName));
    expect(stateful.sweeperStateTable.definition.partitionKey).toEqual({ name: 'formGuid', type: 'S' });
  });

  it('is protected against stack deletion', () => {
    const { stateful, stateless } = synthesized;

    expect(stateful.terminationProtection).toBe(true);
    expect(stateless.terminationProtection).toBe(false);
  });

  it('refuses to look up a table the definitions do not describe', () => {
    const { stateful } = synthesized;

    expect(() => stateful.table('Nope')).toThrow(/No table named "Nope"/);
  });
});

describe('attribution ledger data', () => {
  it('keeps the digest bucket in the stateful stack under compliance-mode Object Lock, named for stage, account and region', () => {
    const { stateful, statefulTemplate } = synthesized;

    statefulTemplate.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
        },
        BucketName: {
          'Fn::Join': ['', ['dealreg-test-digest-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
        },
      }),
      DeletionPolicy: 'Retain',
    });
    expect(logicalIdOf(stateful.ledgerDigestBucket)).toMatch(/^LedgerDigestBucket/);
  });

  it('keeps the ledger key (KMS HMAC_256, generate and verify MACs) in the stateful stack, retained, with a stage alias and its ARN as an output', () => {
    const { stateful, statefulTemplate } = synthesized;

    statefulTemplate.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      DeletionPolicy: 'Retain',
    });
    statefulTemplate.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/dealreg/test/ledger-mac',
      TargetKeyId: { 'Fn::GetAtt': [logicalIdOf(stateful.ledgerMacKey), 'Arn'] },
    });
    statefulTemplate.hasOutput('LedgerMacKeyArn', {
      Value: { 'Fn::GetAtt': [logicalIdOf(stateful.ledgerMacKey), 'Arn'] },
    });
    // What `dealreg ledger verify` needs beside the key, named by the stack rather than looked up.
    statefulTemplate.hasOutput('LedgerTableName', { Value: { Ref: logicalIdOf(stateful.ledgerTable) } });
    statefulTemplate.hasOutput('LedgerDigestBucketName', {
      Value: { Ref: logicalIdOf(stateful.ledgerDigestBucket) },
    });
  });

  it('keeps the Ledger table insert-only: its resource policy denies every update and delete to everyone', () => {
    const { stateful, statefulTemplate } = synthesized;

    const table = statefulTemplate.findResources('AWS::DynamoDB::GlobalTable')[
      logicalIdOf(stateful.ledgerTable)
    ];
    const statements = normaliseStatements(
      table?.Properties.Replicas[0].ResourcePolicy.PolicyDocument.Statement,
    );

    expect(statements).toEqual([
      {
        sid: 'LedgerEntriesAreNeverChanged',
        effect: 'Deny',
        principal: { AWS: '*' },
        actions: [...deniedLedgerActions].sort(),
        resources: ['*'],
      },
    ]);
  });
});
