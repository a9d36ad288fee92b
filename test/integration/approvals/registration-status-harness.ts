import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { statusLinkFor } from '#domain/registration-status/status-link.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createExtensionRequestsHandler } from '#handlers/extension-requests-handler.ts';
import { createRegistrationStatusHandler } from '#handlers/registration-status-handler.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { offeredRegistration } from '#test/integration/extension-requests/extension-requests-harness.ts';
import { createTestTables } from '#test/support/dynamodb.ts';

export interface StatusPagesApi {
  readonly api: RunningApiServer;
  readonly key: ApprovalSigningKey;
  clock: Date;
  /** Stores a registration (an approved one with an open extension offer, unless overridden). */
  store(overrides?: Record<string, unknown>): Promise<string>;
  /** Signs a status link for any registration, partner and expiry. */
  linkFor(registrationId: string, claims?: { partnerEmail?: string; expiresAt?: Date }): Promise<string>;
}

/** The partner's status and extension pages over HTTP, on a fresh Registrations table in DynamoDB Local. */
export async function startStatusPagesApi(): Promise<StatusPagesApi> {
  const tables = await createTestTables([registrationsTable]);
  const tableName = tables.tableName(registrationsTable.logicalName);
  const key = new ApprovalSigningKey('integration-test-signing-key-0123456789');
  const clock = { now: new Date('2027-02-06T09:30:00Z') };
  const common = {
    signingKey: async () => key,
    now: () => clock.now,
    timeZone: 'Europe/Berlin',
    logger: new Logger({ logLevel: 'CRITICAL' }),
  };
  const status = createRegistrationStatusHandler({
    ...common,
    registrations: new DynamoDbRegistrationBook(tables.documentClient, tableName),
  });
  const extension = createExtensionRequestsHandler({
    ...common,
    store: new DynamoDbExtensionRequestStore(tables.documentClient, tableName),
    sendTaskSuccess: async () => undefined,
  });
  const api = await startApiServer({
    routes: [
      { method: 'GET', path: '/registrations/{registrationId}/status', handler: status },
      { method: 'POST', path: '/registrations/{registrationId}/status', handler: status },
      { method: 'GET', path: '/registrations/{registrationId}/extension', handler: extension },
    ],
  });
  const linkFor: StatusPagesApi['linkFor'] = (registrationId, claims = {}) =>
    statusLinkFor(
      key,
      api.url,
      { registrationId, partnerEmail: claims.partnerEmail ?? 'pat@cloudsmiths.example' },
      claims.expiresAt ?? new Date('2027-03-22T17:00:00Z'),
    );
  return {
    api,
    key,
    get clock() {
      return clock.now;
    },
    set clock(now: Date) {
      clock.now = now;
    },
    async store(overrides = {}) {
      const registrationId = `reg-${randomUUID()}`;
      await tables.documentClient.send(
        new PutCommand({ TableName: tableName, Item: offeredRegistration(registrationId, overrides) }),
      );
      return registrationId;
    },
    linkFor,
  };
}
