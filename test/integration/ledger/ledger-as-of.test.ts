import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { freezeMoney } from '#domain/money.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { attributionsAsOf, entriesBy, renderLedgerReport } from '#use-cases/ledger-queries.ts';

const ledgerKey = LocalLedgerKey.random();

let tables: TestTables;
let store: DynamoDbLedgerStore;
const clock = { now: new Date('2026-09-01T00:00:00Z') };
const now = () => clock.now;
const at = { asOf: '2026-08-20T00:00:00.000Z', knownAt: '2026-09-02T00:00:00.000Z' };

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  for (let index = 0; index < 6; index += 1) {
    for (const input of opportunityStory(`opp-${index}`, index))
      await appendEntry({ store, ledgerKey, now }, input);
  }
});
afterAll(() => tables.client.destroy());

describe('the ledger as of a moment', () => {
  it('gives a byte-identical report before and after later entries and corrections', async () => {
    const before = renderLedgerReport(await attributionsAsOf(store, at));

    clock.now = new Date('2026-09-10T00:00:00Z');
    await appendEntry(
      { store, ledgerKey, now },
      {
        type: 'ClosedWon',
        opportunityId: 'opp-1',
        effectiveAt: '2026-08-10T00:00:00Z',
        recordedBy: 'crm-events',
        amount: freezeMoney(6_500_000, 'EUR', '1.1000'),
      },
    );
    await appendEntry(
      { store, ledgerKey, now },
      {
        type: 'Correction',
        opportunityId: 'opp-2',
        effectiveAt: '2026-09-10T00:00:00Z',
        recordedBy: 'cli',
        supersedesSequence: 2,
        reason: 'direct rep had prior activity',
        approver: 'vp-sales@vendor.example',
        changes: { relationshipType: 'influenced' },
      },
    );
    await appendEntry(
      { store, ledgerKey, now },
      {
        type: 'PartnerDetached',
        opportunityId: 'opp-3',
        effectiveAt: '2026-08-01T00:00:00Z',
        recordedBy: 'crm-events',
        partnerId: 'partner-3',
        reason: 'association removed in HubSpot',
      },
    );
    const after = renderLedgerReport(await attributionsAsOf(store, at));
    const knownNow = await attributionsAsOf(store, { ...at, knownAt: '2026-09-11T00:00:00.000Z' });

    expect(after).toBe(before);
    const byId = new Map(knownNow.opportunities.map((state) => [state.opportunityId, state]));
    expect(byId.get('opp-1')?.outcome).toBe('won');
    expect(byId.get('opp-2')?.attributions[0]?.relationshipType).toBe('influenced');
    expect(byId.get('opp-3')?.attributions[0]).toMatchObject({
      active: false,
      until: '2026-08-01T00:00:00.000Z',
    });
  });

  it('shows only what had taken effect by the business date', async () => {
    const report = await attributionsAsOf(store, { asOf: '2026-07-01T12:00:00.000Z', knownAt: at.knownAt });

    expect(report.opportunities).toHaveLength(6);
    for (const state of report.opportunities) {
      expect(state.stage).toBeUndefined();
      expect(state.registrations.map((registration) => registration.status)).toEqual(['approved']);
    }
  });

  it('answers by partner, campaign and fiscal quarter from the indexes', async () => {
    const byPartner = await attributionsAsOf(store, at, { partnerId: 'partner-1' });
    const byCampaign = await attributionsAsOf(store, at, { campaignId: 'campaign-0' });
    const inQ3 = await attributionsAsOf(store, at, { quarter: parseFiscalQuarter('2026-Q3') });
    const inQ1 = await attributionsAsOf(store, at, { quarter: parseFiscalQuarter('2026-Q1') });
    const partnerEntries = await entriesBy(store, { partnerId: 'partner-1' });

    expect(byPartner.opportunities.map((state) => state.opportunityId)).toEqual(['opp-1']);
    expect(byCampaign.opportunities.map((state) => state.opportunityId)).toEqual(['opp-0', 'opp-3']);
    expect(inQ3.opportunities).toHaveLength(6);
    expect(inQ1.opportunities).toEqual([]);
    expect(partnerEntries.map((entry) => entry.type)).toEqual(['RegistrationApproved', 'PartnerAttached']);
  });
});
