import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import { companyNameSimilarity } from '#domain/conflicts/company-name-similarity.ts';
import type {
  ClosedWonDeal,
  ConflictEvidence,
  DirectEngagement,
  OpenDeal,
  OtherRegistration,
  RegistrationUnderCheck,
} from '#domain/conflicts/conflict-input.ts';
import { conflictVerdictSchema } from '#domain/conflicts/conflict-verdict.ts';
import { registrationUnderCheck } from '#domain/conflicts/registration-under-check.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import type { PolicyInput } from '#domain/policy/policy-schema.ts';

const defaults = loadPolicy({});

const registration: RegistrationUnderCheck = {
  registrationId: 'reg-new',
  partnerId: 'partner-1',
  partnerDomain: 'cloudpartner.io',
  partnerName: 'Cloud Partner',
  customerDomain: 'acme.com',
  customerCompanyName: 'acme',
  amountUsdMinor: 10_000_000,
  receivedAt: '2026-11-10T15:00:00Z',
};

function otherRegistration(overrides: Partial<OtherRegistration> = {}): OtherRegistration {
  return {
    registrationId: 'reg-other',
    partnerId: 'partner-2',
    partnerDomain: 'rivalpartner.com',
    partnerName: 'Rival Partner',
    customerDomain: 'acme.com',
    customerCompanyName: 'acme',
    status: 'approved',
    receivedAt: '2026-10-01T12:00:00Z',
    approvedAt: '2026-10-02T12:00:00Z',
    expiresAt: '2026-12-31T12:00:00Z',
    ...overrides,
  };
}

const directDeal: OpenDeal = {
  dealId: 'deal-7',
  dealName: 'Acme platform renewal',
  ownerId: 'owner-3',
  ownerName: 'Dana Direct',
  ownerIsDirectRep: true,
  stage: 'qualifiedtobuy',
};

function engagement(occurredAt: string, engagementId = 'eng-1'): DirectEngagement {
  return { engagementId, type: 'meeting', ownerId: 'owner-3', ownerName: 'Dana Direct', occurredAt };
}

function closedWon(closedAt: string, dealId = 'deal-1'): ClosedWonDeal {
  return { dealId, dealName: 'Acme initial licence', closedAt, amountUsdMinor: 4_000_000 };
}

const check = (evidence: ConflictEvidence, policy = defaults, checked = registration) =>
  checkConflicts(checked, evidence, policy);
const policyWith = (input: PolicyInput) => loadPolicy(input);

describe('checkConflicts: no conflict', () => {
  it('is clear, sourced, with the compensation and policy version', () => {
    const verdict = check({});
    expect(verdict).toEqual({
      outcome: 'clear',
      ruleId: 'no-conflict',
      reason:
        'No other registration, no direct-rep activity in the last 60 days and no deal closed won in the last 12 months was found for acme.com; the registration counts as sourced.',
      evidence: [],
      firedRules: [],
      relationshipType: 'sourced',
      compensation: expect.objectContaining({
        relationshipType: 'sourced',
        partner: { kind: 'margin', percent: 20, amountUsdMinor: 2_000_000 },
        directRep: { creditPercent: 50, creditUsdMinor: 5_000_000 },
      }),
      policyVersion: defaults.policyVersion,
    });
  });

  it('ignores registrations that hold nothing: rejected, withdrawn, expired, or the registration itself', () => {
    const verdict = check({
      otherRegistrations: [
        otherRegistration({ registrationId: 'a', status: 'rejected' }),
        otherRegistration({ registrationId: 'b', status: 'withdrawn', partnerId: 'partner-1' }),
        otherRegistration({ registrationId: 'c', status: 'expired' }),
        otherRegistration({ registrationId: 'd', expiresAt: '2026-11-01T00:00:00Z' }),
        otherRegistration({ registrationId: 'reg-new', partnerId: 'partner-1', status: 'submitted' }),
      ],
    });
    expect(verdict.outcome).toBe('clear');
  });
});

