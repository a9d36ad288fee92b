import { describe, expect, it } from 'vitest';
import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import type { ConflictEvidence, RegistrationUnderCheck } from '#domain/conflicts/conflict-input.ts';
import { verdictUnderClaim } from '#domain/conflicts/verdict-under-claim.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';

const policy = loadPolicy({});
const day = 86_400_000;
/** When Dealreg received the registration under check. */
const receivedAt = '2026-11-24T09:00:05.000Z';
const daysBefore = (days: number, at = receivedAt) => new Date(Date.parse(at) - days * day).toISOString();

const registration: RegistrationUnderCheck = {
  registrationId: 'reg-new',
  partnerId: 'partner-1',
  partnerDomain: 'northwind-partners.com',
  customerDomain: 'acme.com',
  customerCompanyName: 'acme',
  amountUsdMinor: 1_200_000,
  receivedAt,
};

/** Evidence for each of the three rules a backdated claim was used to slip past. */
const evidenceFor: Record<string, ConflictEvidence> = {
  // A rival partner registered the customer a day before this one reached Dealreg; still undecided.
  'competing-partner': {
    otherRegistrations: [
      {
        registrationId: 'reg-rival',
        partnerId: 'partner-2',
        partnerDomain: 'rival-partners.io',
        customerDomain: 'acme.com',
        customerCompanyName: 'acme',
        status: 'in-review',
        receivedAt: daysBefore(1),
      },
    ],
  },
  // A direct rep met the customer ten days before.
  'direct-activity': {
    directEngagements: [
      { engagementId: 'eng-1', type: 'meeting', ownerId: 'owner-3', occurredAt: daysBefore(10) },
    ],
  },
  // The customer closed a deal as won twenty days before.
  'existing-customer': {
    closedWonDeals: [{ dealId: 'deal-1', dealName: 'Acme licence', closedAt: daysBefore(20) }],
  },
};

describe('the verdict goes by the receipt; a backdated claim is recorded when it would have decided otherwise', () => {
  describe.each(Object.keys(evidenceFor))('%s', (ruleId) => {
    const evidence = evidenceFor[ruleId] ?? {};
    const honest = checkConflicts(registration, evidence, policy);

    it('fires on the receipt', () => {
      expect(honest).toMatchObject({ outcome: 'needs-review', ruleId, relationshipType: 'influenced' });
    });

    it.each([30, 60, 90])('would have been clear, as sourced, at a claim %i days back', (days) => {
      // prepare
      const claimedAt = daysBefore(days);
      // act: what the check would have said had the claim been the registration's place
      const atClaim = checkConflicts({ ...registration, receivedAt: claimedAt }, evidence, policy);
      // assess
      expect(verdictUnderClaim(honest, atClaim, claimedAt)).toEqual({
        claimedAt,
        outcome: 'clear',
        ruleId: 'no-conflict',
        relationshipType: 'sourced',
        reason: expect.stringContaining('the registration counts as sourced'),
      });
    });
  });

  it('records nothing when the claim would have decided the same', () => {
    const evidence = evidenceFor['direct-activity'] ?? {};
    const honest = checkConflicts(registration, evidence, policy);
    const claimedAt = daysBefore(2);
    const atClaim = checkConflicts({ ...registration, receivedAt: claimedAt }, evidence, policy);
    expect(atClaim.evidence).not.toEqual([]);
    expect(verdictUnderClaim(honest, atClaim, claimedAt)).toBeUndefined();
  });
});
