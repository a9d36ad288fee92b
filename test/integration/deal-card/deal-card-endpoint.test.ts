import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { DealAttributionCard } from '#domain/deal-card/deal-attribution-card.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { createDealCardHandler } from '#handlers/deal-card-handler.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { proxyCardFetch } from '#test/support/hubspot-fetch.ts';
import { directActivityVerdict } from '#test/unit/approvals/approval-fixtures.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { writeDigest } from '#use-cases/ledger-digest.ts';

const secret = 'deal-card-client-secret';
const customer = { domain: 'acme-analytics.example', name: 'Acme Analytics' };

let tables: TestTables;
let api: RunningApiServer;
let store: DynamoDbLedgerStore;
let digests: FileDigestStore;
const ledgerKey = LocalLedgerKey.random();

const cardUrl = (query: string) => `${api.url}/hubspot/deal-card${query}`;

async function approveInLedger(dealId: string, registrationId: string, partnerId: string): Promise<void> {
  const deps = { store, ledgerKey };
  await appendEntry(deps, {
    type: 'RegistrationApproved',
    opportunityId: dealId,
    effectiveAt: '2026-11-25T10:00:00.000Z',
    recordedBy: 'workflow',
    registrationId,
    partnerId,
    customer,
    relationshipType: 'influenced',
    decidedBy: 'casey@vendor.example',
  });
  await appendEntry(deps, {
    type: 'PartnerAttached',
    opportunityId: dealId,
    effectiveAt: '2026-11-25T10:00:00.000Z',
    recordedBy: 'workflow',
    partnerId,
    customer,
    relationshipType: 'influenced',
    registrationId,
  });
}

async function storeRegistration(registrationId: string, dealId: string, partnerId: string): Promise<void> {
  const record: StoredRegistration = {
    registrationId,
    conversionId: `conv-${registrationId}`,
    receivedAt: '2026-11-24T08:30:01.000Z',
    receivedVia: 'webhook',
    status: 'received',
    submission: { conversionId: `conv-${registrationId}`, submittedAt: 0, values: [] },
    progress: {
      status: 'approved',
      partnerId,
      partnerName: 'Cloudsmiths',
      verdict: directActivityVerdict(),
      sla: {
        requestedAt: '2026-11-24T09:00:00.000Z',
        deadline: '2026-11-26T09:00:00.000Z',
        reminders: 0,
        escalations: 0,
        defaulted: false,
        pausedHours: 0,
      },
      approvedAt: '2026-11-25T10:00:00.000Z',
      expiresAt: '2027-02-23T10:00:00.000Z',
      dealId,
      updatedAt: '2026-11-25T10:00:01.000Z',
    },
  };
  await tables.documentClient.send(
    new PutCommand({ TableName: tables.tableName(registrationsTable.logicalName), Item: record }),
  );
}

