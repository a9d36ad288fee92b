import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { freezeMoney } from '#domain/money.ts';
import type { QbrRegistration } from '#domain/qbr/registration-view.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from '#test/integration/hubspot/sandbox.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';

/** Whole dollars as the ledger freezes a USD amount. */
export const usd = (dollars: number) => freezeMoney(dollars * 100, 'USD', '1');

/** DynamoDB Local tables, the HubSpot sandbox set up like a portal, and a settable system clock. */
export interface QbrWorld {
  readonly tables: TestTables;
  readonly under: SandboxUnderTest;
  readonly ledger: DynamoDbLedgerStore;
  readonly registrations: DynamoDbRegistrationHistory;
  /** System time the next ledger entries are recorded at. */
  readonly clock: { now: Date };
  append(input: LedgerEntryInput): Promise<void>;
  putRegistration(record: QbrRegistration): Promise<void>;
  /** Calls the sandbox's CRM API with the access token, as any HubSpot client would. */
  crm(method: string, path: string, body?: unknown): Promise<{ id: string }>;
  createPartner(name: string, domain: string): Promise<string>;
  createDeal(properties: Record<string, string>): Promise<string>;
  updateDeal(id: string, properties: Record<string, string>): Promise<void>;
  /** The deal won at `at` for `dollars`, as the CRM events record it (the clock moved to `at`). */
  recordWon(opportunityId: string, at: string, dollars: number): Promise<void>;
  /**
   * A deal approved as sourced for `partnerId` on 2026-10-05 and created in the ledger at
   * `dollars` (registration `R-<opportunityId>`; the customer `<opportunityId>.example.com` unless
   * given), as the workflow and the CRM events record it.
   */
  recordSourcedDeal(deal: {
    opportunityId: string;
    dealName: string;
    dollars: number;
    partnerId: string;
    customer?: { domain: string };
  }): Promise<void>;
  close(): Promise<void>;
}

export async function startQbrWorld(
  sandbox: Parameters<typeof startSandboxUnderTest>[0] = {},
): Promise<QbrWorld> {
  const tables = await createTestTables([ledgerTable, registrationsTable]);
  const under = await startSandboxUnderTest(sandbox);
  await setupHubSpotPortal(under.admin, { dryRun: false });
  const ledgerKey = LocalLedgerKey.random();
  const ledger = new DynamoDbLedgerStore(tables.client, tables.tableName(ledgerTable.logicalName));
  const registrations = new DynamoDbRegistrationHistory(
    tables.documentClient,
    tables.tableName(registrationsTable.logicalName),
  );
  const clock = { now: new Date('2026-10-01T00:00:00Z') };
  const crm = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${under.sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${under.sandbox.accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? { id: '' } : JSON.parse(text)) as { id: string };
  };
  await crm('POST', '/crm/v3/properties/deals', {
    name: 'deal_source',
    label: 'Deal source',
    type: 'string',
    fieldType: 'text',
    groupName: 'dealinformation',
  });
  const append = async (input: LedgerEntryInput) => {
    await appendEntry({ store: ledger, ledgerKey, now: () => clock.now }, input);
  };
  return {
    tables,
    under,
    ledger,
    registrations,
    clock,
    append,
    async putRegistration(record) {
      await tables.documentClient.send(
        new PutCommand({ TableName: tables.tableName(registrationsTable.logicalName), Item: record }),
      );
    },
    crm,
    async createPartner(name, domain) {
      return (
        await crm('POST', '/crm/v3/objects/companies', { properties: { name, domain, type: 'PARTNER' } })
      ).id;
    },
    async createDeal(properties) {
      return (
        await crm('POST', '/crm/v3/objects/deals', { properties: { pipeline: 'default', ...properties } })
      ).id;
    },
    async updateDeal(id, properties) {
      await crm('PATCH', `/crm/v3/objects/deals/${id}`, { properties });
    },
    async recordWon(opportunityId, at, dollars) {
      clock.now = new Date(at);
      const common = { opportunityId, effectiveAt: at, recordedBy: 'crm-events' };
      await append({ ...common, type: 'StageChanged', stage: 'closedwon' });
      await append({ ...common, type: 'ClosedWon', amount: usd(dollars) });
    },
    async recordSourcedDeal({ opportunityId, dealName, dollars, partnerId, customer }) {
      clock.now = new Date('2026-10-05T15:00:00.000Z');
      const registrationId = `R-${opportunityId}`;
      const common = {
        opportunityId,
        effectiveAt: '2026-10-05T15:00:00.000Z',
        customer: customer ?? { domain: `${opportunityId}.example.com` },
      };
      const attribution = { partnerId, relationshipType: 'sourced' as const, registrationId };
      await append({
        ...common,
        ...attribution,
        type: 'RegistrationApproved',
        recordedBy: 'workflow',
        decidedBy: 'channel-manager@example.com',
      });
      await append({ ...common, ...attribution, type: 'PartnerAttached', recordedBy: 'workflow' });
      await append({
        ...common,
        type: 'OpportunityCreated',
        recordedBy: 'crm-events',
        dealName,
        amount: usd(dollars),
      });
    },
    async close() {
      tables.client.destroy();
      await under.stop();
    },
  };
}
