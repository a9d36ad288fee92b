import { type Company, type CustomerCompanyDraft, type CustomerDirectory, crmNames } from '#ports/hubspot.ts';
import { companiesOfDomain, companyDomainFilters, companyProperties, toCompany } from './companies.ts';
import type { HubSpotConnection } from './connection.ts';
import { createUnique, findByUniqueProperty, searchAll } from './crm-requests.ts';

/** Customer companies in HubSpot: found by domain or by name, created for an approved registration. */
export class HubSpotCustomerDirectory implements CustomerDirectory {
  readonly #connection: HubSpotConnection;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
  }

  /** Companies HubSpot holds under the domain or its `www.` host, in any case. */
  async findCompaniesByDomain(domain: string): Promise<Company[]> {
    const companies = await searchAll(this.#connection, 'companies', 'find companies by domain', {
      filters: companyDomainFilters(domain),
      properties: companyProperties,
    });
    return companiesOfDomain(domain, companies);
  }

  /**
   * The customer's company: one Dealreg created before (read by its unique key, which, unlike
   * search, sees a company created a moment ago), else a customer company HubSpot has for the
   * domain, else a new one carrying the key, so a repeated create finds the first.
   */
  async findOrCreateCustomerCompany(
    customer: CustomerCompanyDraft,
  ): Promise<{ companyId: string; created: boolean }> {
    const key = customer.domain.toLowerCase();
    const findCreated = () =>
      findByUniqueProperty(this.#connection, 'companies', crmNames.company.customerKey, key);
    const created = await findCreated();
    if (created !== null) return { companyId: created.id, created: false };
    const existing = (await this.findCompaniesByDomain(customer.domain)).find(
      (company) => company.type?.toUpperCase() !== 'PARTNER',
    );
    if (existing !== undefined) return { companyId: existing.id, created: false };
    const properties: Record<string, string> = {
      name: customer.name,
      domain: key,
      [crmNames.company.customerKey]: key,
    };
    if (customer.country !== undefined) properties.country = customer.country;
    const made = await createUnique(
      this.#connection,
      'companies',
      'create customer company',
      properties,
      findCreated,
    );
    return { companyId: made.id, created: made.created };
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
