import type { LedgerEntry } from '#domain/ledger/entry.ts';
import type { QbrRegistration } from '#domain/qbr/registration-view.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import {
  approval,
  chain,
  created,
  crmDeal,
  crmOf,
  decision,
  policy,
  record,
  sla,
  usd,
  won,
} from './qbr-fixtures.ts';

/**
 * One quarter (2026-Q4, fiscal year = calendar year) written down by hand, reported as of
 * 2026-12-15. The expected figures are worked out in the tests next to their assertions.
 *
 * Registrations (the table):
 *   R1 Acme (P1), campaign C1, aws, US — approved 10-05 within SLA (4 business hours) → O1, won 100,000
 *   R2 Acme (P1), C1, azure, DE — approved automatically → O2, open
 *   R3 Beta (P2), C2, gcp, JP — approved as influenced after its SLA deadline (32 h, 1 reminder, 1 escalation) → O3, won 50,000
 *   R4 Beta (P2), no campaign, none, BR — rejected within SLA (8 h) as an exception to a clean verdict
 *   R5 an invalid submission (no details)
 *   R6 Acme (P1), C2, aws, CA — still in review, its deadline passed
 *   R7 submitted in Q3 (not in the Q4 cohort); R8 submitted after asOf (ignored)
 *   R9 Beta (P2), C2 — submitted in Q3, approved by the SLA default on 10-07 (64 h, 2 reminders,
 *      1 escalation), no opportunity since
 * Ledger only: O4, partner P3 attached as sourced by a HubSpot change, no registration, won 20,000.
 * Investments: C1 mdf 10,000 + events 30,000; C2 spiff 5,000.
 */
export function scenarioChains(): LedgerEntry[][] {
  return [
    chain('O1', [
      ...approval({
        registrationId: 'R1',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-10-05T18:00:00Z',
        campaignId: 'C1',
        cloudMarketplace: 'aws',
      }),
      created('2026-10-07T12:00:00Z', 'Orion rollout', 90_000),
      ...won('2026-11-20T15:00:00Z', 100_000),
    ]),
    chain('O2', [
      ...approval({
        registrationId: 'R2',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-10-10T12:00:00Z',
        campaignId: 'C1',
        cloudMarketplace: 'azure',
      }),
      created('2026-10-11T12:00:00Z', 'Nimbus pilot', 40_000),
    ]),
    chain('O3', [
      ...approval({
        registrationId: 'R3',
        partnerId: 'P2',
        relationshipType: 'influenced',
        at: '2026-10-16T13:00:00Z',
        campaignId: 'C2',
        cloudMarketplace: 'gcp',
      }),
      created('2026-10-17T12:00:00Z', 'Kite expansion', 50_000),
      ...won('2026-12-01T15:00:00Z', 50_000),
    ]),
    chain('O4', [
      {
        type: 'PartnerAttached',
        effectiveAt: '2026-11-01T12:00:00Z',
        recordedBy: 'crm-events',
        partnerId: 'P3',
        customer: { domain: 'lynx.example.com' },
        relationshipType: 'sourced',
      },
      created('2026-11-01T12:00:00Z', 'Lynx renewal', 20_000),
      ...won('2026-12-05T15:00:00Z', 20_000),
    ]),
    chain('campaign:C1', [
      {
        type: 'InvestmentRecorded',
        effectiveAt: '2026-10-01T12:00:00Z',
        investmentId: 'I1',
        investmentType: 'mdf',
        campaignId: 'C1',
        amount: usd(10_000),
      },
      {
        type: 'InvestmentRecorded',
        effectiveAt: '2026-10-02T12:00:00Z',
        investmentId: 'I2',
        investmentType: 'events',
        campaignId: 'C1',
        amount: usd(30_000),
      },
    ]),
    chain('campaign:C2', [
      {
        type: 'InvestmentRecorded',
        effectiveAt: '2026-10-03T12:00:00Z',
        investmentId: 'I3',
        investmentType: 'spiff',
        campaignId: 'C2',
        amount: usd(5_000),
      },
    ]),
  ];
}

const cleanVerdict: NonNullable<RegistrationProgress['verdict']> = {
  outcome: 'clear',
  ruleId: 'no-conflict',
  reason: 'No rule fired.',
  evidence: [],
  firedRules: [],
  relationshipType: 'sourced',
  compensation: null,
  policyVersion: policy.policyVersion,
};

