import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import type { RegistrationSummary } from '#emails/registration-summary.ts';

/** Markup and quotes that must stay inert text wherever an input value lands. */
export const HOSTILE = `<script>alert("pwned")</script>' onmouseover='x' "><img src=x onerror=alert(1)>`;
export const HOSTILE_ESCAPED =
  '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;';

export function registration(overrides: Partial<RegistrationSummary> = {}): RegistrationSummary {
  return {
    registrationId: 'reg_01JDEALREG',
    partnerName: 'Acme Cloud Partners',
    partnerDomain: 'acme-partners.example',
    submitterEmail: 'pat@acme-partners.example',
    customerCompanyName: 'Globex GmbH',
    customerDomain: 'globex.example',
    customerCountry: 'DE',
    estimatedAmount: { minorUnits: 30_000_000, currency: 'EUR' },
    amountUsdMinor: 32_400_000,
    expectedCloseDate: '2027-01-15',
    products: ['Analytics Cloud', 'Data Guard'],
    cloudMarketplace: 'aws',
    campaignId: 'cmp-q4-aws-summit',
    dealDescription: 'Migration of the data warehouse to AWS.',
    ...overrides,
  };
}

export function verdict(overrides: Partial<ConflictVerdict> = {}): ConflictVerdict {
  return {
    outcome: 'needs-review',
    ruleId: 'direct-activity',
    reason:
      'A direct rep has an open deal with Globex GmbH; if approved, the relationship is Partner-influenced.',
    evidence: [
      {
        kind: 'open-deal',
        ruleId: 'direct-activity',
        detail: 'Open HubSpot deal "Globex renewal" owned by Dana Direct.',
        dealId: '9001',
        dealName: 'Globex renewal',
        ownerId: '77',
        ownerName: 'Dana Direct',
        stage: 'qualifiedtobuy',
        createdAt: '2026-10-01T10:00:00.000Z',
        amountUsdMinor: 5_000_000,
      },
      {
        kind: 'engagement',
        ruleId: 'direct-activity',
        detail: 'Dana Direct had a meeting with Globex 12 days before the submission.',
        engagementId: 'eng-42',
        type: 'MEETING',
        ownerName: 'Dana Direct',
        occurredAt: '2026-11-12T15:00:00.000Z',
        daysBeforeSubmission: 12,
      },
    ],
    firedRules: [
      {
        ruleId: 'direct-activity',
        outcome: 'needs-review',
        reason: 'Direct-rep activity within 60 days.',
        relationshipType: 'influenced',
      },
    ],
    relationshipType: 'influenced',
    compensation: {
      relationshipType: 'influenced',
      label: 'Partner-influenced',
      partner: { kind: 'margin', percent: 10, amountUsdMinor: 3_240_000 },
      directRep: { creditPercent: 100, creditUsdMinor: 32_400_000 },
      summary:
        'Partner-influenced: the partner earns a 10% margin (USD 32,400.00); the direct rep is credited 100% (USD 324,000.00).',
    },
    policyVersion: 'pv-3f9a2c',
    ...overrides,
  };
}

/** How often `needle` occurs in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
