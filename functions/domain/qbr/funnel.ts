import { defaultFormFieldMapping, type RegistrationFieldName } from '#domain/form-field-mapping.ts';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { LedgerRegistration, OpportunityFacts } from './opportunity-facts.ts';
import { type QbrRegistration, reportedAt, submittedField } from './registration-view.ts';
import type { Conversion, Funnel, FunnelRow } from './report.ts';

/**
 * The funnel campaign → registration submitted → approved → opportunity → closed-won, as a
 * cohort: the registrations Dealreg received in the quarter (up to asOf), followed to where they
 * stand at asOf. Received, not claimed: a submission's stated time cannot move it to another
 * quarter. Conversions are therefore between 0 and 1 and every stage is a subset of the one
 * before. Registrations the ledger knows but the registrations table does not (imported ones)
 * count from their approval.
 */

/** One registration of the cohort, with what it reached by asOf. */
interface FunnelRegistration {
  readonly registrationId: string;
  /** When Dealreg received it (approval time for a registration only the ledger knows). */
  readonly receivedAt: string;
  readonly partnerKey: string;
  readonly partnerLabel: string;
  readonly campaignId: string | undefined;
  readonly cloudMarketplace: string | undefined;
  readonly region: string | undefined;
  readonly state: 'pending' | 'approved' | 'rejected';
  /** The opportunity it created or linked, when that opportunity is in effect at asOf. */
  readonly opportunityId: string | undefined;
  readonly closedWon: boolean;
  readonly closedWonUsdMinor: number;
}

interface FunnelContext {
  readonly quarter: FiscalQuarter;
  readonly asOf: string;
  /** Region → countries (policy `regions`). */
  readonly regions: Readonly<Record<string, readonly string[]>>;
  /** Which form field feeds which registration field (policy `formFieldMapping`). */
  readonly formFieldMapping?: Readonly<Record<RegistrationFieldName, string>>;
}

const marketplaceLabels: Readonly<Record<string, string>> = {
  aws: 'AWS Marketplace',
  azure: 'Azure Marketplace',
  gcp: 'Google Cloud Marketplace',
  none: 'No marketplace',
};

/** Rounds a ratio to 4 decimals so the report is byte-stable; `null` for a zero denominator. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

/** USD cents to dollars with cents as decimals. */
export function dollars(usdMinor: number): number {
  return Math.round(usdMinor) / 100;
}

/** Every registration approved on a ledger chain at asOf, by id, with its opportunity. */
function ledgerRegistrations(
  facts: Iterable<OpportunityFacts>,
): Map<string, { registration: LedgerRegistration; opportunity: OpportunityFacts }> {
  const found = new Map<string, { registration: LedgerRegistration; opportunity: OpportunityFacts }>();
  for (const opportunity of facts) {
    if (opportunity.campaignChain) continue;
    for (const registration of opportunity.registrations) {
      const known = found.get(registration.registrationId);
      if (known === undefined || opportunity.opportunityId < known.opportunity.opportunityId)
        found.set(registration.registrationId, { registration, opportunity });
    }
  }
  return found;
}

/** What the form of a submission intake refused (and stored without details) says it is about. */
function refusedDetails(
  record: QbrRegistration,
  mapping: Readonly<Record<RegistrationFieldName, string>>,
): QbrRegistration['details'] {
  const partnerDomain = submittedField(record, 'partnerDomain', mapping)?.toLowerCase();
  if (partnerDomain === undefined) return undefined;
  const campaignId = submittedField(record, 'campaignId', mapping);
  const customerCountry = submittedField(record, 'customerCountry', mapping);
  return {
    partnerDomain,
    ...(campaignId === undefined ? {} : { campaignId }),
    ...(customerCountry === undefined ? {} : { customerCountry }),
  };
}

