import { describe, expect, it } from 'vitest';
import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import type { ConflictEvidence, RegistrationUnderCheck } from '#domain/conflicts/conflict-input.ts';
import { approvalDeadlines, resumeDeadlines } from '#domain/policy/approval-deadlines.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import {
  departsFromVerdict,
  routeRegistration,
  slaDefaultDecision,
} from '#domain/policy/registration-decision.ts';
import {
  ExtensionNotAllowedError,
  extendedValidityWindow,
  validityWindow,
} from '#domain/policy/registration-validity.ts';

const loaded = loadPolicy({});
const { policy } = loaded;

function verdictFor(amountUsdMinor: number, evidence: ConflictEvidence = {}) {
  const registration: RegistrationUnderCheck = {
    registrationId: 'reg-1',
    partnerId: 'partner-1',
    partnerDomain: 'cloudpartner.io',
    customerDomain: 'acme.com',
    customerCompanyName: 'acme',
    amountUsdMinor,
    receivedAt: '2026-11-10T15:00:00Z',
  };
  return checkConflicts(registration, evidence, loaded);
}

const facts = (amountUsdMinor: number) => ({
  customerCountry: 'US',
  cloudMarketplace: 'none',
  amountUsdMinor,
});
const duplicate: ConflictEvidence = {
  otherRegistrations: [
    {
      registrationId: 'reg-0',
      partnerId: 'partner-1',
      partnerDomain: 'cloudpartner.io',
      customerDomain: 'acme.com',
      customerCompanyName: 'acme',
      status: 'approved',
      receivedAt: '2026-10-01T00:00:00Z',
    },
  ],
};
const directDeal: ConflictEvidence = {
  openDeals: [{ dealId: 'deal-1', dealName: 'Acme', ownerIsDirectRep: true, ownerName: 'Dana' }],
};

describe('routeRegistration', () => {
  it('approves a clear registration below the limit at once, as the verdict says', () => {
    const route = routeRegistration(verdictFor(2_000_000), facts(2_000_000), loaded);
    expect(route).toMatchObject({
      next: 'auto-approve',
      relationshipType: 'sourced',
      policyVersion: loaded.policyVersion,
    });
    expect(route.reason).toMatch(
      /The amount \(USD 20,000\) is below the auto-approve limit of USD 25,000\.$/,
    );
  });

  it('rejects what the verdict rejects without asking anyone', () => {
    expect(routeRegistration(verdictFor(2_000_000, duplicate), facts(2_000_000), loaded).next).toBe(
      'auto-reject',
    );
  });

  it('sends large or conflicting registrations to the routed approvers', () => {
    const large = routeRegistration(verdictFor(30_000_000), facts(30_000_000), loaded);
    expect(large.next).toBe('approval');
    expect(large.reason).toBe(
      'The amount (USD 300,000) is not below the auto-approve limit of USD 25,000; routed to Channel Manager by rule "fallback", then VP Sales for the second level.',
    );
    const conflicting = routeRegistration(verdictFor(100, directDeal), facts(100), loaded);
    expect(conflicting.next).toBe('approval');
    expect(conflicting.reason).toBe(
      'The conflict check asks for review; routed to Channel Manager by rule "fallback".',
    );
  });
});

describe('slaDefaultDecision and exceptions', () => {
  it('approves under the verdict’s relationship at the final deadline unless the policy says reject', () => {
    expect(slaDefaultDecision(verdictFor(100, directDeal), loaded)).toEqual({
      decision: 'approve',
      relationshipType: 'influenced',
    });
    expect(slaDefaultDecision(verdictFor(100), loadPolicy({ sla: { defaultDecision: 'reject' } }))).toEqual({
      decision: 'reject',
    });
  });

  it('marks decisions that depart from the verdict as exceptions', () => {
    const influenced = verdictFor(100, directDeal);
    expect(departsFromVerdict(influenced, { decision: 'approve', relationshipType: 'influenced' })).toBe(
      false,
    );
    expect(departsFromVerdict(influenced, { decision: 'approve', relationshipType: 'sourced' })).toBe(true);
    expect(departsFromVerdict(influenced, { decision: 'reject' })).toBe(false);
    expect(departsFromVerdict(verdictFor(100), { decision: 'reject' })).toBe(true);
    expect(
      departsFromVerdict(verdictFor(100, duplicate), { decision: 'approve', relationshipType: 'sourced' }),
    ).toBe(true);
  });
});

describe('registration validity', () => {
  it('runs the validity days in calendar days and warns before expiry', () => {
    // Approved Thursday 1 October 2026 11:00 EDT; 90 days later is 30 December, 11:00 EST.
    const window = validityWindow(policy, new Date('2026-10-01T15:00:00Z'));
    expect(window.expiresAt.toISOString()).toBe('2026-12-30T16:00:00.000Z');
    expect(window.warnAt.toISOString()).toBe('2026-12-16T16:00:00.000Z');
  });

  it('allows one extension from the current expiry, and no second', () => {
    const extended = extendedValidityWindow(policy, new Date('2026-12-30T16:00:00Z'), 0);
    expect(extended.expiresAt.toISOString()).toBe('2027-03-30T15:00:00.000Z');
    expect(() => extendedValidityWindow(policy, extended.expiresAt, 1)).toThrow(ExtensionNotAllowedError);
    expect(() => extendedValidityWindow(policy, extended.expiresAt, 1)).toThrow(
      'the policy allows one extension and this registration has had 1',
    );
  });
});

describe('resumeDeadlines', () => {
  it('keeps the business hours left at the pause and counts them from the resumption', () => {
    // Requested Monday 9 November 09:00 EST, paused Tuesday 09:00 (8 hours used), resumed Monday 16 09:00.
    const deadlines = approvalDeadlines(policy, new Date('2026-11-09T14:00:00Z'));
    const resumed = resumeDeadlines(
      policy,
      deadlines,
      new Date('2026-11-10T14:00:00Z'),
      new Date('2026-11-16T14:00:00Z'),
    );
    expect(resumed.reminderAt.toISOString()).toBe('2026-11-17T22:00:00.000Z');
    expect(resumed.escalationAt.toISOString()).toBe('2026-11-20T22:00:00.000Z');
    expect(resumed.finalAt.toISOString()).toBe('2026-11-25T22:00:00.000Z');
  });

  it('leaves deadlines that had already passed', () => {
    const deadlines = approvalDeadlines(policy, new Date('2026-11-09T14:00:00Z'));
    const resumed = resumeDeadlines(
      policy,
      deadlines,
      new Date('2026-11-12T14:00:00Z'),
      new Date('2026-11-13T14:00:00Z'),
    );
    expect(resumed.reminderAt).toEqual(deadlines.reminderAt);
    expect(resumed.escalationAt.toISOString()).toBe('2026-11-17T22:00:00.000Z');
  });
});
