import { describe, expect, it } from 'vitest';
import { ChainVerifier } from '#domain/ledger/chain-verifier.ts';
import { applyChanges } from '#domain/ledger/correction.ts';
import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { InvalidCorrectionError } from '#domain/ledger/errors.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { projectOpportunity } from '#domain/ledger/projection.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { opportunityStory } from './sample-entries.ts';

function seal(inputs: readonly LedgerEntryInput[], recordedAt: (index: number) => string): LedgerEntry[] {
  let head: ChainHead | undefined;
  return inputs.map((input, index) => {
    const entry = sealEntry(parseEntryInput(input), head, new Date(recordedAt(index)));
    head = entry;
    return entry;
  });
}

const story = opportunityStory('opp-1', 1);
const correction: LedgerEntryInput = {
  type: 'Correction',
  opportunityId: 'opp-1',
  effectiveAt: '2026-09-20T00:00:00Z',
  recordedBy: 'cli',
  supersedesSequence: 2,
  reason: 'influenced, not sourced',
  approver: 'vp@vendor.example',
  changes: { relationshipType: 'influenced' },
};
const entries = seal(
  [...story, correction],
  (index) => `2026-09-${String(10 + index).padStart(2, '0')}T00:00:00Z`,
);

describe('projecting an opportunity', () => {
  it('applies a correction only from the moment it was recorded', () => {
    const before = projectOpportunity('opp-1', entries, {
      asOf: '2026-12-31T00:00:00.000Z',
      knownAt: '2026-09-14T00:00:00.000Z',
    });
    const after = projectOpportunity('opp-1', entries, {
      asOf: '2026-12-31T00:00:00.000Z',
      knownAt: '2026-09-15T00:00:00.000Z',
    });

    expect(before.attributions[0]?.relationshipType).toBe('sourced');
    expect(after.attributions[0]?.relationshipType).toBe('influenced');
    expect(after.corrections).toBe(1);
  });

  it('folds entries in business-time order whatever order they were recorded in', () => {
    const shuffled = seal(
      [story[4], story[3], story[2], story[0], story[1]] as LedgerEntryInput[],
      () => '2026-09-10T00:00:00Z',
    );
    const state = projectOpportunity('opp-1', shuffled, {
      asOf: '2026-12-31T00:00:00.000Z',
      knownAt: '2026-12-31T00:00:00.000Z',
    });

    expect(state.stage).toBe('contractsent');
    expect(state.amount?.amountMinor).toBe(6_000_001);
  });

  it('keeps a detached partner as history with its end date', () => {
    const detached = seal(
      [
        ...story,
        {
          type: 'PartnerDetached',
          opportunityId: 'opp-1',
          effectiveAt: '2026-10-01T00:00:00Z',
          recordedBy: 'crm-events',
          partnerId: 'partner-1',
        },
      ],
      () => '2026-10-02T00:00:00Z',
    );

    const state = projectOpportunity('opp-1', detached, {
      asOf: '2026-10-05T00:00:00.000Z',
      knownAt: '2026-10-05T00:00:00.000Z',
    });

    expect(state.attributions).toEqual([
      expect.objectContaining({ partnerId: 'partner-1', active: false, until: '2026-10-01T00:00:00.000Z' }),
    ]);
  });

  it('refuses corrections of identifying fields or into invalid values', () => {
    const target = entries[1] as LedgerEntry;

    expect(() => applyChanges(target, { hash: 'x' })).toThrow(InvalidCorrectionError);
    expect(() => applyChanges(target, { relationshipType: 'friend' })).toThrow(/relationshipType/);
    expect(() => applyChanges(target, { unknownField: 1 })).toThrow(/unknownField/);
  });
});

describe('sealing entries', () => {
  it('never records an entry earlier than the one before it, whatever the writer clock says', () => {
    const [first, second] = story as [LedgerEntryInput, LedgerEntryInput];
    const head = sealEntry(parseEntryInput(first), undefined, new Date('2026-09-10T00:00:05Z'));

    const next = sealEntry(parseEntryInput(second), head, new Date('2026-09-10T00:00:01Z'));

    expect(next.recordedAt).toBe('2026-09-10T00:00:05.000Z');
    expect(next.previousHash).toBe(head.hash);
  });
});

describe('fiscal quarters', () => {
  it('maps a quarter to its months for calendar and shifted fiscal years', () => {
    expect(parseFiscalQuarter('2026-Q4').months).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(parseFiscalQuarter('2027-Q1', 2)).toMatchObject({
      months: ['2026-02', '2026-03', '2026-04'],
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-05-01T00:00:00.000Z',
    });
    expect(() => parseFiscalQuarter('2026-Q5')).toThrow(/2026-Q5/);
  });
});