/** The cohort of registrations received in the quarter, each followed to asOf. */
export function funnelRegistrations(
  records: readonly QbrRegistration[],
  facts: readonly OpportunityFacts[],
  context: FunnelContext,
): FunnelRegistration[] {
  const { quarter, asOf } = context;
  // Only registrations the ledger does not link need the lookup by id: built on first use.
  let byOpportunity: Map<string, OpportunityFacts> | undefined;
  const opportunityOf = (opportunityId: string | undefined) => {
    if (opportunityId === undefined) return undefined;
    byOpportunity ??= new Map(facts.map((item) => [item.opportunityId, item]));
    return byOpportunity.get(opportunityId);
  };
  const onLedger = ledgerRegistrations(facts);
  const regionOf = new Map<string, string>();
  for (const [region, countries] of Object.entries(context.regions))
    for (const country of countries) regionOf.set(country.toUpperCase(), region);
  const partnerNames = new Map<string, string>();
  // A submission intake refused has no partner id: its partner is found by the domain it gave.
  const partnerByDomain = new Map<string, string>();
  for (const record of records) {
    const progress = record.progress;
    if (progress?.partnerId !== undefined && progress.partnerName !== undefined)
      partnerNames.set(progress.partnerId, progress.partnerName);
    if (progress?.partnerId !== undefined && record.details !== undefined)
      partnerByDomain.set(record.details.partnerDomain.toLowerCase(), progress.partnerId);
  }
  const mapping = context.formFieldMapping ?? defaultFormFieldMapping;
  const inQuarter = (at: string) => at >= quarter.start && at < quarter.end && at <= asOf;
  const reached = (opportunity: OpportunityFacts | undefined) => {
    if (opportunity === undefined || !opportunity.created)
      return { opportunityId: undefined, closedWon: false, closedWonUsdMinor: 0 };
    const won = opportunity.outcome === 'won';
    return {
      opportunityId: opportunity.opportunityId,
      closedWon: won,
      closedWonUsdMinor: won ? (opportunity.amount?.usdMinor ?? 0) : 0,
    };
  };

  const cohort: FunnelRegistration[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    seen.add(record.registrationId);
    const receivedAt = reportedAt(record);
    if (!inQuarter(receivedAt)) continue;
    const { progress } = record;
    const details = record.details ?? refusedDetails(record, mapping);
    const ledger = onLedger.get(record.registrationId);
    const decision = progress?.decision;
    let state: FunnelRegistration['state'] = 'pending';
    if (record.status === 'rejected') state = 'rejected';
    else if (decision !== undefined && new Date(decision.decidedAt).toISOString() <= asOf)
      state = decision.outcome === 'approve' ? 'approved' : 'rejected';
    else if (ledger !== undefined) state = 'approved';
    const partnerKey =
      progress?.partnerId ??
      ledger?.registration.partnerId ??
      (details === undefined ? undefined : partnerByDomain.get(details.partnerDomain.toLowerCase())) ??
      details?.partnerDomain ??
      'unknown';
    const country = details?.customerCountry?.toUpperCase();
    cohort.push({
      registrationId: record.registrationId,
      receivedAt,
      partnerKey,
      partnerLabel:
        progress?.partnerName ?? partnerNames.get(partnerKey) ?? details?.partnerDomain ?? partnerKey,
      campaignId: details?.campaignId ?? ledger?.registration.campaignId,
      cloudMarketplace: details?.cloudMarketplace ?? ledger?.registration.cloudMarketplace,
      region: country === undefined ? undefined : regionOf.get(country),
      state,
      ...(state === 'approved'
        ? reached(ledger?.opportunity ?? opportunityOf(progress?.dealId))
        : { opportunityId: undefined, closedWon: false, closedWonUsdMinor: 0 }),
    });
  }
  for (const [registrationId, { registration, opportunity }] of onLedger) {
    if (seen.has(registrationId) || registration.approvedAt === undefined) continue;
    if (!inQuarter(registration.approvedAt)) continue;
    cohort.push({
      registrationId,
      receivedAt: registration.approvedAt,
      partnerKey: registration.partnerId,
      partnerLabel: partnerNames.get(registration.partnerId) ?? registration.partnerId,
      campaignId: registration.campaignId,
      cloudMarketplace: registration.cloudMarketplace,
      region: undefined,
      state: 'approved',
      ...reached(opportunity),
    });
  }
  return cohort.sort((a, b) => (a.registrationId < b.registrationId ? -1 : 1));
}

interface Tally {
  submitted: number;
  approved: number;
  rejected: number;
  opportunities: number;
  closedWon: number;
  closedWonUsdMinor: number;
}

const sharedByCohort = new WeakMap<readonly FunnelRegistration[], ReadonlySet<string>>();

