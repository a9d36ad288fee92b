import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { type FrozenMoney, freezeMoney } from '#domain/money.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { computeQbrReport, type QbrReportInputs } from '#domain/qbr/compute-report.ts';
import type { CrmDeal, CrmDealsRead } from '#domain/qbr/crm-deal.ts';
import { type OpportunityFacts, opportunityFacts } from '#domain/qbr/opportunity-facts.ts';
import type { QbrRegistration } from '#domain/qbr/registration-view.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';

export const policy = loadPolicy({});
export const q4 = parseFiscalQuarter('2026-Q4');
export const asOf = '2026-12-15T00:00:00.000Z';

/** Whole US dollars as ledger money (USD at rate 1). */
export const usd = (dollars: number): FrozenMoney => freezeMoney(Math.round(dollars * 100), 'USD', '1');

type EntryBody = LedgerEntryInput extends infer T
  ? T extends LedgerEntryInput
    ? Omit<T, 'opportunityId' | 'recordedBy'> & { recordedBy?: string }
    : never
  : never;

/**
 * Seals entries into one chain as the ledger would: sequence, previous hash and hash. Each entry
 * is recorded at `recordedAt` (default: its business time).
 */
export function chain(
  opportunityId: string,
  bodies: readonly (EntryBody & { recordedAt?: string })[],
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const { recordedAt, ...body } of bodies) {
    const input = parseEntryInput({ recordedBy: 'workflow', ...body, opportunityId });
    entries.push(sealEntry(input, entries.at(-1), new Date(recordedAt ?? input.effectiveAt)));
  }
  return entries;
}

/** An approved registration with its partner attached, as the workflow records it. */
export function approval(options: {
  registrationId: string;
  partnerId: string;
  relationshipType: 'sourced' | 'influenced' | 'resell' | 'referral';
  at: string;
  campaignId?: string;
  cloudMarketplace?: 'aws' | 'azure' | 'gcp' | 'none';
  /** The co-sell decision the approval recorded (none: an approval from before it was kept). */
  coSell?: { share: boolean; reason: string };
}): EntryBody[] {
  const customer = { domain: `${options.registrationId}.example.com` };
  const campaign = options.campaignId === undefined ? {} : { campaignId: options.campaignId };
  return [
    {
      type: 'RegistrationApproved',
      effectiveAt: options.at,
      registrationId: options.registrationId,
      partnerId: options.partnerId,
      customer,
      relationshipType: options.relationshipType,
      decidedBy: 'approver@vendor.example',
      ...campaign,
      cloudMarketplace: options.cloudMarketplace,
      ...(options.coSell === undefined ? {} : { coSell: options.coSell }),
    },
    {
      type: 'PartnerAttached',
      effectiveAt: options.at,
      partnerId: options.partnerId,
      customer,
      relationshipType: options.relationshipType,
      registrationId: options.registrationId,
      ...campaign,
    },
  ];
}

export function created(
  at: string,
  dealName: string,
  amount: number,
  stage = 'appointmentscheduled',
): EntryBody {
  return {
    type: 'OpportunityCreated',
    effectiveAt: at,
    recordedBy: 'crm-events',
    customer: { domain: `${dealName.toLowerCase().replace(/\W+/g, '-')}.example.com` },
    dealName,
    stage,
    amount: usd(amount),
  };
}

export function won(at: string, amount: number): EntryBody[] {
  return [
    { type: 'StageChanged', effectiveAt: at, recordedBy: 'crm-events', stage: 'closedwon' },
    { type: 'ClosedWon', effectiveAt: at, recordedBy: 'crm-events', amount: usd(amount) },
  ];
}

export function investment(
  campaignId: string,
  investmentId: string,
  type: string,
  dollars: number,
  at: string,
): LedgerEntry[] {
  return chain(`campaign:${campaignId}`, [
    {
      type: 'InvestmentRecorded',
      effectiveAt: at,
      investmentId,
      investmentType: type,
      campaignId,
      amount: usd(dollars),
    },
  ]);
}