describe('checkConflicts: duplicate', () => {
  it('rejects a second registration of the same customer by the same partner', () => {
    const verdict = check({
      otherRegistrations: [
        otherRegistration({
          registrationId: 'reg-earlier',
          partnerId: 'partner-1',
          partnerDomain: 'cloudpartner.io',
          partnerName: 'Cloud Partner',
          status: 'in-review',
          approvedAt: undefined,
          expiresAt: undefined,
        }),
      ],
    });
    expect(verdict.outcome).toBe('reject');
    expect(verdict.ruleId).toBe('duplicate');
    expect(verdict.reason).toBe(
      'This partner already holds registration reg-earlier for acme.com (received on 2026-10-01, awaiting decision), so this one is a duplicate.',
    );
    expect(verdict.relationshipType).toBeNull();
    expect(verdict.compensation).toBeNull();
    expect(verdict.evidence).toEqual([
      {
        kind: 'registration',
        ruleId: 'duplicate',
        registrationId: 'reg-earlier',
        partnerId: 'partner-1',
        partnerDomain: 'cloudpartner.io',
        partnerName: 'Cloud Partner',
        status: 'in-review',
        receivedAt: '2026-10-01T12:00:00Z',
        matchedBy: 'domain',
        similarity: 1,
        detail:
          'Registration reg-earlier by the same partner, received on 2026-10-01, awaiting decision (same customer domain acme.com).',
      },
    ]);
  });

  it('recognises the same partner by its domain when the company record differs', () => {
    const verdict = check({
      otherRegistrations: [
        otherRegistration({ partnerId: 'partner-1-duplicate-record', partnerDomain: 'cloudpartner.io' }),
      ],
    });
    expect(verdict.ruleId).toBe('duplicate');
    expect(verdict.firedRules.map((rule) => rule.ruleId)).toEqual(['duplicate']);
  });

  it('keeps one of two pending registrations a partner sent of one customer: the first received', () => {
    // A double submission: each check sees the other one waiting. Only the later one is the
    // duplicate, so the partner keeps a registration.
    const pending = { status: 'submitted', approvedAt: undefined, expiresAt: undefined } as const;
    const first = { ...registration, registrationId: 'reg-a', receivedAt: '2026-11-10T15:00:00.000Z' };
    const second = { ...registration, registrationId: 'reg-b', receivedAt: '2026-11-10T15:00:00.400Z' };
    const asOther = (reg: RegistrationUnderCheck) =>
      otherRegistration({ ...pending, ...reg, registrationId: reg.registrationId });
    expect(check({ otherRegistrations: [asOther(second)] }, defaults, first).ruleId).toBe('no-conflict');
    expect(check({ otherRegistrations: [asOther(first)] }, defaults, second).ruleId).toBe('duplicate');
    // Received in the same millisecond: the registration id decides, the same way for both.
    const tied = { ...second, receivedAt: first.receivedAt };
    expect(check({ otherRegistrations: [asOther(tied)] }, defaults, first).ruleId).toBe('no-conflict');
    expect(check({ otherRegistrations: [asOther(first)] }, defaults, tied).ruleId).toBe('duplicate');
  });

  it('still rejects a registration received before an approved one of the same partner', () => {
    const approvedLater = otherRegistration({
      partnerId: 'partner-1',
      partnerDomain: 'cloudpartner.io',
      receivedAt: '2026-11-10T15:00:01Z',
      approvedAt: '2026-11-10T15:00:02Z',
    });
    expect(check({ otherRegistrations: [approvedLater] }).ruleId).toBe('duplicate');
  });
});

