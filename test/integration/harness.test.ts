import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTestTables } from '#test/support/dynamodb.ts';

describe('test harness', () => {
  it('runs the suite on Node.js 24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('creates the deployed tables in DynamoDB Local under a per-file prefix', async () => {
    const tables = await createTestTables();
    const listed = await tables.client.send(new ListTablesCommand({}));
    expect(listed.TableNames).toContain(tables.tableName('Registrations'));
  });
});
