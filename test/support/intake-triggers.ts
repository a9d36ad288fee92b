import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import type { SweepRequests } from '#ports/sweep-requests.ts';
import type { TestTables } from './dynamodb.ts';

/** Counts the sweeps asked for, where a test is not about what the sweep does. */
export class CountingSweepRequests implements SweepRequests {
  requests = 0;

  async request(): Promise<void> {
    this.requests += 1;
  }
}

/** What the intake handler needs for workflow-webhook triggers, over the test's SweeperState table. */
export function triggerDependencies(
  tables: TestTables,
  sweepRequests: SweepRequests = new CountingSweepRequests(),
) {
  const triggers = new DynamoDbIntakeTriggers(tables.documentClient, tables.tableName('SweeperState'));
  return { triggers, sweepRequestLog: triggers, sweepRequests };
}
