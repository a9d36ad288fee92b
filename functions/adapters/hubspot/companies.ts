import { comparableDomain } from '#domain/normalise.ts';
import type { Company } from '#ports/hubspot.ts';
import { type CrmObject, propertyText, type SearchFilter, type SearchRequest } from './crm-requests.ts';

/**
 * The company properties the directories read. HubSpot "Companies" (CRM API guide): a company
 * with several domains holds the others in `hs_additional_domains`, separated by semicolons.
 */
export const companyProperties = ['name', 'domain', 'type', 'hs_additional_domains'];

/** The domains of `hs_additional_domains` ("a.com; b.com"), trimmed, without empty ones. */
function additionalDomains(text: string | null): string[] {
  if (text === null) return [];
  return text
    .split(';')
    .map((domain) => domain.trim())
    .filter((domain) => domain !== '');
}

/** A CRM company as the ports' {@link Company}. */
export function toCompany(object: CrmObject): Company {
  const additional = additionalDomains(propertyText(object.properties, 'hs_additional_domains'));
  return {
    id: object.id,
    name: propertyText(object.properties, 'name'),
    domain: propertyText(object.properties, 'domain'),
    type: propertyText(object.properties, 'type'),
    ...(additional.length === 0 ? {} : { additionalDomains: additional }),
  };
}

/**
 * Filters finding the companies of a domain however someone keyed it into HubSpot: the domain
 * compared by (`comparableDomain`: `us.globex.com` → `globex.com`) or any host under it (`www.`,
 * `us.`), in any case, each with `also`. HubSpot "Search" (CRM API guide, "Filter search
 * results"): filterGroups are ORed; EQ compares the whole value, case-insensitively, and
 * CONTAINS_TOKEN takes a value with a leading `*` wildcard, as in its example `*@hubspot.com`,
 * so `*.globex.com` finds every host of the domain.
 */
export function companyDomainFilters(
  domain: string,
  also: readonly SearchFilter[] = [],
): SearchRequest['filters'] {
  const compared = comparableDomain(domain);
  return {
    anyOf: [
      [{ propertyName: 'domain', operator: 'EQ', value: compared }, ...also],
      [{ propertyName: 'domain', operator: 'CONTAINS_TOKEN', value: `*.${compared}` }, ...also],
    ],
  };
}

/**
 * The companies found by {@link companyDomainFilters} that are of `domain` (compared by
 * registrable domain), those keyed as the domain itself first.
 */
export function companiesOfDomain(domain: string, found: readonly CrmObject[]): Company[] {
  const wanted = comparableDomain(domain);
  const exact = domain.trim().toLowerCase();
  const companies = found
    .map(toCompany)
    .filter((company) => company.domain !== null && comparableDomain(company.domain) === wanted);
  const isExact = (company: Company) => company.domain?.trim().toLowerCase() === exact;
  return [...companies.filter(isExact), ...companies.filter((company) => !isExact(company))];
}