const decidedBy = { email: 'channel-manager@example.com', name: 'Channel Manager' };

/** A registration record as the table holds it, with the workflow's progress. */
export function record(options: {
  registrationId: string;
  /** The time its submission claimed; also when Dealreg received it, unless `receivedAt` says otherwise. */
  submittedAt: string;
  receivedAt?: string;
  partnerId?: string;
  partnerName?: string;
  campaignId?: string;
  cloudMarketplace?: string;
  country?: string;
  invalid?: boolean;
  progress?: Omit<RegistrationProgress, 'updatedAt' | 'partnerId' | 'partnerName'>;
}): QbrRegistration {
  return {
    registrationId: options.registrationId,
    submittedAt: options.submittedAt,
    ...(options.receivedAt === undefined ? {} : { receivedAt: options.receivedAt }),
    status: options.invalid ? 'rejected' : 'received',
    details: options.invalid
      ? undefined
      : {
          partnerDomain: `${options.partnerId ?? 'partner'}.example`,
          customerCompanyName: `Customer of ${options.registrationId}`,
          customerCountry: options.country,
          campaignId: options.campaignId,
          cloudMarketplace: options.cloudMarketplace ?? 'none',
        },
    progress:
      options.progress === undefined
        ? undefined
        : {
            ...options.progress,
            partnerId: options.partnerId,
            partnerName: options.partnerName,
            updatedAt: options.submittedAt,
          },
  };
}

export function decision(
  outcome: 'approve' | 'reject',
  decidedAt: string,
  extra: Partial<NonNullable<RegistrationProgress['decision']>> = {},
): NonNullable<RegistrationProgress['decision']> {
  return {
    outcome,
    reason: outcome === 'approve' ? 'clean registration' : 'not eligible',
    decidedBy,
    decidedAt,
    channel: 'page',
    policyVersion: policy.policyVersion,
    exception: false,
    relationshipType: outcome === 'approve' ? 'sourced' : undefined,
    ...extra,
  };
}

export function sla(
  requestedAt: string,
  deadline: string,
  extra: Partial<NonNullable<RegistrationProgress['sla']>> = {},
): NonNullable<RegistrationProgress['sla']> {
  return { requestedAt, deadline, reminders: 0, escalations: 0, defaulted: false, pausedHours: 0, ...extra };
}

export function crmDeal(id: string, overrides: Partial<CrmDeal> = {}): CrmDeal {
  return {
    id,
    name: null,
    amount: null,
    currency: 'USD',
    stageId: null,
    closedWon: null,
    registrationId: null,
    partnerCompanyId: null,
    partnerRelationship: null,
    croValue: null,
    ...overrides,
  };
}

export function crmOf(deals: readonly CrmDeal[], missing: readonly string[] = []): CrmDealsRead {
  return { deals: new Map(deals.map((deal) => [deal.id, deal])), missing: new Set(missing) };
}

export function factsOf(chains: readonly LedgerEntry[][], at = asOf, knownAt = at): OpportunityFacts[] {
  return chains
    .map((entries) => opportunityFacts(entries[0]?.opportunityId ?? '', entries, { asOf: at, knownAt }))
    .filter((facts) => facts.entries > 0)
    .sort((a, b) => (a.opportunityId < b.opportunityId ? -1 : 1));
}

/** Computes a report with everything not given left empty. */
export function report(inputs: Partial<QbrReportInputs> & { chains?: LedgerEntry[][] }) {
  const { chains = [], ...rest } = inputs;
  return computeQbrReport({
    quarter: q4,
    asOf,
    generatedAt: '2026-12-15T00:00:01.000Z',
    policy: policy.policy,
    policyVersion: policy.policyVersion,
    facts: factsOf(chains, rest.asOf ?? asOf),
    registrations: [],
    crm: undefined,
    integrity: {
      chains: chains.length,
      chainsNotInLedger: 0,
      entries: chains.flat().filter((entry) => entry.recordedAt <= (rest.asOf ?? asOf)).length,
      broken: [],
    },
    retroactive: [],
    orphanAfterDays: 30,
    ...rest,
  });
}
