import { describe, expect, it } from 'vitest';
import {
  type ChainVerification,
  dealAttributionCard,
  ledgerBadge,
} from '#domain/deal-card/deal-attribution-card.ts';
import type { OpportunityState } from '#domain/ledger/projection.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { directActivityVerdict } from '#test/unit/approvals/approval-fixtures.ts';

const customer = { domain: 'acme-analytics.example', name: 'Acme Analytics' };
const intact: ChainVerification = { result: 'intact', entries: 4, firstProblem: undefined };

function dealState(overrides: Partial<OpportunityState> = {}): OpportunityState {
  return {
    opportunityId: '9001',
    customer,
    dealName: 'Acme – data platform',
    stage: 'qualifiedtobuy',
    amount: undefined,
    closeDate: undefined,
    outcome: 'open',
    closedAt: undefined,
    coSell: undefined,
    attributions: [
      {
        opportunityId: '9001',
        partnerId: '501',
        customer,
        relationshipType: 'influenced',
        registrationId: 'DR-2026-0001',
        campaignId: undefined,
        investmentId: undefined,
        since: '2026-11-25T10:00:00.000Z',
        until: undefined,
        active: true,
        sequence: 2,
      },
    ],
    registrations: [
      {
        registrationId: 'DR-2026-0001',
        partnerId: '501',
        relationshipType: 'influenced',
        campaignId: undefined,
        status: 'approved',
        approvedAt: '2026-11-25T10:00:00.000Z',
        expiredAt: undefined,
      },
    ],
    investments: [],
    entries: 4,
    corrections: 0,
    ...overrides,
  };
}

function storedRegistration(
  progress: Partial<NonNullable<StoredRegistration['progress']>> = {},
): StoredRegistration {
  return {
    registrationId: 'DR-2026-0001',
    conversionId: 'conv-1',
    receivedAt: '2026-11-24T08:30:01.000Z',
    receivedVia: 'webhook',
    status: 'received',
    submission: { conversionId: 'conv-1', submittedAt: 0, values: [] },
    progress: {
      status: 'approved',
      partnerId: '501',
      partnerName: 'Cloudsmiths',
      verdict: directActivityVerdict(),
      decision: {
        outcome: 'approve',
        relationshipType: 'influenced',
        reason: 'Direct rep met the customer first',
        decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
        decidedAt: '2026-11-25T10:00:00.000Z',
        channel: 'page',
        policyVersion: 'sha256:0f3a9c1e5b7d',
        exception: false,
      },
      sla: {
        requestedAt: '2026-11-24T09:00:00.000Z',
        deadline: '2026-11-26T09:00:00.000Z',
        reminders: 1,
        escalations: 0,
        defaulted: false,
        pausedHours: 0,
      },
      approvedAt: '2026-11-25T10:00:00.000Z',
      expiresAt: '2027-02-23T10:00:00.000Z',
      dealId: '9001',
      updatedAt: '2026-11-25T10:00:01.000Z',
      ...progress,
    },
  };
}

describe('the deal attribution card', () => {
  it('shows each partner with its relationship, registration, deciding rule, status and SLA', () => {
    const registration = storedRegistration();

    const card = dealAttributionCard({
      dealId: '9001',
      state: dealState(),
      registrations: new Map([[registration.registrationId, registration]]),
      verification: intact,
    });

    expect(card).toEqual({
      dealId: '9001',
      dealName: 'Acme – data platform',
      state: 'attributed',
      attributions: [
        {
          partnerId: '501',
          partnerName: 'Cloudsmiths',
          relationshipType: 'influenced',
          since: '2026-11-25T10:00:00.000Z',
          until: null,
          current: true,
          registrationId: 'DR-2026-0001',
          ruleId: 'direct-activity',
        },
      ],
      registrations: [
        {
          registrationId: 'DR-2026-0001',
          partnerId: '501',
          partnerName: 'Cloudsmiths',
          status: 'approved',
          ruleId: 'direct-activity',
          ruleReason: directActivityVerdict().reason,
          slaDeadline: '2026-11-26T09:00:00.000Z',
          decidedWithinSla: true,
          decidedAt: '2026-11-25T10:00:00.000Z',
          decidedThrough: 'page',
          expiresAt: '2027-02-23T10:00:00.000Z',
        },
      ],
      ledger: { status: 'verified', entries: 4, problem: null },
    });
  });

  it('says a decision after the SLA deadline was late', () => {
    const late = storedRegistration();
    const progress = late.progress;
    if (progress?.decision === undefined) throw new Error('fixture has no decision');
    const registration = {
      ...late,
      progress: { ...progress, decision: { ...progress.decision, decidedAt: '2026-11-26T09:00:01.000Z' } },
    };

    const card = dealAttributionCard({
      dealId: '9001',
      state: dealState(),
      registrations: new Map([[registration.registrationId, registration]]),
      verification: intact,
    });

    expect(card.registrations[0]?.decidedWithinSla).toBe(false);
  });

  it('shows a registration the table does not hold from the ledger alone, and the partner by id', () => {
    const card = dealAttributionCard({
      dealId: '9001',
      state: dealState(),
      registrations: new Map(),
      verification: intact,
    });

    expect(card.attributions[0]).toMatchObject({ partnerId: '501', partnerName: null, ruleId: null });
    expect(card.registrations[0]).toMatchObject({
      status: 'approved',
      slaDeadline: null,
      decidedWithinSla: null,
      ruleId: null,
    });
  });

  it('lists current attributions before ended ones, newest first', () => {
    const base = dealState().attributions[0];
    if (base === undefined) throw new Error('fixture has no attribution');
    const state = dealState({
      attributions: [
        {
          ...base,
          partnerId: '1',
          since: '2026-01-01T00:00:00.000Z',
          until: '2026-02-01T00:00:00.000Z',
          active: false,
        },
        {
          ...base,
          partnerId: '2',
          since: '2026-03-01T00:00:00.000Z',
          until: '2026-04-01T00:00:00.000Z',
          active: false,
        },
        { ...base, partnerId: '3', since: '2025-12-01T00:00:00.000Z' },
      ],
    });

    const card = dealAttributionCard({
      dealId: '9001',
      state,
      registrations: new Map(),
      verification: intact,
    });

    expect(card.attributions.map((row) => [row.partnerId, row.current, row.until])).toEqual([
      ['3', true, null],
      ['2', false, '2026-04-01T00:00:00.000Z'],
      ['1', false, '2026-02-01T00:00:00.000Z'],
    ]);
  });

  it('is empty for a deal the ledger names no partner or registration for', () => {
    const card = dealAttributionCard({
      dealId: '9002',
      state: dealState({ opportunityId: '9002', attributions: [], registrations: [], entries: 1 }),
      registrations: new Map(),
      verification: { result: 'intact', entries: 1, firstProblem: undefined },
    });

    expect(card.state).toBe('empty');
    expect(card.attributions).toEqual([]);
    expect(card.ledger.status).toBe('verified');
  });

  it('is empty, with no ledger entries, for a chain that could not be read', () => {
    const card = dealAttributionCard({
      dealId: '9003',
      state: undefined,
      registrations: new Map(),
      verification: { result: 'intact-without-digests', entries: 0, firstProblem: undefined },
    });

    expect(card).toMatchObject({ state: 'empty', dealName: null, ledger: { status: 'no-entries' } });
  });
});