/** The opportunities more than one registration of the cohort leads to (rare), found once per cohort. */
function sharedOpportunities(cohort: readonly FunnelRegistration[]): ReadonlySet<string> {
  const known = sharedByCohort.get(cohort);
  if (known !== undefined) return known;
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const registration of cohort) {
    const id = registration.opportunityId;
    if (id === undefined) continue;
    if (seen.has(id)) shared.add(id);
    else seen.add(id);
  }
  sharedByCohort.set(cohort, shared);
  return shared;
}

/**
 * Counts one group of the cohort; an opportunity two registrations share counts once. Only the
 * shared ones go through a set, so the totals and the four breakdowns stay cheap on large cohorts.
 */
function tally(registrations: readonly FunnelRegistration[], shared: ReadonlySet<string>): Tally {
  const result: Tally = {
    submitted: 0,
    approved: 0,
    rejected: 0,
    opportunities: 0,
    closedWon: 0,
    closedWonUsdMinor: 0,
  };
  let counted: Set<string> | undefined;
  for (const registration of registrations) {
    result.submitted += 1;
    if (registration.state === 'approved') result.approved += 1;
    if (registration.state === 'rejected') result.rejected += 1;
    const id = registration.opportunityId;
    if (id === undefined) continue;
    if (shared.size > 0 && shared.has(id)) {
      counted ??= new Set();
      if (counted.has(id)) continue;
      counted.add(id);
    }
    result.opportunities += 1;
    if (registration.closedWon) {
      result.closedWon += 1;
      result.closedWonUsdMinor += registration.closedWonUsdMinor;
    }
  }
  return result;
}

function conversion(counts: Tally): Conversion {
  return {
    submittedToApproved: ratio(counts.approved, counts.submitted),
    approvedToOpportunity: ratio(counts.opportunities, counts.approved),
    opportunityToClosedWon: ratio(counts.closedWon, counts.opportunities),
  };
}

/** The funnel totals; an opportunity two registrations share counts once. */
export function funnelTotals(registrations: readonly FunnelRegistration[]): Funnel {
  const counts = tally(registrations, sharedOpportunities(registrations));
  return {
    submitted: counts.submitted,
    approved: counts.approved,
    rejected: counts.rejected,
    opportunities: counts.opportunities,
    closedWon: counts.closedWon,
    closedWonAmount: dollars(counts.closedWonUsdMinor),
    conversion: conversion(counts),
  };
}

type FunnelDimension = 'campaign' | 'partner' | 'cloudMarketplace' | 'region';

function keyAndLabel(registration: FunnelRegistration, dimension: FunnelDimension): [string, string] {
  switch (dimension) {
    case 'campaign':
      return registration.campaignId === undefined
        ? ['none', 'No campaign']
        : [registration.campaignId, registration.campaignId];
    case 'partner':
      return [registration.partnerKey, registration.partnerLabel];
    case 'cloudMarketplace': {
      const key = registration.cloudMarketplace ?? 'unknown';
      return [key, marketplaceLabels[key] ?? 'Not stated'];
    }
    case 'region':
      return registration.region === undefined
        ? ['unassigned', 'No region']
        : [registration.region, registration.region];
  }
}

/** The funnel broken down by one dimension; rows by closed-won amount, then submissions, then key. */
export function funnelRows(
  registrations: readonly FunnelRegistration[],
  dimension: FunnelDimension,
): FunnelRow[] {
  const groups = new Map<string, { label: string; members: FunnelRegistration[] }>();
  for (const registration of registrations) {
    const [key, label] = keyAndLabel(registration, dimension);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { label, members: [registration] });
    else group.members.push(registration);
  }
  const shared = sharedOpportunities(registrations);
  const rows = [...groups.entries()].map(([key, { label, members }]) => {
    const counts = tally(members, shared);
    return {
      key,
      label,
      submitted: counts.submitted,
      approved: counts.approved,
      opportunities: counts.opportunities,
      closedWon: counts.closedWon,
      closedWonAmount: dollars(counts.closedWonUsdMinor),
      conversion: conversion(counts),
    };
  });
  return rows.sort(
    (a, b) => b.closedWonAmount - a.closedWonAmount || b.submitted - a.submitted || (a.key < b.key ? -1 : 1),
  );
}
