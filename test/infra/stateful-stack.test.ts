import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '#lib/tables/index.ts';
import { type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

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
          Projection: { ProjectionType: 'ALL' },
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
    const { statefulTemplate } = synthesized;

    statefulTemplate.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('alarm'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
          },
        ]),
      },
    });
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
