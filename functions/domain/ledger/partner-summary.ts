import type { OpportunityState } from './projection.ts';

/** A partner company as the CRM has it (HubSpot companies of type PARTNER). */
export interface PartnerCompany {
  readonly id: string;
  readonly name: string | null;
  readonly domain: string | null;
}

/** One partner as the ledger and the CRM know it. */
export interface PartnerSummary {
  readonly partnerId: string;
  readonly name: string | null;
  readonly domain: string | null;
  /** Registrations of this partner approved on the ledger (expired ones included). */
  readonly registrationsApproved: number;
  /** Opportunities the partner is attributed to now (any relationship). */
  readonly activeAttributions: number;
  /** Whether the ledger has any entry naming the partner. */
  readonly inLedger: boolean;
  /** Whether the CRM has the company as a partner. */
  readonly inCrm: boolean;
}

/**
 * Every partner the ledger names (registrations, attributions, investments) or the CRM lists,
 * with its name and domain from the CRM where it has them, ordered by name then id. `companies`
 * are the CRM's partner companies; `named` are other companies the CRM described by id (a partner
 * the ledger names whose company type has since changed), used for names only.
 */
export function partnerSummaries(
  opportunities: readonly OpportunityState[],
  companies: readonly PartnerCompany[],
  named: readonly PartnerCompany[] = [],
): PartnerSummary[] {
  const counts = new Map<string, { registrations: Set<string>; active: Set<string> }>();
  const countsOf = (partnerId: string) => {
    let found = counts.get(partnerId);
    if (found === undefined) {
      found = { registrations: new Set(), active: new Set() };
      counts.set(partnerId, found);
    }
    return found;
  };
  for (const state of opportunities) {
    for (const registration of state.registrations) {
      countsOf(registration.partnerId).registrations.add(registration.registrationId);
    }
    for (const attribution of state.attributions) {
      const partner = countsOf(attribution.partnerId);
      if (attribution.active) partner.active.add(state.opportunityId);
    }
    for (const investment of state.investments) {
      if (investment.partnerId !== undefined) countsOf(investment.partnerId);
    }
  }
  const crm = new Map(companies.map((company) => [company.id, company]));
  const described = new Map(named.map((company) => [company.id, company]));
  const ids = new Set([...counts.keys(), ...crm.keys()]);
  return [...ids]
    .map((partnerId): PartnerSummary => {
      const company = crm.get(partnerId) ?? described.get(partnerId);
      const partner = counts.get(partnerId);
      return {
        partnerId,
        name: company?.name ?? null,
        domain: company?.domain ?? null,
        registrationsApproved: partner?.registrations.size ?? 0,
        activeAttributions: partner?.active.size ?? 0,
        inLedger: partner !== undefined,
        inCrm: crm.has(partnerId),
      };
    })
    .sort(
      (a, b) =>
        (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff', 'en') ||
        (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0),
    );
}
