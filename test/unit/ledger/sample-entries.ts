import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { entryMacMessage } from '#domain/ledger/entry-mac.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { freezeMoney } from '#domain/money.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';

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

/**
 * One opportunity's chain as the ledger writer appends it: linked with `sealEntry` and carrying the
 * key's MAC over its place and hash. Pure: no store, the entries as they would be stored.
 */
export async function authenticatedChain(
  opportunityId: string,
  length: number,
  key: LedgerAuthenticator,
  options: { index?: number; recordedAt?: Date } = {},
): Promise<LedgerEntry[]> {
  const story = opportunityStory(opportunityId, options.index ?? 0).map(parseEntryInput);
  const entries: LedgerEntry[] = [];
  let head: ChainHead | undefined;
  for (let sequence = 0; sequence < length; sequence += 1) {
    const linked = sealEntry(
      story[sequence % story.length] as (typeof story)[number],
      head,
      options.recordedAt ?? new Date('2026-09-01T00:00:00Z'),
    );
    const entry: LedgerEntry = { ...linked, mac: await key.generateMac(entryMacMessage(linked)) };
    head = entry;
    entries.push(entry);
  }
  return entries;
}
