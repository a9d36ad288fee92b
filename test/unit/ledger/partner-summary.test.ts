import { describe, expect, it } from 'vitest';
import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { partnerSummaries } from '#domain/ledger/partner-summary.ts';
import { projectLedger } from '#domain/ledger/projection.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { moneyText } from '#rendering/money-text.ts';

const at = { asOf: '2027-01-01T00:00:00.000Z', knownAt: '2027-01-01T00:00:00.000Z' };
const customer = { domain: 'acme.example' };

function chain(inputs: readonly LedgerEntryInput[]) {
  let head: ChainHead | undefined;
  return inputs.map((input) => {
    const entry = sealEntry(parseEntryInput(input), head, new Date('2026-11-01T00:00:00Z'));
    head = entry;
    return entry;
  });
}

describe('the partners of the ledger and the CRM', () => {
  it('counts approved registrations and active attributions, names partners the CRM knows, keeps the others by id', () => {
    const common = { opportunityId: 'deal-1', effectiveAt: '2026-10-01T00:00:00Z', recordedBy: 'workflow' };
    const states = projectLedger(
      [
        ...chain([
          {
            type: 'RegistrationApproved',
            ...common,
            registrationId: 'reg-1',
            partnerId: 'p-1',
            customer,
            relationshipType: 'sourced',
            decidedBy: 'auto',
          },
          { type: 'PartnerAttached', ...common, partnerId: 'p-1', customer, relationshipType: 'sourced' },
          { type: 'PartnerAttached', ...common, partnerId: 'p-9', customer, relationshipType: 'influenced' },
          {
            type: 'PartnerDetached',
            ...common,
            effectiveAt: '2026-10-05T00:00:00Z',
            partnerId: 'p-9',
            relationshipType: 'influenced',
          },
        ]),
      ],
      at,
    );

    const partners = partnerSummaries(
      states,
      [
        { id: 'p-1', name: 'Zenith Partners', domain: 'zenith.example' },
        { id: 'p-2', name: 'Acorn Alliances', domain: 'acorn.example' },
      ],
      [],
    );

    expect(partners).toEqual([
      {
        partnerId: 'p-2',
        name: 'Acorn Alliances',
        domain: 'acorn.example',
        registrationsApproved: 0,
        activeAttributions: 0,
        inLedger: false,
        inCrm: true,
      },
      {
        partnerId: 'p-1',
        name: 'Zenith Partners',
        domain: 'zenith.example',
        registrationsApproved: 1,
        activeAttributions: 1,
        inLedger: true,
        inCrm: true,
      },
      {
        partnerId: 'p-9',
        name: null,
        domain: null,
        registrationsApproved: 0,
        activeAttributions: 0,
        inLedger: true,
        inCrm: false,
      },
    ]);
  });
});

describe('money as people read it', () => {
  it.for([
    [1_200_000, 'USD', '$12,000.00'],
    [120_000, 'EUR', '€1,200.00'],
    [5_000, 'JPY', '¥5,000'],
    [1_234_567, 'BHD', 'BHD 1,234.567'],
  ] as const)('%i minor units of %s is %s', ([amountMinor, currency, text]) => {
    expect(moneyText(amountMinor, currency).replace(/\u00a0/g, ' ')).toBe(text);
  });
});
