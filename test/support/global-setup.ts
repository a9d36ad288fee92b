import type { TestProject } from 'vitest/node';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local.ts';

let dynamodb: RunningDynamoDbLocal | undefined;

/** Starts one DynamoDB Local for the whole test run; each test file creates its own tables. */
export async function setup(project: TestProject): Promise<void> {
  dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamodb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