describe('co-sell with AWS on the chain', () => {
  const common = { opportunityId: 'opp-1', recordedBy: 'registration-workflow' };
  /** The registration shared as ACE opportunity O1000001 on 21 September, with `extra` fields. */
  const shared = (extra: Record<string, unknown> = {}) => ({
    ...common,
    type: 'CoSellShared',
    effectiveAt: '2026-09-21T00:00:00Z',
    registrationId: 'reg-1',
    aceOpportunityId: 'O1000001',
    catalog: 'Sandbox',
    submittedToAws: true,
    ...extra,
  });
  const coSell = seal(
    [
      ...story,
      shared(),
      {
        ...common,
        type: 'CoSellStatusChanged',
        effectiveAt: '2026-09-23T00:00:00Z',
        aceOpportunityId: 'O1000001',
        reviewStatus: 'Rejected',
        stage: 'Prospect',
        reviewComments: 'Customer already engaged with AWS',
      },
    ] as LedgerEntryInput[],
    (index) => `2026-09-${String(10 + index).padStart(2, '0')}T00:00:00Z`,
  );
  const at = (asOf: string) =>
    projectOpportunity('opp-1', coSell, { asOf, knownAt: '2026-12-31T00:00:00.000Z' });

  it("follows AWS's review of the shared opportunity", () => {
    expect(at('2026-09-22T00:00:00.000Z').coSell).toMatchObject({
      aceOpportunityId: 'O1000001',
      registrationId: 'reg-1',
      reviewStatus: 'Submitted',
    });
    expect(at('2026-12-31T00:00:00.000Z').coSell).toMatchObject({
      reviewStatus: 'Rejected',
      stage: 'Prospect',
      reviewComments: 'Customer already engaged with AWS',
      statusAt: '2026-09-23T00:00:00.000Z',
    });
  });

  it("leaves the partner's attribution as it was when AWS rejects", () => {
    const withoutCoSell = projectOpportunity(
      'opp-1',
      seal(story, () => '2026-09-10T00:00:00Z'),
      {
        asOf: '2026-12-31T00:00:00.000Z',
        knownAt: '2026-12-31T00:00:00.000Z',
      },
    );
    expect(at('2026-12-31T00:00:00.000Z').attributions).toEqual(withoutCoSell.attributions);
  });

  it("follows ACE's expected monthly spend from what was sent to each change Partner Central reported", () => {
    const spendChain = seal(
      [
        ...story,
        shared({ expectedMonthlySpend: { amount: '10000.00', currency: 'USD' }, contractMonths: 24 }),
        {
          ...common,
          type: 'CoSellStatusChanged',
          effectiveAt: '2026-09-23T00:00:00Z',
          aceOpportunityId: 'O1000001',
          reviewStatus: 'In review',
          stage: 'Prospect',
        },
        {
          ...common,
          type: 'CoSellStatusChanged',
          effectiveAt: '2026-09-25T00:00:00Z',
          aceOpportunityId: 'O1000001',
          reviewStatus: 'Approved',
          stage: 'Prospect',
          expectedMonthlySpend: { amount: '12500.00', currency: 'USD' },
        },
      ] as LedgerEntryInput[],
      (index) => `2026-09-${String(10 + index).padStart(2, '0')}T00:00:00Z`,
    );
    const spendAt = (asOf: string) =>
      projectOpportunity('opp-1', spendChain, { asOf, knownAt: '2026-12-31T00:00:00.000Z' }).coSell;

    expect(spendAt('2026-09-24T00:00:00.000Z')).toMatchObject({
      reviewStatus: 'In review',
      expectedMonthlySpend: { amount: '10000.00', currency: 'USD' },
      contractMonths: 24,
    });
    expect(spendAt('2026-12-31T00:00:00.000Z')).toMatchObject({
      reviewStatus: 'Approved',
      expectedMonthlySpend: { amount: '12500.00', currency: 'USD' },
      contractMonths: 24,
    });
    // Entries recorded before the spend was kept have none, and still verify beside new ones.
    expect(at('2026-12-31T00:00:00.000Z').coSell).toMatchObject({
      expectedMonthlySpend: undefined,
      contractMonths: undefined,
    });
    for (const entries of [coSell, spendChain]) {
      const verifier = new ChainVerifier();
      for (const entry of entries) verifier.add(structuredClone(entry) as unknown as Record<string, unknown>);
      expect(verifier.finish()).toMatchObject({ ok: true, broken: [] });
    }
    // A spend that is not a decimal is refused when recorded.
    expect(() =>
      parseEntryInput({
        ...common,
        type: 'CoSellStatusChanged',
        effectiveAt: '2026-09-26T00:00:00Z',
        aceOpportunityId: 'O1000001',
        expectedMonthlySpend: { amount: '12,500', currency: 'USD' },
      }),
    ).toThrow(/decimal amount/);
  });

  it('refuses an ACE opportunity id that is not Partner Central’s', () => {
    expect(() =>
      parseEntryInput({
        ...common,
        type: 'CoSellStatusChanged',
        effectiveAt: '2026-09-23T00:00:00Z',
        aceOpportunityId: 'opp-42',
      }),
    ).toThrow(/Partner Central opportunity id/);
  });
});