export function scenarioRegistrations(): QbrRegistration[] {
  const acme = { partnerId: 'P1', partnerName: 'Acme Partners' };
  const beta = { partnerId: 'P2', partnerName: 'Beta Cloud' };
  return [
    record({
      registrationId: 'R1',
      submittedAt: '2026-10-05T13:00:00Z',
      ...acme,
      campaignId: 'C1',
      cloudMarketplace: 'aws',
      country: 'US',
      progress: {
        status: 'approved',
        dealId: 'O1',
        approvedAt: '2026-10-05T18:00:00Z',
        decision: decision('approve', '2026-10-05T18:00:00Z'),
        sla: sla('2026-10-05T14:00:00Z', '2026-10-07T21:00:00Z'),
      },
    }),
    record({
      registrationId: 'R2',
      submittedAt: '2026-10-10T11:00:00Z',
      ...acme,
      campaignId: 'C1',
      cloudMarketplace: 'azure',
      country: 'DE',
      progress: {
        status: 'approved',
        dealId: 'O2',
        approvedAt: '2026-10-10T12:00:00Z',
        decision: decision('approve', '2026-10-10T12:00:00Z', { channel: 'auto' }),
      },
    }),
    record({
      registrationId: 'R3',
      submittedAt: '2026-10-12T12:00:00Z',
      ...beta,
      campaignId: 'C2',
      cloudMarketplace: 'gcp',
      country: 'JP',
      progress: {
        status: 'approved',
        dealId: 'O3',
        approvedAt: '2026-10-16T13:00:00Z',
        decision: decision('approve', '2026-10-16T13:00:00Z', {
          relationshipType: 'influenced',
          decidedBy: { email: 'partner-director@example.com', name: 'Director' },
        }),
        sla: sla('2026-10-12T13:00:00Z', '2026-10-14T21:00:00Z', { reminders: 1, escalations: 1 }),
      },
    }),
    record({
      registrationId: 'R4',
      submittedAt: '2026-10-20T12:00:00Z',
      ...beta,
      cloudMarketplace: 'none',
      country: 'BR',
      progress: {
        status: 'declined',
        verdict: cleanVerdict,
        decision: decision('reject', '2026-10-21T13:00:00Z', {
          exception: true,
          reason: 'Direct team already negotiating',
        }),
        sla: sla('2026-10-20T13:00:00Z', '2026-10-22T21:00:00Z'),
      },
    }),
    record({ registrationId: 'R5', submittedAt: '2026-11-01T10:00:00Z', invalid: true }),
    record({
      registrationId: 'R6',
      submittedAt: '2026-11-05T14:00:00Z',
      ...acme,
      campaignId: 'C2',
      cloudMarketplace: 'aws',
      country: 'CA',
      progress: {
        status: 'in-review',
        sla: sla('2026-11-05T15:00:00Z', '2026-11-09T21:00:00Z', { reminders: 1 }),
      },
    }),
    record({ registrationId: 'R7', submittedAt: '2026-09-20T12:00:00Z', ...acme, country: 'US' }),
    record({ registrationId: 'R8', submittedAt: '2026-12-20T12:00:00Z', ...acme, country: 'US' }),
    record({
      registrationId: 'R9',
      submittedAt: '2026-09-28T12:00:00Z',
      ...beta,
      campaignId: 'C2',
      country: 'US',
      progress: {
        status: 'approved',
        approvedAt: '2026-10-07T21:00:00Z',
        decision: decision('approve', '2026-10-07T21:00:00Z', { channel: 'sla-default' }),
        sla: sla('2026-09-28T13:00:00Z', '2026-09-30T21:00:00Z', {
          reminders: 2,
          escalations: 1,
          defaulted: true,
        }),
      },
    }),
  ];
}

export function scenarioCrm() {
  return crmOf([
    crmDeal('O1', {
      name: 'Orion rollout',
      amount: 100_000,
      stageId: 'closedwon',
      closedWon: true,
      registrationId: 'R1',
      partnerCompanyId: 'P1',
      partnerRelationship: 'sourced',
      croValue: 'Partner',
    }),
    crmDeal('O2', {
      name: 'Nimbus pilot',
      amount: 40_000,
      stageId: 'appointmentscheduled',
      closedWon: false,
      registrationId: 'R2',
      partnerCompanyId: 'P1',
      partnerRelationship: 'sourced',
    }),
    crmDeal('O3', {
      name: 'Kite expansion',
      amount: 50_000,
      stageId: 'closedwon',
      closedWon: true,
      registrationId: 'R3',
      partnerCompanyId: 'P2',
      partnerRelationship: 'influenced',
      croValue: 'Partner',
    }),
    crmDeal('O4', {
      name: 'Lynx renewal',
      amount: 20_000,
      stageId: 'closedwon',
      closedWon: true,
      partnerCompanyId: 'P3',
      partnerRelationship: 'sourced',
      croValue: 'Direct',
    }),
  ]);
}