beforeAll(async () => {
  tables = await createTestTables([ledgerTable, registrationsTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName(ledgerTable.logicalName));
  digests = new FileDigestStore(await mkdtemp(join(tmpdir(), 'deal-card-digests-')));
  const handler = createDealCardHandler({
    ledger: store,
    digests,
    ledgerKey,
    registrations: new DynamoDbRegistrationBook(
      tables.documentClient,
      tables.tableName(registrationsTable.logicalName),
    ),
    now: () => new Date(),
    clientSecret: async () => secret,
    logger: new Logger({ serviceName: 'deal-card-test', logLevel: 'SILENT' }),
  });
  api = await startApiServer({ routes: [{ method: 'GET', path: '/hubspot/deal-card', handler }] });
});

afterAll(async () => {
  await api?.stop();
  tables?.client.destroy();
});

describe('GET /hubspot/deal-card', () => {
  it('answers the partner, relationship, registration, rule, status and SLA of an approved registration, verified against a digest', async () => {
    await approveInLedger('7100001', 'DR-2026-0101', '501');
    await storeRegistration('DR-2026-0101', '7100001', '501');

    const beforeDigest = await proxyCardFetch(cardUrl('?dealId=7100001'), { secret });
    await writeDigest({ store, digests, ledgerKey });
    const started = performance.now();
    const response = await proxyCardFetch(cardUrl('?dealId=7100001'), { secret });
    console.info(`deal card with one digest answered in ${Math.round(performance.now() - started)} ms`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const card = (await response.json()) as DealAttributionCard;
    expect(card).toMatchObject({
      dealId: '7100001',
      state: 'attributed',
      attributions: [
        {
          partnerId: '501',
          partnerName: 'Cloudsmiths',
          relationshipType: 'influenced',
          since: '2026-11-25T10:00:00.000Z',
          current: true,
          registrationId: 'DR-2026-0101',
          ruleId: 'direct-activity',
        },
      ],
      registrations: [
        {
          registrationId: 'DR-2026-0101',
          status: 'approved',
          slaDeadline: '2026-11-26T09:00:00.000Z',
          expiresAt: '2027-02-23T10:00:00.000Z',
        },
      ],
      ledger: { status: 'verified', entries: 2, problem: null },
    });
    expect(((await beforeDigest.json()) as DealAttributionCard).ledger.status).toBe(
      'verified-without-digests',
    );
  });

  it('answers an empty card, not an error, for a deal the ledger does not know', async () => {
    const response = await proxyCardFetch(cardUrl('?dealId=7199999'), { secret });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      dealId: '7199999',
      dealName: null,
      state: 'empty',
      attributions: [],
      registrations: [],
      ledger: { status: 'no-entries', entries: 0, problem: null },
    });
  });

  it('shows a chain changed in the table as not verified, naming the entry', async () => {
    await approveInLedger('7100002', 'DR-2026-0102', '502');
    await tables.client.send(
      new UpdateItemCommand({
        TableName: tables.tableName(ledgerTable.logicalName),
        Key: marshall({ opportunityId: '7100002', sequence: 2 }),
        UpdateExpression: 'SET relationshipType = :sourced',
        ExpressionAttributeValues: marshall({ ':sourced': 'sourced' }),
      }),
    );

    const response = await proxyCardFetch(cardUrl('?dealId=7100002'), { secret });

    expect(response.status).toBe(200);
    const card = (await response.json()) as DealAttributionCard;
    expect(card.ledger.status).toBe('not-verified');
    expect(card.ledger.problem).toMatch(/^entry #2: /);
  });

  it('checks the signature against the real time when the stack runs on a virtual clock ahead of it', async () => {
    // The local stack's clock may stand days ahead (after its demo); HubSpot stamps each request
    // with the real time it sends it.
    const virtualNow = new Date(Date.now() + 9 * 24 * 60 * 60 * 1000);
    const virtualStack = await startApiServer({
      routes: [
        {
          method: 'GET',
          path: '/hubspot/deal-card',
          handler: createDealCardHandler({
            ledger: store,
            digests,
            ledgerKey,
            registrations: new DynamoDbRegistrationBook(
              tables.documentClient,
              tables.tableName(registrationsTable.logicalName),
            ),
            now: () => virtualNow,
            requestClock: () => new Date(),
            clientSecret: async () => secret,
            logger: new Logger({ serviceName: 'deal-card-test', logLevel: 'SILENT' }),
          }),
        },
      ],
    });
    try {
      const response = await proxyCardFetch(`${virtualStack.url}/hubspot/deal-card?dealId=7199999`, {
        secret,
      });

      expect(response.status, await response.clone().text()).toBe(200);
      expect(await response.json()).toMatchObject({ dealId: '7199999', state: 'empty' });
    } finally {
      await virtualStack.stop();
    }
  });

  it('refuses a request signed with another secret with 401, naming the signature', async () => {
    const response = await proxyCardFetch(cardUrl('?dealId=7100001'), { secret, signWith: 'someone-else' });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'signature_rejected',
      message: 'HubSpot signature rejected: the signature does not match this request',
    });
  });

  it('refuses an unsigned request and a stale one with 401', async () => {
    const unsigned = await proxyCardFetch(cardUrl('?dealId=7100001'), { secret, omitSignature: true });
    const stale = await proxyCardFetch(cardUrl('?dealId=7100001'), {
      secret,
      timestamp: Date.now() - 6 * 60_000,
    });

    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { message: string }).message).toContain('X-HubSpot-Signature-v3');
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { message: string }).message).toContain('more than 5 minutes old');
  });

  it('refuses a request without dealId with 400 naming it', async () => {
    const response = await proxyCardFetch(cardUrl(''), { secret });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'malformed_request',
      problems: [
        { path: 'dealId', message: 'dealId is required: the id of the HubSpot deal the card is on' },
      ],
    });
  });

  it('refuses a dealId that is not a HubSpot id with 400', async () => {
    const response = await proxyCardFetch(cardUrl('?dealId=DR-2026-0101'), { secret });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      problems: [{ path: 'dealId', message: 'dealId must be a HubSpot deal id (digits only)' }],
    });
  });
});
