import { comparableDomain } from '#domain/normalise.ts';
import type { Company } from '#ports/hubspot.ts';
import { type CrmObject, propertyText, type SearchFilter, type SearchRequest } from './crm-requests.ts';

/**
 * The company properties the directories read. HubSpot "Companies" (CRM API guide): a company
 * with several domains holds the others in `hs_additional_domains`, separated by semicolons.
 * `industry`, `website`, `city`, `state`, `zip` and `country` are default company properties
 * ("Default company properties", HubSpot Knowledge Base), read for the customer's account in a
 * co-sell opportunity.
 */
export const companyProperties = [
  'name',
  'domain',
  'type',
  'hs_additional_domains',
  ...companyProfileProperties(),
];

function companyProfileProperties() {
  return ['industry', 'website', 'city', 'state', 'zip', 'country'] as const;
}

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
  const profile: Record<string, string> = {};
  for (const name of companyProfileProperties()) {
    const value = propertyText(object.properties, name);
    if (value !== null && value.trim() !== '') profile[name] = value;
  }
  return {
    id: object.id,
    name: propertyText(object.properties, 'name'),
    domain: propertyText(object.properties, 'domain'),
    type: propertyText(object.properties, 'type'),
    ...(additional.length === 0 ? {} : { additionalDomains: additional }),
    ...(Object.keys(profile).length === 0 ? {} : { profile }),
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
