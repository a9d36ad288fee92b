import { bareHost, comparableDomain } from '#domain/normalise.ts';
import type { Company } from '#ports/hubspot.ts';
import { type CrmObject, propertyText, type SearchFilter, type SearchRequest } from './crm-requests.ts';

/** The company properties the directories read. */
export const companyProperties = ['name', 'domain', 'type'];

/** A CRM company as the ports' {@link Company}. */
export function toCompany(object: CrmObject): Company {
  return {
    id: object.id,
    name: propertyText(object.properties, 'name'),
    domain: propertyText(object.properties, 'domain'),
    type: propertyText(object.properties, 'type'),
  };
}

/**
 * Filters finding the companies of a domain however someone keyed it into HubSpot: the bare
 * domain or its `www.` host (any case; the CRM compares strings case-insensitively), each with
 * `also`. HubSpot "CRM search": filterGroups are ORed, so one search asks for both.
 */
export function companyDomainFilters(
  domain: string,
  also: readonly SearchFilter[] = [],
): SearchRequest['filters'] {
  const host = bareHost(domain);
  return {
    anyOf: [host, `www.${host}`].map((value) => [{ propertyName: 'domain', operator: 'EQ', value }, ...also]),
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
