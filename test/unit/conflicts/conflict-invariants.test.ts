import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import { type ConflictEvidence, registrationStatuses } from '#domain/conflicts/conflict-input.ts';
import { conflictRuleIds } from '#domain/conflicts/conflict-verdict.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';

const loaded = loadPolicy({});
const receivedAt = '2026-11-10T15:00:00.000Z';
const registration = {
  registrationId: 'reg-under-check',
  partnerId: 'partner-a',
  partnerDomain: 'partner-a.com',
  customerDomain: 'acme.com',
  customerCompanyName: 'acme',
  amountUsdMinor: 5_000_000,
  receivedAt,
};

const instant = fc
  .integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());

const evidence: fc.Arbitrary<ConflictEvidence> = fc.record({
  otherRegistrations: fc.array(
    fc.record({
      registrationId: fc.uuid(),
      partnerId: fc.constantFrom('partner-a', 'partner-b', 'partner-c'),
      partnerDomain: fc.constantFrom('partner-a.com', 'partner-b.com', 'partner-c.com'),
      customerDomain: fc.constantFrom('acme.com', 'acme.de', 'globex.com'),
      customerCompanyName: fc.constantFrom('acme', 'acmee', 'globex', 'initech'),
      status: fc.constantFrom(...registrationStatuses),
      receivedAt: instant,
    }),
    { maxLength: 6 },
  ),
  openDeals: fc.array(
    fc.record({ dealId: fc.uuid(), dealName: fc.string(), ownerIsDirectRep: fc.boolean() }),
    { maxLength: 3 },
  ),
  directEngagements: fc.array(
    fc.record({
      engagementId: fc.uuid(),
      type: fc.constantFrom('call', 'meeting', 'email', 'note', 'task'),
      occurredAt: instant,
    }),
    { maxLength: 4 },
  ),
  closedWonDeals: fc.array(fc.record({ dealId: fc.uuid(), dealName: fc.string(), closedAt: instant }), {
    maxLength: 3,
  }),
});

describe('conflict check invariants', () => {
  it('names its deciding rule first, keeps evidence for every fired rule, and only for those', () => {
    fc.assert(
      fc.property(evidence, (found) => {
        const verdict = checkConflicts(registration, found, loaded);
        const fired = verdict.firedRules.map((rule) => rule.ruleId);
        expect(verdict.ruleId).toBe(fired[0] ?? 'no-conflict');
        expect(verdict.outcome).toBe(verdict.firedRules[0]?.outcome ?? 'clear');
        expect(new Set(verdict.evidence.map((item) => item.ruleId))).toEqual(new Set(fired));
        // Evidence is grouped in rule precedence.
        const order = verdict.evidence.map((item) => conflictRuleIds.indexOf(item.ruleId));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(verdict.relationshipType === null).toBe(verdict.outcome === 'reject');
        expect(verdict.compensation?.relationshipType ?? null).toBe(verdict.relationshipType);
        expect(verdict.policyVersion).toBe(loaded.policyVersion);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same verdict for the same evidence in any order', () => {
    fc.assert(
      fc.property(evidence, fc.integer(), (found, seed) => {
        const shuffle = <T>(items: readonly T[] | undefined): T[] => {
          const copy = [...(items ?? [])];
          let state = seed;
          for (let i = copy.length - 1; i > 0; i -= 1) {
            state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
            const j = state % (i + 1);
            [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
          }
          return copy;
        };
        const reordered = {
          otherRegistrations: shuffle(found.otherRegistrations),
          openDeals: shuffle(found.openDeals),
          directEngagements: shuffle(found.directEngagements),
          closedWonDeals: shuffle(found.closedWonDeals),
        };
        expect(checkConflicts(registration, reordered, loaded)).toEqual(
          checkConflicts(registration, found, loaded),
        );
      }),
      { numRuns: 200 },
    );
  });
});
