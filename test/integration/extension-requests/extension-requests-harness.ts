import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { extensionRequestLink } from '#domain/extension-requests/extension-link.ts';
import type { ExtensionTaskOutput } from '#domain/extension-requests/extension-offer.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { createTestTables } from '#test/support/dynamodb.ts';

/** Stands in for Step Functions: records each `SendTaskSuccess`, and can fail the next ones. */
export class RecordingTaskSuccess {
  readonly sent: { taskToken: string; output: ExtensionTaskOutput }[] = [];
  /** Errors (by name) to throw on the next calls, in order. */
  failures: string[] = [];

  readonly send = async (taskToken: string, output: ExtensionTaskOutput): Promise<void> => {
    const failure = this.failures.shift();
    if (failure !== undefined) {
      const error = new Error(`${failure}: the workflow could not be reached`);
      error.name = failure;
      throw error;
    }
    this.sent.push({ taskToken, output });
  };
}

export const partnerEmail = 'Pat@Cloudsmiths.example';
export const offerExpiresAt = '2027-02-20T17:00:00.000Z';

/** An approved registration whose workflow offered the extension and waits for the request. */
export function offeredRegistration(registrationId: string, overrides: Record<string, unknown> = {}) {
  const record: StoredRegistration = {
    registrationId,
    conversionId: `conv-${registrationId}`,
    submittedAt: '2026-11-20T10:00:00.000Z',
    receivedAt: '2026-11-20T10:00:01.000Z',
    receivedVia: 'webhook',
    status: 'received',
    submission: { conversionId: `conv-${registrationId}`, submittedAt: 0, values: [] },
    details: {
      submitterEmail: 'pat@cloudsmiths.example',
      partnerDomain: 'cloudsmiths.example',
      customerCompanyName: 'Acme <Analytics>',
      customerCompanyKey: 'acme analytics',
      customerDomain: 'acme-analytics.example',
      estimatedAmount: { minorUnits: 30_000_000, currency: 'EUR' },
      expectedCloseDate: '2027-02-26',
      products: ['Data Platform'],
      cloudMarketplace: 'aws',
    },
    customerDomain: 'acme-analytics.example',
    progress: {
      status: 'approved',
      partnerName: 'Cloudsmiths',
      approvedAt: '2026-11-23T10:00:00.000Z',
      expiresAt: offerExpiresAt,
      updatedAt: '2027-02-06T09:00:00.000Z',
    },
  };
  return {
    ...record,
    extensionOffer: { offeredAt: '2027-02-06T09:00:00.000Z', expiresAt: offerExpiresAt, partnerEmail },
    extensionCallbackToken: `task-token-${registrationId}`,
    ...overrides,
  };
}

export interface ExtensionRequestsApi {
  readonly api: RunningApiServer;
  readonly store: DynamoDbExtensionRequestStore;
  readonly sfn: RecordingTaskSuccess;
  readonly key: ApprovalSigningKey;
  clock: Date;
  /** Stores an offered registration and returns its id and the link the partner is emailed. */
  offer(overrides?: Record<string, unknown>): Promise<{ registrationId: string; link: string }>;
  /** Signs a link for any registration, partner and expiry. */
  linkFor(registrationId: string, claims?: { partnerEmail?: string; expiresAt?: Date }): Promise<string>;
  /** The registration item as stored. */
  item(registrationId: string): Promise<Record<string, unknown> | undefined>;
  readonly documentClient: DynamoDBDocumentClient;
  /** The Registrations table's name in DynamoDB Local. */
  readonly tableName: string;
}

/** The extension request page over HTTP, on a fresh Registrations table in DynamoDB Local. */
export async function startExtensionRequestsApi(): Promise<ExtensionRequestsApi> {
  const tables = await createTestTables([registrationsTable]);
  const tableName = tables.tableName(registrationsTable.logicalName);
  const store = new DynamoDbExtensionRequestStore(tables.documentClient, tableName);
  const sfn = new RecordingTaskSuccess();
  const key = new ApprovalSigningKey('integration-test-signing-key-0123456789');
  const clock = { now: new Date('2027-02-06T09:30:00Z') };
  const handler = createExtensionRequestsHandler({
    store,
    sendTaskSuccess: sfn.send,
    signingKey: async () => key,
    now: () => clock.now,
    timeZone: 'Europe/Berlin',
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  const api = await startApiServer({
    routes: [
      { method: 'GET', path: '/registrations/{registrationId}/extension', handler },
      { method: 'POST', path: '/registrations/{registrationId}/extension', handler },
    ],
  });
  const linkFor: ExtensionRequestsApi['linkFor'] = (registrationId, claims = {}) =>
    extensionRequestLink(
      key,
      api.url,
      { registrationId, partnerEmail: claims.partnerEmail ?? partnerEmail },
      claims.expiresAt ?? new Date(offerExpiresAt),
    );
  return {
    api,
    store,
    sfn,
    key,
    documentClient: tables.documentClient,
    tableName,
    get clock() {
      return clock.now;
    },
    set clock(now: Date) {
      clock.now = now;
    },
    async offer(overrides = {}) {
      const registrationId = `reg-${randomUUID()}`;
      await tables.documentClient.send(
        new PutCommand({ TableName: tableName, Item: offeredRegistration(registrationId, overrides) }),
      );
      return { registrationId, link: await linkFor(registrationId) };
    },
    linkFor,
    async item(registrationId) {
      const result = await tables.documentClient.send(
        new GetCommand({ TableName: tableName, Key: { registrationId }, ConsistentRead: true }),
      );
      return result.Item;
    },
  };
}
