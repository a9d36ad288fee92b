import type { Company, CustomerCompanyDraft, CustomerDirectory } from '#ports/hubspot.ts';
import { companyProperties, toCompany } from './companies.ts';
import type { HubSpotConnection } from './connection.ts';
import { searchAll } from './crm-requests.ts';

/** Customer companies in HubSpot: found by domain or by name, created for an approved registration. */
export class HubSpotCustomerDirectory implements CustomerDirectory {
  readonly #connection: HubSpotConnection;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
  }

  async findCompaniesByDomain(domain: string): Promise<Company[]> {
    const companies = await searchAll(this.#connection, 'companies', 'find companies by domain', {
      filters: [{ propertyName: 'domain', operator: 'EQ', value: domain.toLowerCase() }],
      properties: companyProperties,
    });
    return companies.map(toCompany);
  }

  async findOrCreateCustomerCompany(
    customer: CustomerCompanyDraft,
  ): Promise<{ companyId: string; created: boolean }> {
    const existing = (await this.findCompaniesByDomain(customer.domain)).find(
      (company) => company.type?.toUpperCase() !== 'PARTNER',
    );
    if (existing !== undefined) return { companyId: existing.id, created: false };
    const properties: Record<string, string> = { name: customer.name, domain: customer.domain.toLowerCase() };
    if (customer.country !== undefined) properties.country = customer.country;
    const { client, gateway } = this.#connection;
    const made = await gateway.call('create customer company', () =>
      client.crm.companies.basicApi.create({ properties, associations: [] }),
    );
    return { companyId: made.id, created: true };
  }

  async findCompaniesByName(name: string): Promise<Company[]> {
    // The CRM matches whole tokens; the longest word of the name is the most selective one.
    const token = name
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length > 0)
      .sort((a, b) => b.length - a.length)[0];
    if (token === undefined) return [];
    const companies = await searchAll(this.#connection, 'companies', 'find companies by name', {
      filters: [{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: token }],
      properties: companyProperties,
    });
    return companies.map(toCompany);
  }
}
