import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTestTables } from '#test/support/dynamodb.ts';

describe('test harness', () => {
  it('runs the suite on Node.js 24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('creates the deployed tables in DynamoDB Local under a per-file prefix', async () => {
    const tables = await createTestTables();
    // Described by name: ListTables answers 100 names a page, and the suite's files make more.
    const described = await tables.client.send(
      new DescribeTableCommand({ TableName: tables.tableName('Registrations') }),
    );
    expect(described.Table?.TableName).toBe(tables.tableName('Registrations'));
    expect(described.Table?.TableName).toMatch(/^t[0-9a-f]{8}-Registrations$/);
  });
});