describe('checkConflicts: competing partner', () => {
  it('lets the first registration win; the later one may be approved only as influenced', () => {
    const verdict = check({ otherRegistrations: [otherRegistration()] });
    expect(verdict.outcome).toBe('needs-review');
    expect(verdict.ruleId).toBe('competing-partner');
    expect(verdict.reason).toBe(
      'Partner Rival Partner (rivalpartner.com) registered acme.com first (reg-other, approved on 2026-10-02); the first registration wins, so this registration may be approved only as influenced.',
    );
    expect(verdict.relationshipType).toBe('influenced');
    expect(verdict.compensation?.partner).toEqual({ kind: 'margin', percent: 10, amountUsdMinor: 1_000_000 });
    expect(verdict.compensation?.directRep.creditPercent).toBe(100);
    expect(verdict.evidence).toEqual([
      expect.objectContaining({
        kind: 'registration',
        ruleId: 'competing-partner',
        registrationId: 'reg-other',
        partnerId: 'partner-2',
        status: 'approved',
        approvedAt: '2026-10-02T12:00:00Z',
        matchedBy: 'domain',
        detail:
          'Partner Rival Partner (rivalpartner.com) holds registration reg-other, approved on 2026-10-02 (same customer domain acme.com).',
      }),
    ]);
  });

  it('matches a different domain by company-name similarity', () => {
    const verdict = check({
      otherRegistrations: [
        otherRegistration({ customerDomain: 'acme-group.de', customerCompanyName: 'Acmé' }),
      ],
    });
    expect(verdict.ruleId).toBe('competing-partner');
    expect(verdict.evidence[0]).toMatchObject({ matchedBy: 'company-name', similarity: 1 });
  });

  it('matches another domain of the customer’s company by domain, whatever its name', () => {
    const elsewhere = otherRegistration({ customerDomain: 'acme-retail.eu', customerCompanyName: 'zephyr' });
    expect(check({ otherRegistrations: [elsewhere] }).ruleId).toBe('no-conflict');
    const verdict = check({ otherRegistrations: [elsewhere], customerDomains: ['acme-retail.eu'] });
    expect(verdict.ruleId).toBe('competing-partner');
    expect(verdict.evidence[0]).toMatchObject({ matchedBy: 'domain', registrationId: 'reg-other' });
    expect(verdict.evidence[0]?.detail).toContain(
      "acme-retail.eu, another domain of the customer's company in HubSpot",
    );
  });

  it('matches at the similarity threshold and not below it', () => {
    const at90 = policyWith({ conflicts: { competingPartner: { companyNameSimilarityThreshold: 0.9 } } });
    const named = (customerCompanyName: string) =>
      check(
        {
          otherRegistrations: [otherRegistration({ customerDomain: 'elsewhere.com', customerCompanyName })],
        },
        at90,
        { ...registration, customerCompanyName: 'abcdefghij' },
      );
    expect(companyNameSimilarity('abcdefghij', 'abcdefghix')).toBeCloseTo(0.9, 12);
    expect(named('abcdefghix').ruleId).toBe('competing-partner');
    expect(named('abcdefghix').evidence[0]).toMatchObject({ matchedBy: 'company-name', similarity: 0.9 });
    expect(named('abcdefghxx').ruleId).toBe('no-conflict');
    const at91 = policyWith({ conflicts: { competingPartner: { companyNameSimilarityThreshold: 0.91 } } });
    expect(
      check(
        {
          otherRegistrations: [
            otherRegistration({ customerDomain: 'elsewhere.com', customerCompanyName: 'abcdefghix' }),
          ],
        },
        at91,
        { ...registration, customerCompanyName: 'abcdefghij' },
      ).ruleId,
    ).toBe('no-conflict');
  });

  it('counts another partner’s pending registration only when it was received first', () => {
    const earlier = otherRegistration({ status: 'submitted', approvedAt: undefined, expiresAt: undefined });
    expect(check({ otherRegistrations: [earlier] }).ruleId).toBe('competing-partner');
    expect(check({ otherRegistrations: [earlier] }).reason).toContain(
      '(reg-other, received on 2026-10-01, awaiting decision)',
    );
    const later = { ...earlier, receivedAt: '2026-11-11T09:00:00Z' };
    expect(check({ otherRegistrations: [later] }).ruleId).toBe('no-conflict');
  });

  it('counts a later-received registration first when its check cleared it before this one was checked', () => {
    const later = otherRegistration({
      status: 'submitted',
      approvedAt: undefined,
      expiresAt: undefined,
      receivedAt: '2026-11-10T15:00:00.010Z',
    });
    expect(check({ otherRegistrations: [later] }).ruleId).toBe('no-conflict');
    const verdict = check({ otherRegistrations: [{ ...later, checkedFirst: true }] });
    expect(verdict.ruleId).toBe('competing-partner');
    expect(verdict.evidence[0]).toMatchObject({ registrationId: 'reg-other' });
  });

  it('rejects the later registration when the policy says so', () => {
    const strict = policyWith({
      conflicts: { competingPartner: { resolution: 'reject-later-registration' } },
    });
    const verdict = check({ otherRegistrations: [otherRegistration()] }, strict);
    expect(verdict.outcome).toBe('reject');
    expect(verdict.relationshipType).toBeNull();
    expect(verdict.reason).toMatch(/later registrations for the same customer are rejected\.$/);
  });
});

