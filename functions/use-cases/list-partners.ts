import { type PartnerSummary, partnerSummaries } from '#domain/ledger/partner-summary.ts';
import type { AsOf } from '#domain/ledger/projection.ts';
import type { PartnerCompanyLookup } from '#ports/hubspot.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import { attributionsAsOf } from './ledger-queries.ts';

/**
 * The partners known to the ledger and/or the CRM as of a moment: the ledger's partners with
 * their approved registrations and active attributions, the CRM's partner companies, each named
 * by the CRM. Without a CRM (`companies` undefined) the ledger's partners are listed by id.
 */
export async function listPartners(
  deps: { readonly store: LedgerStore; readonly companies?: PartnerCompanyLookup | undefined },
  at: AsOf,
): Promise<PartnerSummary[]> {
  const [{ opportunities }, partners] = await Promise.all([
    attributionsAsOf(deps.store, at),
    deps.companies?.partnerCompanies() ?? Promise.resolve([]),
  ]);
  const listed = new Set(partners.map((company) => company.id));
  const unlisted = partnerSummaries(opportunities, partners)
    .filter((partner) => !listed.has(partner.partnerId))
    .map((partner) => partner.partnerId);
  const named = deps.companies === undefined ? [] : await deps.companies.companiesById(unlisted);
  return partnerSummaries(opportunities, partners, named);
}
