import { describe, expect, it } from 'vitest';
import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { projectOpportunity } from '#domain/ledger/projection.ts';
import { entryRecordingSameFact } from '#domain/ledger/recorded-facts.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';

const customer = { domain: 'acme.example', name: 'Acme' };
const at = '2026-11-02T00:18:58Z';
const everything = { asOf: '2030-01-01T00:00:00.000Z', knownAt: '2030-01-01T00:00:00.000Z' };

function seal(inputs: readonly LedgerEntryInput[]): LedgerEntry[] {
  let head: ChainHead | undefined;
  return inputs.map((input) => {
    const entry = sealEntry(parseEntryInput(input), head, new Date('2026-11-02T01:00:00Z'));
    head = entry;
    return entry;
  });
}

const approved: LedgerEntryInput = {
  type: 'RegistrationApproved',
  opportunityId: 'deal-1',
  effectiveAt: at,
  recordedBy: 'registration-workflow',
  registrationId: 'reg-1',
  partnerId: 'partner-1',
  customer,
  relationshipType: 'sourced',
  campaignId: 'spring',
  decidedBy: 'approver@vendor.example',
};
const attachedByWorkflow: LedgerEntryInput = {
  type: 'PartnerAttached',
  opportunityId: 'deal-1',
  effectiveAt: at,
  recordedBy: 'registration-workflow',
  partnerId: 'partner-1',
  customer,
  relationshipType: 'sourced',
  registrationId: 'reg-1',
};
const attachedInHubSpot: LedgerEntryInput = {
  type: 'PartnerAttached',
  opportunityId: 'deal-1',
  effectiveAt: '2026-11-02T00:18:59Z',
  recordedBy: 'crm-events',
  sourceEventId: 'deal:deal-1:company-association:partner-1/5:added:1793578739000',
  partnerId: 'partner-1',
  customer,
  relationshipType: 'sourced',
};
const createdByWorkflow: LedgerEntryInput = {
  type: 'OpportunityCreated',
  opportunityId: 'deal-1',
  effectiveAt: at,
  recordedBy: 'registration-workflow',
  customer,
  dealName: 'Acme — Partner One',
};
const createdInHubSpot: LedgerEntryInput = {
  type: 'OpportunityCreated',
  opportunityId: 'deal-1',
  effectiveAt: '2026-11-02T00:18:59Z',
  recordedBy: 'crm-events',
  customer,
  dealName: 'Acme — Partner One',
};

describe('a fact the ledger already records', () => {
  it('finds the creation of the opportunity whoever recorded it first', () => {
    const chain = seal([createdByWorkflow]);

    expect(entryRecordingSameFact(parseEntryInput(createdInHubSpot), chain)).toBe(chain[0]);
    expect(
      entryRecordingSameFact(parseEntryInput(createdByWorkflow), seal([createdInHubSpot])),
    ).toMatchObject({ recordedBy: 'crm-events', sequence: 1 });
  });

  it('finds the partner attached with the same relationship, in either order', () => {
    const workflowFirst = seal([createdByWorkflow, approved, attachedByWorkflow]);
    const hubSpotFirst = seal([createdInHubSpot, attachedInHubSpot]);

    expect(entryRecordingSameFact(parseEntryInput(attachedInHubSpot), workflowFirst)).toBe(workflowFirst[2]);
    expect(entryRecordingSameFact(parseEntryInput(attachedByWorkflow), hubSpotFirst)).toBe(hubSpotFirst[1]);
  });

  it('records another relationship, another partner or a partner attached again after a detachment', () => {
    const chain = seal([
      createdByWorkflow,
      attachedByWorkflow,
      {
        type: 'PartnerDetached',
        opportunityId: 'deal-1',
        effectiveAt: '2026-11-03T00:00:00Z',
        recordedBy: 'crm-events',
        partnerId: 'partner-1',
        relationshipType: 'sourced',
      },
    ]);
    const influenced = { ...attachedInHubSpot, relationshipType: 'influenced' } as LedgerEntryInput;
    const otherPartner = { ...attachedInHubSpot, partnerId: 'partner-2' } as LedgerEntryInput;

    expect(entryRecordingSameFact(parseEntryInput(attachedInHubSpot), chain)).toBeUndefined();
    expect(entryRecordingSameFact(parseEntryInput(influenced), seal([attachedByWorkflow]))).toBeUndefined();
    expect(entryRecordingSameFact(parseEntryInput(otherPartner), seal([attachedByWorkflow]))).toBeUndefined();
  });

  it('leaves other facts to their own identity', () => {
    const stage: LedgerEntryInput = {
      type: 'StageChanged',
      opportunityId: 'deal-1',
      effectiveAt: at,
      recordedBy: 'crm-events',
      stage: 'qualifiedtobuy',
    };

    expect(entryRecordingSameFact(parseEntryInput(stage), seal([stage]))).toBeUndefined();
  });
});

describe('an attribution seen through CRM events', () => {
  it('is traced to the approved registration that granted the partner that relationship', () => {
    const state = projectOpportunity(
      'deal-1',
      seal([createdInHubSpot, attachedInHubSpot, approved]),
      everything,
    );

    expect(state.attributions).toMatchObject([
      { partnerId: 'partner-1', relationshipType: 'sourced', registrationId: 'reg-1', campaignId: 'spring' },
    ]);
  });

  it('stays without a registration when no registration granted that relationship', () => {
    const influenced = { ...attachedInHubSpot, relationshipType: 'influenced' } as LedgerEntryInput;

    const state = projectOpportunity('deal-1', seal([approved, influenced]), everything);

    expect(state.attributions).toMatchObject([{ relationshipType: 'influenced', registrationId: undefined }]);
  });
});

describe('a detachment the ledger already records', () => {
  const detached: LedgerEntryInput = {
    type: 'PartnerDetached',
    opportunityId: 'deal-1',
    effectiveAt: '2026-11-03T00:00:00Z',
    recordedBy: 'crm-events',
    sourceEventId: 'removed-1',
    partnerId: 'partner-1',
    relationshipType: 'sourced',
  };

  it('is not recorded again once the relationship has ended', () => {
    const chain = seal([attachedByWorkflow, detached]);

    expect(entryRecordingSameFact(parseEntryInput({ ...detached, sourceEventId: 'removed-2' }), chain)).toBe(
      chain[1],
    );
  });

  it('is recorded while the relationship is active, or before its attachment is known', () => {
    expect(entryRecordingSameFact(parseEntryInput(detached), seal([attachedByWorkflow]))).toBeUndefined();
    expect(entryRecordingSameFact(parseEntryInput(detached), seal([createdInHubSpot]))).toBeUndefined();
  });
});

describe('a detachment after a relabel', () => {
  it('is recorded when only the new label ended the old relationship', () => {
    const influenced = { ...attachedInHubSpot, relationshipType: 'influenced', sourceEventId: 'added-2' };
    const chain = seal([attachedByWorkflow, influenced as LedgerEntryInput]);
    const detached: LedgerEntryInput = {
      type: 'PartnerDetached',
      opportunityId: 'deal-1',
      effectiveAt: '2026-11-02T00:18:59Z',
      recordedBy: 'crm-events',
      partnerId: 'partner-1',
      relationshipType: 'sourced',
    };

    expect(entryRecordingSameFact(parseEntryInput(detached), chain)).toBeUndefined();
  });
});
