import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Duration } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Errors,
  IntegrationPattern,
  JsonPath,
  Pass,
  Result,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { extensionRequestLink } from '#domain/extension-requests/extension-link.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { VirtualClock } from '#local/clock.ts';
import { LocalWorkflowRunner, renderAsl } from '#local/workflow-runner/index.ts';
import { createTestTables } from '#test/support/dynamodb.ts';
import { offeredRegistration, partnerEmail } from './extension-requests-harness.ts';

/**
 * The callback pattern end to end on the local runner: a wait like the workflow's "Warn partner
 * of expiry" stores its task token on the registration, the partner requests the extension on
 * the page, and the execution continues with the request as the wait's output.
 */
const warnFunction = 'arn:aws:lambda:us-east-1:000000000000:function:warn-partner-of-expiry';
const offerDays = 14;

function expiryMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const warn = new LambdaInvoke(scope, 'Warn partner of expiry', {
      lambdaFunction: LambdaFunction.fromFunctionArn(scope, 'warn', warnFunction),
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        taskToken: JsonPath.taskToken,
        registrationId: JsonPath.stringAt('$.registrationId'),
      }),
      taskTimeout: Timeout.duration(Duration.days(offerDays)),
      resultPath: '$.extension',
    });
    warn.addCatch(
      new Pass(scope, 'Let the registration expire', {
        result: Result.fromString('expired'),
        resultPath: '$.outcome',
      }),
      { errors: [Errors.TIMEOUT], resultPath: '$.timeout' },
    );
    return warn.next(new Succeed(scope, 'Extension requested'));
  });
}

const start = new Date('2027-02-06T09:00:00.000Z');
const key = new ApprovalSigningKey('integration-test-signing-key-0123456789');
let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let api: RunningApiServer;
let links: Map<string, string>;

beforeAll(async () => {
  const tables = await createTestTables([registrationsTable]);
  const tableName = tables.tableName(registrationsTable.logicalName);
  clock = new VirtualClock(start.toISOString());
  links = new Map();
  runner = new LocalWorkflowRunner({
    clock,
    handlers: {
      // Stands in for the workflow's task: offers the extension and keeps the token of its wait.
      [warnFunction]: async (input, context) => {
        const { registrationId } = input as { registrationId: string };
        const expiresAt = new Date(clock.now().getTime() + offerDays * 86_400_000).toISOString();
        await tables.documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { registrationId },
            UpdateExpression: 'SET extensionOffer = :offer, extensionCallbackToken = :token',
            ExpressionAttributeValues: {
              ':offer': { offeredAt: clock.now().toISOString(), expiresAt, partnerEmail },
              ':token': context.taskToken,
            },
          }),
        );
        links.set(
          registrationId,
          await extensionRequestLink(key, api.url, { registrationId, partnerEmail }, new Date(expiresAt)),
        );
        return { sent: true };
      },
    },
  });
  const handler = createExtensionRequestsHandler({
    store: new DynamoDbExtensionRequestStore(tables.documentClient, tableName),
    sendTaskSuccess: async (taskToken, output) => runner.sendTaskSuccess(taskToken, output),
    signingKey: async () => key,
    now: () => clock.now(),
    timeZone: 'UTC',
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  api = await startApiServer({
    routes: [
      { method: 'GET', path: '/registrations/{registrationId}/extension', handler },
      { method: 'POST', path: '/registrations/{registrationId}/extension', handler },
    ],
  });
  for (const registrationId of ['reg-requested', 'reg-expired']) {
    const {
      extensionOffer: _offer,
      extensionCallbackToken: _token,
      ...item
    } = offeredRegistration(registrationId);
    await tables.documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
    await runner.startExecution(expiryMachine(), { name: registrationId, input: { registrationId } });
  }
  await runner.settle();
});

afterAll(async () => {
  await runner.close();
  await api.stop();
});

async function requestExtension(link: string) {
  const page = await (await fetch(link)).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '';
  const url = new URL(link);
  url.search = '';
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: field('t'), nonce: field('nonce'), reason: 'Procurement moved to Q2' }),
  });
}

describe('the extension request resumes the waiting workflow on the local runner', () => {
  it('continues the execution with the request as the output of the wait', async () => {
    await clock.advance('P3D');

    const response = await requestExtension(links.get('reg-requested') ?? '');
    await runner.settle();

    expect(response.status).toBe(200);
    expect(runner.describeExecution('reg-requested')).toMatchObject({ status: 'SUCCEEDED' });
    expect((runner.describeExecution('reg-requested').output as { extension?: unknown }).extension).toEqual({
      extensionRequest: {
        requestedAt: '2027-02-09T09:00:00.000Z',
        requestedBy: partnerEmail,
        reason: 'Procurement moved to Q2',
      },
    });
  });

  it('answers 410 once the offer ran out and the workflow let the registration expire', async () => {
    await clock.advance(`P${offerDays}D`);

    const response = await fetch(links.get('reg-expired') ?? '');

    expect(response.status).toBe(410);
    expect((runner.describeExecution('reg-expired').output as { outcome?: unknown }).outcome).toBe('expired');
  });
});