describe('checkConflicts: direct activity', () => {
  it('sends an open deal owned by a direct rep to review, influenced if approved', () => {
    const verdict = check({
      openDeals: [directDeal, { ...directDeal, dealId: 'deal-8', ownerIsDirectRep: false }],
    });
    expect(verdict.outcome).toBe('needs-review');
    expect(verdict.ruleId).toBe('direct-activity');
    expect(verdict.relationshipType).toBe('influenced');
    expect(verdict.reason).toBe(
      'Direct sales is already active at acme.com (1 open deal owned by a direct rep); an approver must review it and, if approved, the relationship is influenced.',
    );
    expect(verdict.evidence).toEqual([
      {
        kind: 'open-deal',
        ruleId: 'direct-activity',
        dealId: 'deal-7',
        dealName: 'Acme platform renewal',
        ownerId: 'owner-3',
        ownerName: 'Dana Direct',
        stage: 'qualifiedtobuy',
        detail:
          'Open deal "Acme platform renewal" (deal-7) is owned by direct rep Dana Direct, stage qualifiedtobuy.',
      },
    ]);
  });

  it('counts direct-rep engagements inside the look-back window only', () => {
    const verdict = check({
      directEngagements: [
        engagement('2026-09-12T15:00:00Z', 'eng-59-days'),
        engagement('2026-09-10T15:00:00Z', 'eng-61-days'),
        engagement('2026-11-10T16:00:00Z', 'eng-after-submission'),
      ],
    });
    expect(verdict.ruleId).toBe('direct-activity');
    expect(verdict.reason).toContain('(1 direct-rep engagement in the last 60 days)');
    expect(verdict.evidence).toEqual([
      {
        kind: 'engagement',
        ruleId: 'direct-activity',
        engagementId: 'eng-59-days',
        type: 'meeting',
        ownerId: 'owner-3',
        ownerName: 'Dana Direct',
        occurredAt: '2026-09-12T15:00:00Z',
        daysBeforeSubmission: 59,
        detail: 'Direct rep Dana Direct logged a meeting on 2026-09-12, 59 days before this registration.',
      },
    ]);
    const longer = policyWith({ conflicts: { directActivity: { lookBackDays: 90 } } });
    expect(check({ directEngagements: [engagement('2026-09-10T15:00:00Z')] }, longer).ruleId).toBe(
      'direct-activity',
    );
    expect(check({ directEngagements: [engagement('2026-09-10T15:00:00Z')] }).ruleId).toBe('no-conflict');
  });
});

describe('checkConflicts: existing customer', () => {
  it('applies the expansion rule to a customer closed won within the window', () => {
    const verdict = check({
      closedWonDeals: [closedWon('2025-12-15T12:00:00Z'), closedWon('2025-10-15T12:00:00Z', 'deal-old')],
    });
    expect(verdict.outcome).toBe('needs-review');
    expect(verdict.ruleId).toBe('existing-customer');
    expect(verdict.relationshipType).toBe('influenced');
    expect(verdict.reason).toBe(
      'acme.com is an existing customer (deal "Acme initial licence" closed won on 2025-12-15, within 12 months); under the expansion rule an approver must review it and, if approved, the relationship is influenced.',
    );
    expect(verdict.evidence).toEqual([
      {
        kind: 'closed-won-deal',
        ruleId: 'existing-customer',
        dealId: 'deal-1',
        dealName: 'Acme initial licence',
        closedAt: '2025-12-15T12:00:00Z',
        amountUsdMinor: 4_000_000,
        detail: 'Deal "Acme initial licence" (deal-1) closed won on 2025-12-15.',
      },
    ]);
  });

  it('can let expansions through without review under the configured relationship', () => {
    const lenient = policyWith({
      conflicts: { existingCustomer: { outcome: 'clear', relationshipIfApproved: 'resell' } },
    });
    const verdict = check({ closedWonDeals: [closedWon('2026-06-01T00:00:00Z')] }, lenient);
    expect(verdict.outcome).toBe('clear');
    expect(verdict.ruleId).toBe('existing-customer');
    expect(verdict.relationshipType).toBe('resell');
    expect(verdict.compensation?.partner.percent).toBe(25);
  });
});

