import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { freezeMoney } from '#domain/money.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { InvestmentImportError, importInvestments } from '#use-cases/ledger-import-investments.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';

const policy = loadPolicy({});
const ledgerKey = LocalLedgerKey.random();
const usd = (dollars: number) => freezeMoney(dollars * 100, 'USD', '1');
let tables: TestTables;
let store: DynamoDbLedgerStore;
let registrations: DynamoDbRegistrationHistory;

const header = 'investmentId,investmentType,campaignId,amount,currency,usdRate,effectiveAt,opportunityId';

beforeAll(async () => {
  tables = await createTestTables([ledgerTable, registrationsTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName(ledgerTable.logicalName));
  registrations = new DynamoDbRegistrationHistory(
    tables.documentClient,
    tables.tableName(registrationsTable.logicalName),
  );
  // Vega: approved and created on 10-01 (no campaign), won for 12,000 on 11-10.
  const append = (at: string, input: Parameters<typeof appendEntry>[1]) =>
    appendEntry({ store, ledgerKey, now: () => new Date(at) }, input);
  const customer = { domain: 'vega.example.com' };
  await append('2026-10-01T12:00:00Z', {
    type: 'RegistrationApproved',
    opportunityId: 'deal-vega',
    effectiveAt: '2026-10-01T12:00:00Z',
    recordedBy: 'workflow',
    registrationId: 'R-vega',
    partnerId: 'P1',
    customer,
    relationshipType: 'sourced',
    decidedBy: 'channel-manager@example.com',
  });
  await append('2026-10-01T12:00:00Z', {
    type: 'OpportunityCreated',
    opportunityId: 'deal-vega',
    effectiveAt: '2026-10-01T12:00:00Z',
    recordedBy: 'crm-events',
    customer,
    dealName: 'Vega',
    stage: 'appointmentscheduled',
    amount: usd(12_000),
  });
  await append('2026-11-10T12:00:00Z', {
    type: 'ClosedWon',
    opportunityId: 'deal-vega',
    effectiveAt: '2026-11-10T12:00:00Z',
    recordedBy: 'crm-events',
    amount: usd(12_000),
  });
});

afterAll(() => tables.client.destroy());

describe('ROI of an imported investment that names its opportunity', () => {
  it('refuses an investment type the policy does not list and writes nothing', async () => {
    const before = (await readChain(store, 'deal-vega')).length;

    const refused = importInvestments(
      { store, ledgerKey },
      `${header}\ninv-1,MDF,spring,5000,USD,1,2026-10-02,deal-vega\ninv-2,Sponsorship,spring,100,USD,1,2026-10-02,`,
      { investmentTypes: policy.policy.reporting.investmentTypes },
    );

    await expect(refused).rejects.toBeInstanceOf(InvestmentImportError);
    await expect(refused).rejects.toThrow(
      /line 3, column investmentType: "Sponsorship" is not an investment type/,
    );
    expect((await readChain(store, 'deal-vega')).length).toBe(before);
  });

  it('earns the revenue of the deal it names: $5,000 MDF on a deal won for $12,000 is ROI 140%', async () => {
    await importInvestments(
      { store, ledgerKey, now: () => new Date('2026-11-20T09:00:00Z') },
      `${header}\ninv-1,mdf,spring,5000,USD,1,2026-10-02,deal-vega`,
      { investmentTypes: policy.policy.reporting.investmentTypes },
    );

    const report = await buildQbrReport(
      { ledger: store, registrations, policy, now: () => new Date('2026-12-15T00:00:05Z') },
      { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
    );

    // (12,000 − 5,000) / 5,000 = 1.4; the campaign "spring" won nothing, and is not asked.
    expect(report.roiByInvestmentType).toEqual([
      {
        investmentType: 'MDF',
        invested: 5_000,
        closedWonRevenue: 12_000,
        roi: 1.4,
        revenueThroughOpportunities: 12_000,
        revenueThroughCampaigns: 0,
        attributedThrough: '1 investment through its named opportunity',
      },
    ]);
    expect(report.investments).toEqual([
      expect.objectContaining({
        investmentId: 'inv-1',
        opportunityId: 'deal-vega',
        attributedThrough: 'opportunity',
      }),
    ]);
  });
});
