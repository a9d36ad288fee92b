import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  paginateListTables,
  ResourceInUseException,
  UpdateTableCommand,
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

/** A kept table that this version of Dealreg would define otherwise. */
export class TableDefinitionMismatchError extends Error {
  override readonly name = 'TableDefinitionMismatchError';
}

const keysText = (keys: readonly KeySchemaElement[] | undefined) =>
  (keys ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).join(',');

type IndexDescription = { IndexName?: string | undefined; KeySchema?: KeySchemaElement[] | undefined };

const indexText = (index: IndexDescription) => `${index.IndexName}(${keysText(index.KeySchema)})`;

/**
 * Creates the tables a kept DynamoDB Local database is missing, and brings the ones it has to
 * today's definitions the way a CloudFormation update brings a deployed table: a global secondary
 * index the definition adds is created on the kept table ("Adding a global secondary index to an
 * existing table", DynamoDB Developer Guide: UpdateTable with a Create action, one index at a
 * time, backfilled from the items). A kept table whose keys differ, or that has an index today's
 * definition does not (or keys differently), is named, with the way out. Returns logical →
 * physical names.
 */
export async function ensureTables(
  endpoint: string,
  definitions: readonly TableDefinition[],
): Promise<Record<string, string>> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const names: Record<string, string> = {};
  try {
    const existing = new Set<string>();
    for await (const page of paginateListTables({ client }, {})) {
      for (const name of page.TableNames ?? []) existing.add(name);
    }
    for (const definition of definitions) {
      const tableName = definition.logicalName;
      const wanted = createTableInput(definition, tableName);
      if (!existing.has(tableName)) {
        await client.send(new CreateTableCommand(wanted));
      } else {
        const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        const has = (table?.GlobalSecondaryIndexes ?? []).map(indexText);
        const needs = (wanted.GlobalSecondaryIndexes ?? []).map(indexText);
        if (
          keysText(table?.KeySchema) !== keysText(wanted.KeySchema) ||
          has.some((index) => !needs.includes(index))
        ) {
          throw new TableDefinitionMismatchError(
            `the kept table ${tableName} has keys and indexes "${`${keysText(table?.KeySchema)} ${[...has].sort().join(' ')}`.trim()}", this version defines "${`${keysText(wanted.KeySchema)} ${[...needs].sort().join(' ')}`.trim()}"; start with --fresh to start over`,
          );
        }
        for (const index of wanted.GlobalSecondaryIndexes ?? []) {
          if (has.includes(indexText(index))) continue;
          await client.send(
            new UpdateTableCommand({
              TableName: tableName,
              AttributeDefinitions: wanted.AttributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: index }],
            }),
          );
          await untilIndexActive(client, tableName, index.IndexName ?? '');
        }
      }
      names[definition.logicalName] = tableName;
    }
  } finally {
    client.destroy();
  }
  return names;
}

/** Waits until a new index of a table is ACTIVE (it is CREATING while backfilled). */
async function untilIndexActive(client: DynamoDBClient, tableName: string, indexName: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const status = table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName)?.IndexStatus;
    if (status === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the index ${indexName} of ${tableName} did not become ACTIVE within a minute`);
}

/** Client settings for DynamoDB Local: fixed region and dummy credentials, never the real AWS. */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
