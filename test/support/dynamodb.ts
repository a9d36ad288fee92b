import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { allTables, type TableDefinition } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';

export interface TestTables {
  readonly endpoint: string;
  /** Logical table name → physical name, unique to this test file. */
  readonly names: Record<string, string>;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  tableName(logicalName: string): string;
}

/**
 * Creates a fresh set of tables (from the same definitions CDK deploys) with a prefix unique
 * to the caller, in the DynamoDB Local started once for the test run.
 */
export async function createTestTables(
  definitions: readonly TableDefinition[] = allTables,
): Promise<TestTables> {
  const endpoint = inject('dynamodbEndpoint');
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const names = await createTables(endpoint, definitions, prefix);
  const client = new DynamoDBClient(localClientConfig(endpoint));
  return {
    endpoint,
    names,
    client,
    documentClient: documentClientOver(client),
    tableName(logicalName) {
      const name = names[logicalName];
      if (name === undefined) throw new Error(`no test table for ${logicalName}`);
      return name;
    },
  };
}
