import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '#lib/tables/index.ts';

/** Builds the CreateTable request for a table definition (on-demand, like the deployed table). */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keys = [
    definition.partitionKey,
    ...(definition.sortKey ? [definition.sortKey] : []),
    ...(definition.globalSecondaryIndexes ?? []).flatMap((index) => [
      index.partitionKey,
      ...(index.sortKey ? [index.sortKey] : []),
    ]),
  ];
  const attributeDefinitions = [...new Map(keys.map((key) => [key.name, key])).values()].map((key) => ({
    AttributeName: key.name,
    AttributeType: key.type,
  }));
  const keySchema = (partition: { name: string }, sort?: { name: string }) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = definition.globalSecondaryIndexes ?? [];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions,
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    // DynamoDB refuses an empty list of indexes.
    GlobalSecondaryIndexes:
      indexes.length > 0
        ? indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection?.type === 'INCLUDE'
                ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.attributes] }
                : { ProjectionType: 'ALL' as const },
          }))
        : undefined,
    StreamSpecification: definition.stream
      ? { StreamEnabled: true, StreamViewType: definition.stream }
      : undefined,
  };
}

/**
 * Creates every table in DynamoDB Local under `prefix` + logical name and returns the
 * logical → physical name map. Tables that already exist are left as they are.
 */
export async function createTables(
  endpoint: string,
  definitions: readonly TableDefinition[],
  prefix = '',
): Promise<Record<string, string>> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const names: Record<string, string> = {};
  try {
    for (const definition of definitions) {
      const tableName = `${prefix}${definition.logicalName}`;
      try {
        await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      names[definition.logicalName] = tableName;
    }
  } finally {
    client.destroy();
  }
  return names;
}

/** Client settings for DynamoDB Local: fixed region and dummy credentials, never the real AWS. */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
