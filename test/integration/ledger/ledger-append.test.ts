import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { InvalidCorrectionError, InvalidLedgerEntryError } from '#domain/ledger/errors.ts';
import { projectOpportunity } from '#domain/ledger/projection.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { freezeMoney } from '#domain/money.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendAll, appendEntry, appendEntryOnce, readChain } from '#use-cases/ledger-append.ts';
import { InvestmentImportError, importInvestments } from '#use-cases/ledger-import-investments.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';

const ledgerKey = LocalLedgerKey.random();

let tables: TestTables;
let store: DynamoDbLedgerStore;

beforeAll(async () => {
  tables = await createTestTables([ledgerTable]);
  store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
});
afterAll(() => tables.client.destroy());

describe('appending to the ledger', () => {
  it('chains entries of one opportunity by sequence and previous hash', async () => {
    const [first, second] = opportunityStory('opp-chain');
    const a = await appendEntry({ store, ledgerKey }, first as never);
    const b = await appendEntry({ store, ledgerKey }, second as never);

    expect([a.sequence, b.sequence]).toEqual([1, 2]);
    expect(b.previousHash).toBe(a.hash);
    expect(await readChain(store, 'opp-chain')).toEqual([a, b]);
  });

  it('keeps one unforked chain of 50 entries when 50 appends race on one opportunity', async () => {
    const amounts = Array.from({ length: 50 }, (_, index) => 100_000 + index);

    await Promise.all(
      amounts.map((amountMinor) =>
        appendEntry(
          { store, ledgerKey },
          {
            type: 'AmountChanged',
            opportunityId: 'opp-race',
            effectiveAt: '2026-09-01T00:00:00Z',
            recordedBy: 'crm-events',
            amount: freezeMoney(amountMinor, 'USD', '1'),
          },
        ),
      ),
    );

    const chain = await readChain(store, 'opp-race');
    expect(chain.map((entry) => entry.sequence)).toEqual(amounts.map((_, index) => index + 1));
    expect(
      new Set(chain.map((entry) => (entry.type === 'AmountChanged' ? entry.amount.amountMinor : 0))),
    ).toEqual(new Set(amounts));
    const verification = await verifyLedger({ store, ledgerKey }, { opportunityId: 'opp-race' });
    expect(verification.ok).toBe(true);
    expect(verification.entries).toBe(50);
  });

  it('refuses an entry with a bad field, naming it, and writes nothing', async () => {
    const attempt = appendEntry(
      { store, ledgerKey },
      {
        type: 'AmountChanged',
        opportunityId: 'opp-bad',
        effectiveAt: 'yesterday',
        recordedBy: 'crm-events',
        amount: { amountMinor: 1.5, currency: 'usd', usdRate: '1', usdMinor: 2 },
      },
    );

    await expect(attempt).rejects.toBeInstanceOf(InvalidLedgerEntryError);
    await expect(attempt).rejects.toThrow(/effectiveAt.*amount\.amountMinor.*amount\.currency/s);
    expect(await store.readChainRaw('opp-bad')).toEqual([]);
  });

  it('appends a correction that leaves the superseded entry untouched', async () => {
    for (const input of opportunityStory('opp-correct')) await appendEntry({ store, ledgerKey }, input);
    const before = await readChain(store, 'opp-correct');

    const correction = await appendEntry(
      { store, ledgerKey },
      {
        type: 'Correction',
        opportunityId: 'opp-correct',
        effectiveAt: '2026-09-10T00:00:00Z',
        recordedBy: 'cli',
        supersedesSequence: 2,
        reason: 'partner only influenced the deal',
        approver: 'vp-sales@vendor.example',
        changes: { relationshipType: 'influenced' },
      },
    );

    const after = await readChain(store, 'opp-correct');
    expect(correction.sequence).toBe(before.length + 1);
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('refuses a correction of a missing entry or one that would make it invalid', async () => {
    for (const input of opportunityStory('opp-correct-bad')) await appendEntry({ store, ledgerKey }, input);
    const correction = (supersedesSequence: number, changes: Record<string, unknown>) =>
      appendEntry(
        { store, ledgerKey },
        {
          type: 'Correction',
          opportunityId: 'opp-correct-bad',
          effectiveAt: '2026-09-10T00:00:00Z',
          recordedBy: 'cli',
          supersedesSequence,
          reason: 'typo',
          approver: 'vp-sales@vendor.example',
          changes,
        },
      );

    await expect(correction(99, { stage: 'x' })).rejects.toThrow(/no entry 99/);
    await expect(correction(2, { relationshipType: 'friend' })).rejects.toThrow(/relationshipType/);
    await expect(correction(2, { sequence: 7 })).rejects.toBeInstanceOf(InvalidCorrectionError);
    expect(await readChain(store, 'opp-correct-bad')).toHaveLength(5);
  });

  it('inserts entries of several chains all or none: one taken sequence writes none of them', async () => {
    const [first, second] = opportunityStory('opp-all-a');
    const taken = await appendEntry({ store, ledgerKey }, first as never);
    const fresh = sealEntry(parseEntryInput(opportunityStory('opp-all-b')[0]), undefined, new Date());
    const clash = sealEntry(parseEntryInput(second), undefined, new Date());

    const inserted = await store.insertAll([fresh, clash]);

    expect(clash.sequence).toBe(taken.sequence);
    expect(inserted).toBe(false);
    expect(await store.readChainRaw('opp-all-b')).toEqual([]);
    expect(await readChain(store, 'opp-all-a')).toEqual([taken]);
  });

  it('appends a set of entries in one transaction while single appends race on one of its chains', async () => {
    // The approval and a stage change: facts no other writer records too (see appendEntryOnce).
    const set = ['opp-set-a', 'opp-set-b', 'opp-set-c'].flatMap((id, index) =>
      opportunityStory(id, index).filter((entry) =>
        ['RegistrationApproved', 'StageChanged'].includes(entry.type),
      ),
    );
    const racing = Array.from({ length: 10 }, (_, index) =>
      appendEntry(
        { store, ledgerKey },
        {
          type: 'AmountChanged',
          opportunityId: 'opp-set-a',
          effectiveAt: '2026-09-01T00:00:00Z',
          recordedBy: 'crm-events',
          amount: freezeMoney(100 + index, 'USD', '1'),
        },
      ),
    );

    const [appended] = await Promise.all([appendAll({ store, ledgerKey }, set), ...racing]);

    expect(appended).toHaveLength(6);
    expect(await readChain(store, 'opp-set-a')).toHaveLength(12);
    expect(await readChain(store, 'opp-set-b')).toHaveLength(2);
    for (const id of ['opp-set-a', 'opp-set-b', 'opp-set-c']) {
      expect((await verifyLedger({ store, ledgerKey }, { opportunityId: id })).ok).toBe(true);
    }
  });

  it('imports investments in one transaction, or one by one when the file is larger than a transaction', async () => {
    class SmallBatchStore extends DynamoDbLedgerStore {
      override readonly maxBatch = 2;
    }
    const small = new SmallBatchStore(tables.client, tables.tableName('Ledger'));
    const csv = (...ids: string[]) =>
      [
        'investmentId,investmentType,campaignId,amount,currency,usdRate,effectiveAt',
        ...ids.map((id) => `${id},MDF,camp-tx,1000,USD,1,2026-07-01`),
      ].join('\n');

    const types = { investmentTypes: ['MDF'] };
    const atOnce = await importInvestments({ store: small, ledgerKey }, csv('tx-1', 'tx-2'), types);
    const oneByOne = await importInvestments(
      { store: small, ledgerKey },
      csv('tx-1', 'tx-3', 'tx-4', 'tx-5'),
      types,
    );

    expect(atOnce).toEqual({ appended: 2, skipped: 0, atomic: true });
    expect(oneByOne).toEqual({ appended: 3, skipped: 1, atomic: false });
    expect(
      (await readChain(store, 'campaign:camp-tx')).map((entry) =>
        entry.type === 'InvestmentRecorded' ? entry.investmentId : entry.type,
      ),
    ).toEqual(['tx-1', 'tx-2', 'tx-3', 'tx-4', 'tx-5']);
  });

  it('records an investment id once across every chain: the same again is skipped, a different one refuses the file', async () => {
    const header = 'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt';
    const types = { investmentTypes: ['MDF', 'Event'] };
    const campaignChain = async (campaign: string) =>
      (await readChain(store, `campaign:${campaign}`)).map((entry) =>
        entry.type === 'InvestmentRecorded' ? entry.investmentId : entry.type,
      );

    const first = await importInvestments(
      { store, ledgerKey },
      [header, 'inv-x1,MDF,cmp-one,,1000,USD,1,2026-07-01'].join('\n'),
      types,
    );
    const again = await importInvestments(
      { store, ledgerKey },
      [header, 'inv-x1,mdf,cmp-one,,1000.00,USD,1,2026-07-01T00:00:00Z'].join('\n'),
      types,
    );
    const otherCampaign = importInvestments(
      { store, ledgerKey },
      [header, 'inv-x2,MDF,cmp-two,,500,USD,1,2026-07-02', 'inv-x1,MDF,cmp-two,,1000,USD,1,2026-07-01'].join(
        '\n',
      ),
      types,
    );
    await expect(otherCampaign).rejects.toThrow(InvestmentImportError);
    await expect(otherCampaign).rejects.toThrow(
      /line 3, column investmentId: inv-x1 is already recorded \(chain campaign:cmp-one, entry 1\) as a different investment: chain campaign:cmp-one recorded, campaign:cmp-two in the file; campaignId cmp-one recorded, cmp-two in the file;/,
    );
    const otherAmount = importInvestments(
      { store, ledgerKey },
      [header, 'inv-x1,MDF,cmp-one,p-7,1250,USD,1,2026-07-01'].join('\n'),
      types,
    );
    await expect(otherAmount).rejects.toThrow(
      'inv-x1 is already recorded (chain campaign:cmp-one, entry 1) as a different investment: partnerId (none) recorded, p-7 in the file; amount USD 1,000.00 at USD rate 1 recorded, USD 1,250.00 at USD rate 1 in the file;',
    );

    expect(first).toEqual({ appended: 1, skipped: 0, atomic: true });
    expect(again).toEqual({ appended: 0, skipped: 1, atomic: true });
    expect(await campaignChain('cmp-one')).toEqual(['inv-x1']);
    // Nothing of a refused file is written, not even its new investment.
    expect(await campaignChain('cmp-two')).toEqual([]);
  });

  it('refuses an investment that names an opportunity the ledger does not hold, and writes nothing', async () => {
    const header =
      'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt,opportunityId';
    const types = { investmentTypes: ['MDF'] };
    const [created] = opportunityStory('opp-named');
    await appendEntry({ store, ledgerKey }, created as never);

    // "opp-nmaed" is a typo of opp-named: recorded, it would open a chain of its own that no deal
    // ever closes on, and its MDF would count as spent for nothing in ROI, for good.
    const refused = importInvestments(
      { store, ledgerKey },
      [
        header,
        'inv-n1,MDF,cmp-n,,100,USD,1,2026-07-01,opp-named',
        'inv-n2,MDF,cmp-n,,100,USD,1,2026-07-01,opp-nmaed',
      ].join('\n'),
      types,
    );

    await expect(refused).rejects.toThrow(InvestmentImportError);
    await expect(refused).rejects.toThrow(
      'line 3, column opportunityId: opp-nmaed is not an opportunity in the ledger; name the HubSpot deal id of an approved registration, or leave opportunityId empty to credit the campaign',
    );
    expect((await readChain(store, 'opp-nmaed')).length).toBe(0);
    expect((await readChain(store, 'opp-named')).map((entry) => entry.type)).toEqual([
      'RegistrationApproved',
    ]);
  });

  describe('one entry per fact when the workflow and the CRM events both record it', () => {
    const customer = { domain: 'acme.example', name: 'Acme' };
    const fromWorkflow = (id: string): LedgerEntryInput[] => [
      {
        type: 'OpportunityCreated',
        opportunityId: id,
        effectiveAt: '2026-11-02T00:18:58Z',
        recordedBy: 'registration-workflow',
        sourceEventId: `registration:reg-${id}:opportunity-created`,
        customer,
        dealName: 'Acme — Partner One',
      },
      {
        type: 'RegistrationApproved',
        opportunityId: id,
        effectiveAt: '2026-11-02T00:18:58Z',
        recordedBy: 'registration-workflow',
        sourceEventId: `registration:reg-${id}:approved`,
        registrationId: `reg-${id}`,
        partnerId: 'partner-1',
        customer,
        relationshipType: 'sourced',
        decidedBy: 'approver@vendor.example',
      },
      {
        type: 'PartnerAttached',
        opportunityId: id,
        effectiveAt: '2026-11-02T00:18:58Z',
        recordedBy: 'registration-workflow',
        sourceEventId: `registration:reg-${id}:partner-attached`,
        partnerId: 'partner-1',
        customer,
        relationshipType: 'sourced',
        registrationId: `reg-${id}`,
      },
    ];
    const fromCrmEvents = (id: string): LedgerEntryInput[] => [
      {
        type: 'OpportunityCreated',
        opportunityId: id,
        effectiveAt: '2026-11-02T00:18:58Z',
        recordedBy: 'crm-events',
        sourceEventId: `deal:${id}:creation::1793578738000`,
        customer,
        dealName: 'Acme — Partner One',
      },
      {
        type: 'PartnerAttached',
        opportunityId: id,
        effectiveAt: '2026-11-02T00:18:58Z',
        recordedBy: 'crm-events',
        sourceEventId: `deal:${id}:company-association:partner-1/5/added:1793578738000`,
        partnerId: 'partner-1',
        customer,
        relationshipType: 'sourced',
      },
    ];
    const everything = { asOf: '2030-01-01T00:00:00.000Z', knownAt: '2030-01-01T00:00:00.000Z' };
    const types = async (id: string) => (await readChain(store, id)).map((entry) => entry.type);

    it.for([
      ['the workflow first', 'fact-workflow-first'],
      ['the CRM events first', 'fact-crm-first'],
    ])('with %s, keeps one creation and one attribution traced to the registration', async ([, id = '']) => {
      const [first, second] =
        id === 'fact-workflow-first'
          ? [fromWorkflow(id), fromCrmEvents(id)]
          : [fromCrmEvents(id), fromWorkflow(id)];
      for (const input of first) await appendEntry({ store, ledgerKey }, input);

      const again = await Promise.all(second.map((input) => appendEntryOnce({ store, ledgerKey }, input)));

      expect(
        again.filter((result) => result.entry.type !== 'RegistrationApproved').map((r) => r.appended),
      ).toEqual([false, false]);
      expect((await types(id)).sort()).toEqual([
        'OpportunityCreated',
        'PartnerAttached',
        'RegistrationApproved',
      ]);
      const state = projectOpportunity(id, await readChain(store, id), everything);
      expect(state.attributions).toMatchObject([
        { partnerId: 'partner-1', relationshipType: 'sourced', registrationId: `reg-${id}`, active: true },
      ]);
      expect((await verifyLedger({ store, ledgerKey }, { opportunityId: id })).ok).toBe(true);
    });

    it('keeps one attribution when both attach the partner at the same moment', async () => {
      const id = 'fact-race';
      const [created, approved, attached] = fromWorkflow(id);
      await appendEntry({ store, ledgerKey }, created as LedgerEntryInput);
      await appendEntry({ store, ledgerKey }, approved as LedgerEntryInput);

      const results = await Promise.all(
        [attached, fromCrmEvents(id)[1]].map((input) =>
          appendEntryOnce({ store, ledgerKey }, input as LedgerEntryInput),
        ),
      );

      expect(results.filter((result) => result.appended)).toHaveLength(1);
      expect(await types(id)).toEqual(['OpportunityCreated', 'RegistrationApproved', 'PartnerAttached']);
    });

    it('attaches the partner again after HubSpot detached it', async () => {
      const id = 'fact-reattached';
      const [, crmAttached] = fromCrmEvents(id);
      await appendEntry({ store, ledgerKey }, crmAttached as LedgerEntryInput);
      await appendEntry(
        { store, ledgerKey },
        {
          type: 'PartnerDetached',
          opportunityId: id,
          effectiveAt: '2026-11-03T00:00:00Z',
          recordedBy: 'crm-events',
          partnerId: 'partner-1',
          relationshipType: 'sourced',
        },
      );

      const again = await appendEntryOnce(
        { store, ledgerKey },
        { ...(crmAttached as LedgerEntryInput), effectiveAt: '2026-11-04T00:00:00Z', sourceEventId: 'later' },
      );

      expect(again.appended).toBe(true);
      expect(await types(id)).toEqual(['PartnerAttached', 'PartnerDetached', 'PartnerAttached']);
    });
  });
});
