import { Logger } from '@aws-lambda-powertools/logger';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec.js';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { OpportunityState } from '#domain/ledger/projection.ts';
import { relationshipTypes } from '#domain/relationship-type.ts';
import { createCrmEventsHandler } from '#handlers/crm-events-handler.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { crmNames } from '#ports/hubspot.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';

export const secret = 'crm-events-client-secret';
export const partnerId = '20000001';
export const otherPartnerId = '20000002';
export const customerId = '20000011';

/**
 * Creates a deal of the seeded customer in HubSpot, as a rep would: the deal's primary company
 * association (HubSpot-defined type 341, "Associations v4" default types). Returns its id.
 */
export async function createCustomerDeal(
  hubspot: Pick<SandboxUnderTest, 'connection'>,
  properties: Record<string, string>,
): Promise<string> {
  const created = await hubspot.connection.client.crm.deals.basicApi.create({
    properties,
    associations: [
      {
        to: { id: customerId },
        types: [
          {
            associationCategory: 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum,
            associationTypeId: 341,
          },
        ],
      },
    ],
  });
  return created.id;
}

/** A portal with two partners, one customer, the partner labels `dealreg hubspot setup` creates and `deals` deals of that customer. */
export function seed(dealIds: readonly string[]) {
  return {
    labels: relationshipTypes.map((relationship) => {
      const [label, name] = crmNames.partnerLabels[relationship];
      return { from: 'companies', to: 'deals', label, name };
    }),
    // The deal properties `dealreg hubspot setup` adds; the adapter mirrors the partner on them.
    properties: {
      deals: Object.values(crmNames.deal).map((name) => ({
        name,
        label: name,
        type: 'string' as const,
        fieldType: 'text',
      })),
    },
    companies: [
      { id: partnerId, properties: { name: 'Cloudwise Partners', domain: 'cloudwise.io', type: 'PARTNER' } },
      { id: otherPartnerId, properties: { name: 'Northwind GmbH', domain: 'northwind.de', type: 'PARTNER' } },
      { id: customerId, properties: { name: 'Globex Corp', domain: 'www.globex.com', type: 'PROSPECT' } },
    ],
    deals: dealIds.map((id) => ({
      id,
      properties: {
        dealname: 'Globex – data platform',
        amount: '55000',
        deal_currency_code: 'EUR',
        pipeline: 'default',
        dealstage: 'closedwon',
      },
    })),
    associations: dealIds.map((id) => ({
      from: { type: 'deals', id },
      to: { type: 'companies', id: customerId },
    })),
  };
}

export interface CrmEventsUnderTest {
  readonly tables: TestTables;
  readonly store: DynamoDbLedgerStore;
  /** The ledger key the handler authenticates entries with. */
  readonly ledgerKey: LocalLedgerKey;
  readonly hubspot: SandboxUnderTest;
  readonly api: RunningApiServer;
  readonly endpoint: string;
  /** The handler's clock (signature check and system time of entries). */
  clock: () => Date;
  stop(): Promise<void>;
}

/** How long the handler's deal lookup keeps the portal's pipelines, on which clock. */
export interface PipelineCacheOptions {
  readonly pipelinesMaxAgeMs?: number;
  readonly pipelinesClock?: () => number;
}

/** DynamoDB Local, the HubSpot sandbox and the CRM-events handler behind the local API server. */
export async function startCrmEvents(
  dealIds: readonly string[],
  cache: PipelineCacheOptions = {},
): Promise<CrmEventsUnderTest> {
  const tables = await createTestTables([ledgerTable]);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  const hubspot = await startSandboxUnderTest({ seed: seed(dealIds) });
  const under: { clock: () => Date } = { clock: () => new Date() };
  const ledgerKey = LocalLedgerKey.random();
  const handler = createCrmEventsHandler({
    store,
    ledgerKey,
    deals: new HubSpotDealLookup(hubspot.connection, {
      ...(cache.pipelinesMaxAgeMs === undefined ? {} : { pipelinesMaxAgeMs: cache.pipelinesMaxAgeMs }),
      ...(cache.pipelinesClock === undefined ? {} : { now: cache.pipelinesClock }),
    }),
    settings: crmEventSettings({ usdRates: { EUR: '1.08' } }),
    now: () => under.clock(),
    clientSecret: async () => secret,
    logger: new Logger({ logLevel: 'CRITICAL' }),
  });
  const api = await startApiServer({ routes: [{ method: 'POST', path: '/hubspot/crm-events', handler }] });
  return Object.assign(under, {
    tables,
    store,
    ledgerKey,
    hubspot,
    api,
    endpoint: `${api.url}/hubspot/crm-events`,
    stop: async () => {
      await hubspot.stop();
      await api.stop();
      tables.client.destroy();
    },
  });
}

/** The as-of state without what only says in which order entries arrived (sequence numbers). */
export function withoutSequences(state: OpportunityState) {
  return {
    ...state,
    opportunityId: '(deal)',
    attributions: state.attributions.map(({ sequence: _sequence, opportunityId: _id, ...rest }) => rest),
  };
}
