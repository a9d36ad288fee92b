import type { LedgerEntryInput } from '#domain/ledger/entry.ts';
import { freezeMoney } from '#domain/money.ts';

/** Realistic inputs for one opportunity's life, used by ledger tests and benchmarks. */
export function opportunityStory(opportunityId: string, index = 0): LedgerEntryInput[] {
  const partnerId = `partner-${index % 7}`;
  const customer = { domain: `customer-${index}.example.com`, name: `Customer ${index}` };
  return [
    {
      type: 'RegistrationApproved',
      opportunityId,
      effectiveAt: '2026-07-01T09:00:00Z',
      recordedBy: 'workflow',
      registrationId: `reg-${index}`,
      partnerId,
      customer,
      relationshipType: 'sourced',
      campaignId: `campaign-${index % 3}`,
      cloudMarketplace: 'aws',
      estimatedAmount: freezeMoney(5_000_000 + index, 'EUR', '1.0842'),
      decidedBy: 'approver@vendor.example',
    },
    {
      type: 'PartnerAttached',
      opportunityId,
      effectiveAt: '2026-07-01T09:00:00Z',
      recordedBy: 'workflow',
      partnerId,
      customer,
      relationshipType: 'sourced',
      registrationId: `reg-${index}`,
      campaignId: `campaign-${index % 3}`,
    },
    {
      type: 'OpportunityCreated',
      opportunityId,
      effectiveAt: '2026-07-02T10:00:00Z',
      recordedBy: 'crm-events',
      customer,
      dealName: `Deal ${index}`,
      stage: 'appointmentscheduled',
      amount: freezeMoney(5_000_000 + index, 'EUR', '1.0842'),
    },
    {
      type: 'StageChanged',
      opportunityId,
      effectiveAt: '2026-08-15T10:00:00Z',
      recordedBy: 'crm-events',
      stage: 'contractsent',
      previousStage: 'appointmentscheduled',
    },
    {
      type: 'AmountChanged',
      opportunityId,
      effectiveAt: '2026-09-01T10:00:00Z',
      recordedBy: 'crm-events',
      amount: freezeMoney(6_000_000 + index, 'EUR', '1.0901'),
    },
  ];
}