describe('checkConflicts: precedence', () => {
  const everything = {
    otherRegistrations: [
      otherRegistration(),
      otherRegistration({
        registrationId: 'reg-mine',
        partnerId: 'partner-1',
        partnerDomain: 'cloudpartner.io',
      }),
    ],
    openDeals: [directDeal],
    directEngagements: [engagement('2026-11-01T15:00:00Z')],
    closedWonDeals: [closedWon('2026-03-01T12:00:00Z')],
  } satisfies ConflictEvidence;

  it('lets a rejecting rule decide and keeps the evidence of every rule that fired', () => {
    const verdict = check(everything);
    expect(verdict.ruleId).toBe('duplicate');
    expect(verdict.outcome).toBe('reject');
    expect(verdict.firedRules.map((rule) => [rule.ruleId, rule.outcome])).toEqual([
      ['duplicate', 'reject'],
      ['competing-partner', 'needs-review'],
      ['direct-activity', 'needs-review'],
      ['existing-customer', 'needs-review'],
    ]);
    expect(verdict.evidence.map((item) => `${item.ruleId}:${item.kind}`)).toEqual([
      'duplicate:registration',
      'competing-partner:registration',
      'direct-activity:open-deal',
      'direct-activity:engagement',
      'existing-customer:closed-won-deal',
    ]);
  });

  it('stores as JSON and reads back through the verdict schema unchanged', () => {
    const verdict = check(everything);
    const stored = JSON.parse(JSON.stringify(verdict)) as unknown;
    expect(conflictVerdictSchema.parse(stored)).toEqual(verdict);
    expect(() => conflictVerdictSchema.parse({ ...verdict, outcome: 'maybe' })).toThrow(/outcome/);
  });

  it('among rules with the same outcome, the earlier rule decides', () => {
    const withoutDuplicate = { ...everything, otherRegistrations: [otherRegistration()] };
    expect(check(withoutDuplicate).ruleId).toBe('competing-partner');
    expect(check({ ...withoutDuplicate, otherRegistrations: [] }).ruleId).toBe('direct-activity');
  });

  it('puts a more severe outcome before an earlier rule', () => {
    const lenient = policyWith({ conflicts: { existingCustomer: { outcome: 'clear' } } });
    const verdict = check(
      { closedWonDeals: [closedWon('2026-03-01T12:00:00Z')], openDeals: [directDeal] },
      lenient,
    );
    expect(verdict.ruleId).toBe('direct-activity');
    expect(verdict.firedRules.map((rule) => rule.ruleId)).toEqual(['direct-activity', 'existing-customer']);
  });

  it('gives the same verdict whatever order the evidence arrives in', () => {
    const baseline = check(everything);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...everything.otherRegistrations], {
          minLength: everything.otherRegistrations.length,
        }),
        fc.shuffledSubarray(
          [
            ...everything.directEngagements,
            engagement('2026-10-20T10:00:00Z', 'eng-2'),
            engagement('2026-10-20T10:00:00Z', 'eng-3'),
          ],
          { minLength: 3 },
        ),
        (otherRegistrations, directEngagements) => {
          const shuffled = check({ ...everything, otherRegistrations, directEngagements });
          const sorted = check({
            ...everything,
            directEngagements: [...directEngagements].sort((a, b) =>
              a.engagementId.localeCompare(b.engagementId),
            ),
          });
          expect(shuffled).toEqual(sorted);
          expect(shuffled.ruleId).toBe(baseline.ruleId);
        },
      ),
    );
  });
});

describe('checkConflicts: malformed input', () => {
  it('throws on evidence that breaks its schema', () => {
    expect(() =>
      check({ otherRegistrations: [{ ...otherRegistration(), status: 'lost' as unknown as 'approved' }] }),
    ).toThrow(/status/);
  });
});

describe('registrationUnderCheck', () => {
  it('matches on the normalised company key of a validated registration', () => {
    const details = {
      submitterEmail: 'pat@cloudpartner.io',
      partnerDomain: 'cloudpartner.io',
      customerCompanyName: 'Acme, Inc.',
      customerCompanyKey: 'acme',
      customerDomain: 'acme.com',
      estimatedAmount: { minorUnits: 9_000_000, currency: 'EUR' },
      expectedCloseDate: '2027-01-31',
      products: [],
      cloudMarketplace: 'aws' as const,
    };
    const checked = registrationUnderCheck(
      { registrationId: 'reg-9', receivedAt: '2026-11-10T15:00:00.000Z', details },
      { id: 'partner-1', name: 'Cloud Partner' },
      10_000_000,
    );
    expect(checked).toEqual({
      registrationId: 'reg-9',
      partnerId: 'partner-1',
      partnerDomain: 'cloudpartner.io',
      partnerName: 'Cloud Partner',
      customerDomain: 'acme.com',
      customerCompanyName: 'acme',
      amountUsdMinor: 10_000_000,
      receivedAt: '2026-11-10T15:00:00.000Z',
    });
    const verdict = check(
      {
        otherRegistrations: [
          otherRegistration({ customerDomain: 'acme-group.com', customerCompanyName: 'acme' }),
        ],
      },
      defaults,
      checked,
    );
    expect(verdict.ruleId).toBe('competing-partner');
  });
});
