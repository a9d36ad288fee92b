import type { Company, PartnerCompanyLookup, PartnerDirectory } from '#ports/hubspot.ts';
import { companiesOfDomain, companyDomainFilters, companyProperties, toCompany } from './companies.ts';
import type { HubSpotConnection } from './connection.ts';
import { batchRead, searchAll } from './crm-requests.ts';

/** Partners as HubSpot keeps them: companies of type PARTNER, found by domain. */
export class HubSpotPartnerDirectory implements PartnerDirectory, PartnerCompanyLookup {
  readonly #connection: HubSpotConnection;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
  }

  /** The partner company HubSpot holds under the domain or its `www.` host, in any case. */
  async findPartnerByDomain(domain: string): Promise<Company | null> {
    const companies = await searchAll(this.#connection, 'companies', 'find partner by domain', {
      filters: companyDomainFilters(domain, [{ propertyName: 'type', operator: 'EQ', value: 'PARTNER' }]),
      properties: companyProperties,
    });
    return companiesOfDomain(domain, companies)[0] ?? null;
  }

  async partnerCompanies(): Promise<Company[]> {
    const companies = await searchAll(this.#connection, 'companies', 'list partner companies', {
      filters: [{ propertyName: 'type', operator: 'EQ', value: 'PARTNER' }],
      properties: companyProperties,
    });
    return companies.map(toCompany);
  }

  async companiesById(ids: readonly string[]): Promise<Company[]> {
    if (ids.length === 0) return [];
    const companies = await batchRead(
      this.#connection,
      'companies',
      'read companies',
      ids,
      companyProperties,
    );
    return companies.map(toCompany);
  }
}
