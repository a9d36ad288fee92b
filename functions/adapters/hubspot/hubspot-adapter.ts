import type { RelationshipType } from '#domain/relationship-type.ts';
import type {
  Company,
  CustomerCompanyDraft,
  Deal,
  DealDraft,
  DealRegistrationRecord,
  DealSearch,
  DealWithOwner,
  EngagementWithOwner,
  HubSpotPort,
  PartnerDealAssociation,
  Pipeline,
  SubmissionPage,
  TimeWindow,
} from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { HubSpotCustomerDirectory } from './customer-directory.ts';
import { HubSpotDealDirectory } from './deal-directory.ts';
import { HubSpotDealWriter } from './deal-writer.ts';
import { HubSpotEngagementHistory } from './engagement-history.ts';
import { HubSpotFormSubmissions, type HubSpotFormSubmissionsOptions } from './form-submissions.ts';
import { HubSpotOwnerDirectory } from './owner-directory.ts';
import { HubSpotPartnerDirectory } from './partner-directory.ts';
import { HubSpotRegistrationRecords } from './registration-records.ts';

type HubSpotAdapterOptions = HubSpotFormSubmissionsOptions;

/**
 * Every CRM port over one connection, for the wiring that wants them all: each call goes to the
 * adapter of its port (partner-directory.ts, customer-directory.ts, deal-directory.ts,
 * engagement-history.ts, registration-records.ts, deal-writer.ts, form-submissions.ts). Every
 * request passes the connection's gateway; writes are keyed by registration id, so a retried or
 * repeated call never creates a second object.
 */
export class HubSpotAdapter implements HubSpotPort {
  readonly #partners: HubSpotPartnerDirectory;
  readonly #customers: HubSpotCustomerDirectory;
  readonly #deals: HubSpotDealDirectory;
  readonly #engagements: HubSpotEngagementHistory;
  readonly #records: HubSpotRegistrationRecords;
  readonly #dealWriter: HubSpotDealWriter;
  readonly #forms: HubSpotFormSubmissions;

  constructor(connection: HubSpotConnection, options: HubSpotAdapterOptions) {
    this.#partners = new HubSpotPartnerDirectory(connection);
    this.#customers = new HubSpotCustomerDirectory(connection);
    const owners = new HubSpotOwnerDirectory(connection);
    this.#deals = new HubSpotDealDirectory(connection, owners);
    this.#engagements = new HubSpotEngagementHistory(connection, owners);
    this.#records = new HubSpotRegistrationRecords(connection);
    this.#dealWriter = new HubSpotDealWriter(connection);
    this.#forms = new HubSpotFormSubmissions(connection, options);
  }

  findPartnerByDomain(domain: string): Promise<Company | null> {
    return this.#partners.findPartnerByDomain(domain);
  }

  companiesById(ids: readonly string[]): Promise<Company[]> {
    return this.#partners.companiesById(ids);
  }

  findCompaniesByDomain(domain: string): Promise<Company[]> {
    return this.#customers.findCompaniesByDomain(domain);
  }

  findOrCreateCustomerCompany(
    customer: CustomerCompanyDraft,
  ): Promise<{ companyId: string; created: boolean }> {
    return this.#customers.findOrCreateCustomerCompany(customer);
  }

  findCompaniesByName(name: string): Promise<Company[]> {
    return this.#customers.findCompaniesByName(name);
  }

  openDealsOfCompany(companyId: string): Promise<DealWithOwner[]> {
    return this.#deals.openDealsOfCompany(companyId);
  }

  closedWonDealsOfCompany(companyId: string): Promise<Deal[]> {
    return this.#deals.closedWonDealsOfCompany(companyId);
  }

  batchReadDeals(
    ids: readonly string[],
    properties?: readonly string[],
  ): Promise<{ deals: Deal[]; missing: string[] }> {
    return this.#deals.batchReadDeals(ids, properties);
  }

  partnerAssociationsOfDeals(ids: readonly string[]): Promise<ReadonlyMap<string, PartnerDealAssociation[]>> {
    return this.#deals.partnerAssociationsOfDeals(ids);
  }

  searchDeals(search: DealSearch): AsyncIterable<Deal> {
    return this.#deals.searchDeals(search);
  }

  pipelines(options: { readonly fresh?: boolean } = {}): Promise<Pipeline[]> {
    return this.#deals.pipelines(options);
  }

  engagementsWithCompany(
    companyId: string,
    window: TimeWindow,
    ownerIds?: readonly string[],
  ): Promise<EngagementWithOwner[]> {
    return this.#engagements.engagementsWithCompany(companyId, window, ownerIds);
  }

  upsertRegistrationRecord(record: DealRegistrationRecord): Promise<{ recordId: string; created: boolean }> {
    return this.#records.upsertRegistrationRecord(record);
  }

  createOrLinkDeal(draft: DealDraft, existingDealId?: string): Promise<{ dealId: string; created: boolean }> {
    return this.#dealWriter.createOrLinkDeal(draft, existingDealId);
  }

  dealCurrencies(): Promise<ReadonlySet<string> | undefined> {
    return this.#dealWriter.dealCurrencies();
  }

  associatePartner(partnerCompanyId: string, dealId: string, relationship: RelationshipType): Promise<void> {
    return this.#dealWriter.associatePartner(partnerCompanyId, dealId, relationship);
  }

  listFormSubmissions(
    formGuid: string,
    page?: { after?: string | undefined; limit?: number | undefined },
  ): Promise<SubmissionPage> {
    return this.#forms.listFormSubmissions(formGuid, page);
  }
}
