import type { Company, PartnerCompanyLookup, PartnerDirectory } from '#ports/hubspot.ts';
import { companyProperties, toCompany } from './companies.ts';
import type { HubSpotConnection } from './connection.ts';
import { batchRead, searchAll } from './crm-requests.ts';

/** Partners as HubSpot keeps them: companies of type PARTNER, found by domain. */
export class HubSpotPartnerDirectory implements PartnerDirectory, PartnerCompanyLookup {
  readonly #connection: HubSpotConnection;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
  }

  async findPartnerByDomain(domain: string): Promise<Company | null> {
    const companies = await searchAll(this.#connection, 'companies', 'find partner by domain', {
      filters: [
        { propertyName: 'domain', operator: 'EQ', value: domain.toLowerCase() },
        { propertyName: 'type', operator: 'EQ', value: 'PARTNER' },
      ],
      properties: companyProperties,
    });
    const first = companies[0];
    return first === undefined ? null : toCompany(first);
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