describe('the verified badge', () => {
  it('is verified for an intact chain checked against digests', () => {
    expect(ledgerBadge(intact)).toEqual({ status: 'verified', entries: 4, problem: null });
  });

  it('says when there was no digest yet to check the chain against', () => {
    expect(
      ledgerBadge({ result: 'intact-without-digests', entries: 4, firstProblem: undefined }).status,
    ).toBe('verified-without-digests');
  });

  it('is not verified for a broken chain, naming the first problem', () => {
    expect(
      ledgerBadge({
        result: 'broken',
        entries: 4,
        firstProblem: 'entry #2: the hash does not match the entry',
      }),
    ).toEqual({ status: 'not-verified', entries: 4, problem: 'entry #2: the hash does not match the entry' });
  });

  it('is not verified for a chain a digest says existed but that holds no entries now', () => {
    expect(ledgerBadge({ result: 'broken', entries: 0, firstProblem: undefined })).toEqual({
      status: 'not-verified',
      entries: 0,
      problem: 'the chain does not verify',
    });
  });
});

describe('a partner re-attached as its attribution ended', () => {
  it('is one attribution, from the first start, under the registration that created it, whichever was recorded first', () => {
    const base = dealState().attributions[0];
    if (base === undefined) throw new Error('fixture has no attribution');
    const reattachedAt = '2026-11-25T10:00:05.000Z';
    const state = dealState({
      attributions: [
        { ...base, registrationId: undefined, since: reattachedAt, sequence: 2 },
        { ...base, until: reattachedAt, active: false, sequence: 3 },
      ],
    });

    const card = dealAttributionCard({
      dealId: '9001',
      state,
      registrations: new Map(),
      verification: intact,
    });

    expect(card.attributions).toEqual([
      {
        partnerId: '501',
        partnerName: null,
        relationshipType: 'influenced',
        since: '2026-11-25T10:00:00.000Z',
        until: null,
        current: true,
        registrationId: 'DR-2026-0001',
        ruleId: null,
      },
    ]);
  });

  it('stays two attributions when the relationship changed or time passed between them', () => {
    const base = dealState().attributions[0];
    if (base === undefined) throw new Error('fixture has no attribution');
    const endedAt = '2026-11-26T10:00:00.000Z';
    const relabelled = dealState({
      attributions: [
        { ...base, until: endedAt, active: false, sequence: 2 },
        { ...base, relationshipType: 'sourced', registrationId: undefined, since: endedAt, sequence: 5 },
      ],
    });
    const later = dealState({
      attributions: [
        { ...base, until: endedAt, active: false, sequence: 2 },
        { ...base, registrationId: undefined, since: '2026-12-01T00:00:00.000Z', sequence: 5 },
      ],
    });

    const relabelledCard = dealAttributionCard({
      dealId: '9001',
      state: relabelled,
      registrations: new Map(),
      verification: intact,
    });
    const laterCard = dealAttributionCard({
      dealId: '9001',
      state: later,
      registrations: new Map(),
      verification: intact,
    });

    expect(relabelledCard.attributions.map((row) => [row.relationshipType, row.current])).toEqual([
      ['sourced', true],
      ['influenced', false],
    ]);
    expect(laterCard.attributions.map((row) => [row.registrationId, row.current])).toEqual([
      [null, true],
      ['DR-2026-0001', false],
    ]);
  });
});
