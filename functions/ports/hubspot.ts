/**
 * Ports onto the CRM (HubSpot), in the words of deal registration. The domain and the use cases
 * depend on these small interfaces only; `functions/adapters/hubspot/` implements all of them
 * over `@hubspot/api-client`. Ids are HubSpot's string ids; instants are epoch milliseconds.
 */
import type { FormSubmission } from '#domain/form-submission.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';

export type { FormSubmission };

export interface Company {
  readonly id: string;
  readonly name: string | null;
  /** The company's primary domain as stored in the CRM (not normalised). */
  readonly domain: string | null;
  /** The CRM company type, e.g. `PARTNER`, `PROSPECT`, `CUSTOMER`. */
  readonly type: string | null;
  /** The company's other domains as stored in the CRM (not normalised); absent when it has none. */
  readonly additionalDomains?: readonly string[];
  /**
   * The company's profile as HubSpot holds it, the properties that are set among `industry`,
   * `website`, `city`, `state`, `zip` and `country`; absent when none is.
   */
  readonly profile?: Readonly<
    Partial<Record<'industry' | 'website' | 'city' | 'state' | 'zip' | 'country', string>>
  >;
}

export interface Owner {
  readonly id: string;
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
}

export interface Deal {
  readonly id: string;
  readonly name: string | null;
  /** As the CRM stores it: a decimal in the deal currency, or null when unset. */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly pipelineId: string | null;
  readonly stageId: string | null;
  readonly ownerId: string | null;
  readonly closeDate: string | null;
  readonly createdAt: string | null;
  /** The registration that created or claimed this deal, when Dealreg did. */
  readonly registrationId: string | null;
  readonly partnerCompanyId: string | null;
  readonly partnerRelationship: string | null;
  /** Every property read, raw, for reconciliation. */
  readonly properties: Readonly<Record<string, string | null>>;
}

export interface DealWithOwner extends Deal {
  readonly owner: Owner | null;
}

export const engagementTypes = ['calls', 'emails', 'meetings', 'notes', 'tasks'] as const;
export type EngagementType = (typeof engagementTypes)[number];

export interface Engagement {
  readonly id: string;
  readonly type: EngagementType;
  /** When it happened (the engagement's `hs_timestamp`), epoch ms. */
  readonly occurredAt: number;
  readonly ownerId: string | null;
}

export interface EngagementWithOwner extends Engagement {
  /** Who owns it (its `hubspot_owner_id`), null when unowned or HubSpot has no such owner. */
  readonly owner: Owner | null;
}

/** A time window, inclusive of `from`, exclusive of `to` (epoch ms). */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

export interface PipelineStage {
  readonly id: string;
  readonly label: string;
  readonly displayOrder: number;
  readonly isClosed: boolean;
  /** Win probability 0..1 as configured; 1 with `isClosed` means closed-won. */
  readonly probability: number | null;
}

export interface Pipeline {
  readonly id: string;
  readonly label: string;
  readonly stages: readonly PipelineStage[];
}

/**
 * A submission as the Forms API lists it: its time (epoch ms, whatever the submitter claimed) is
 * always a number, and the listing is ordered by it.
 */
export type ListedSubmission = Omit<FormSubmission, 'submittedAt'> & { readonly submittedAt: number };

export interface SubmissionPage {
  /** Newest first, by `submittedAt`. */
  readonly submissions: readonly ListedSubmission[];
  /** Cursor of the next (older) page; absent on the last page. */
  readonly after?: string | undefined;
}

/**
 * A record of HubSpot's Deal Registration custom object (`crmNames.registrationObject`): what the
 * CRM shows of a decided registration. Not the registration Dealreg stores (`StoredRegistration`).
 */
export interface DealRegistrationRecord {
  readonly registrationId: string;
  readonly name: string;
  readonly status: 'submitted' | 'approved' | 'rejected' | 'expired';
  readonly relationship?: RelationshipType;
  readonly partnerDomain?: string;
  readonly customerDomain?: string;
  readonly customerCompanyName?: string;
  readonly estimatedAmount?: number;
  readonly currency?: string;
  /** YYYY-MM-DD. */
  readonly expectedCloseDate?: string;
  readonly campaignId?: string | undefined;
  readonly cloudMarketplace?: string;
  readonly policyVersion?: string;
  /** YYYY-MM-DD. */
  readonly expiresOn?: string;
  /** Companies, contacts and deals the record is associated with. */
  readonly partnerCompanyId?: string;
  readonly customerCompanyId?: string;
  readonly submitterContactId?: string;
  readonly dealId?: string;
}

export interface DealDraft {
  readonly registrationId: string;
  readonly name: string;
  readonly amount?: number;
  readonly currency?: string;
  /** YYYY-MM-DD. */
  readonly closeDate?: string;
  readonly pipelineId?: string;
  readonly stageId?: string;
  readonly ownerId?: string;
  readonly customerCompanyId?: string;
}

export interface DealSearch extends TimeWindow {
  readonly partnerCompanyId?: string;
  readonly relationship?: RelationshipType;
  /** The date property the window applies to. @default 'createdate' */
  readonly dateProperty?: 'createdate' | 'closedate' | 'hs_lastmodifieddate';
}

/** Partners are CRM companies of type PARTNER. */
export interface PartnerDirectory {
  /** The partner company whose domain is `domain` and whose type is PARTNER, or null. */
  findPartnerByDomain(domain: string): Promise<Company | null>;
}

/** Partner companies listed, and companies described by id, for what names partners to people. */
export interface PartnerCompanyLookup {
  /** Every company of type PARTNER. */
  partnerCompanies(): Promise<Company[]>;
  /** The companies with these ids (any type); ids the CRM does not have are left out. */
  companiesById(ids: readonly string[]): Promise<Company[]>;
}

/** The customer an approved registration is for, as the CRM company the deal belongs to. */
export interface CustomerCompanyDraft {
  /** Normalised domain; the company is found by it. */
  readonly domain: string;
  readonly name: string;
  /** ISO 3166 country code, when the partner gave one. */
  readonly country?: string | undefined;
}

export interface CustomerDirectory {
  findCompaniesByDomain(domain: string): Promise<Company[]>;
  /**
   * The customer company with this domain (not a partner), created with the registration's name
   * and country when the CRM has none, so the deal and its later changes belong to a customer.
   */
  findOrCreateCustomerCompany(
    customer: CustomerCompanyDraft,
  ): Promise<{ companyId: string; created: boolean }>;
  /** Companies whose name contains every word of `name` (the CRM's token match); fuzzy scoring is the domain's. */
  findCompaniesByName(name: string): Promise<Company[]>;
}

/** A company associated with a deal under one of Dealreg's partner labels (`crmNames.partnerLabels`). */
export interface PartnerDealAssociation {
  readonly companyId: string;
  /** The relationship the label stands for (sourced, influenced, resell, referral). */
  readonly relationship: RelationshipType;
  /** The label as HubSpot shows it, e.g. "Influenced partner". */
  readonly label: string;
}

export interface DealDirectory {
  /** Deals associated with the company that are in a stage not marked closed, with their owners. */
  openDealsOfCompany(companyId: string): Promise<DealWithOwner[]>;
  /** Deals associated with the company that are in a closed stage won with probability 1 (closed won). */
  closedWonDealsOfCompany(companyId: string): Promise<Deal[]>;
  /** Reads deals by id, in batches of 100; ids not found are listed in `missing`. */
  batchReadDeals(
    ids: readonly string[],
    properties?: readonly string[],
  ): Promise<{ deals: Deal[]; missing: string[] }>;
  /**
   * The partner companies of each deal as HubSpot holds them: the company ↔ deal associations
   * that carry a Dealreg partner label, one entry per label. A deal without any is absent.
   */
  partnerAssociationsOfDeals(ids: readonly string[]): Promise<ReadonlyMap<string, PartnerDealAssociation[]>>;
  /**
   * Every deal matching the search, however many: the window is split until each part stays
   * under the CRM's cap on results per query.
   */
  searchDeals(search: DealSearch): AsyncIterable<Deal>;
  /** The portal's deal pipelines, kept for a bounded time; `fresh` reads them again now. */
  pipelines(options?: { readonly fresh?: boolean }): Promise<Pipeline[]>;
}

export interface EngagementHistory {
  /**
   * Calls, emails, meetings, notes and tasks with the company that happened in the window,
   * optionally only those owned by the given owners (the direct reps), each with its owner.
   */
  engagementsWithCompany(
    companyId: string,
    window: TimeWindow,
    ownerIds?: readonly string[],
  ): Promise<EngagementWithOwner[]>;
}

export interface DealRegistrationRecords {
  /** Creates or updates the Deal Registration record keyed by registration id. */
  upsertRegistrationRecord(record: DealRegistrationRecord): Promise<{ recordId: string; created: boolean }>;
}

export interface DealWriter {
  /**
   * Links the registration to `existingDealId` when given, else to the deal it created before,
   * else creates the deal. Safe to repeat: never creates a second deal for one registration.
   */
  createOrLinkDeal(draft: DealDraft, existingDealId?: string): Promise<{ dealId: string; created: boolean }>;
  /**
   * Makes `relationship` the partner's (only) partner label on the deal association and mirrors
   * it on the deal's properties so deals can be searched by partner and relationship.
   */
  associatePartner(partnerCompanyId: string, dealId: string, relationship: RelationshipType): Promise<void>;
  /**
   * The currencies a deal may be in: the options of `deal_currency_code`, the portal's enabled
   * currencies; undefined when the portal does not restrict them.
   */
  dealCurrencies(): Promise<ReadonlySet<string> | undefined>;
}

/** A paging cursor the CRM no longer accepts (expired or from another listing): start over from the top. */
export class StalePagingCursorError extends Error {
  override readonly name = 'StalePagingCursorError';
}

export interface FormSubmissions {
  /** One page of the form's submissions, newest first; a rejected `after` throws {@link StalePagingCursorError}. */
  listFormSubmissions(
    formGuid: string,
    page?: { after?: string | undefined; limit?: number | undefined },
  ): Promise<SubmissionPage>;
}

/** Everything Dealreg reads and writes in the CRM. */
export interface HubSpotPort
  extends PartnerDirectory,
    Pick<PartnerCompanyLookup, 'companiesById'>,
    CustomerDirectory,
    DealDirectory,
    EngagementHistory,
    DealRegistrationRecords,
    DealWriter,
    FormSubmissions {}

/* ---------- portal setup ---------- */

type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface PropertySpec {
  readonly name: string;
  readonly label: string;
  readonly type: PropertyType;
  readonly fieldType: 'text' | 'textarea' | 'number' | 'date' | 'select' | 'booleancheckbox';
  readonly groupName?: string;
  readonly hasUniqueValue?: boolean;
  readonly options?: readonly { readonly label: string; readonly value: string }[];
}

export interface ObjectSchemaSpec {
  readonly name: string;
  readonly labels: { readonly singular: string; readonly plural: string };
  readonly primaryDisplayProperty: string;
  readonly requiredProperties: readonly string[];
  readonly searchableProperties: readonly string[];
  readonly properties: readonly PropertySpec[];
  /** Standard objects it associates with: `COMPANY`, `CONTACT`, `DEAL`. */
  readonly associatedObjects: readonly string[];
}

export interface ExistingSchema {
  readonly objectTypeId: string;
  readonly name: string;
  readonly fullyQualifiedName: string;
  readonly propertyNames: readonly string[];
  /** Object type ids it is associated with, e.g. `0-1` (contacts), `0-2`, `0-3`. */
  readonly associatedObjectTypeIds: readonly string[];
}

/** A dropdown option of a property: `value` is what records store, `label` what people read. */
export interface PropertyOption {
  readonly label: string;
  readonly value: string;
  readonly displayOrder?: number;
  readonly hidden?: boolean;
  readonly description?: string;
}

/** A property as the portal holds it: its type, whether its values are unique and, for an enumeration, its options. */
export interface ExistingProperty {
  readonly name: string;
  readonly type: string;
  readonly hasUniqueValue: boolean;
  readonly options: readonly PropertyOption[];
}

export interface AssociationLabel {
  readonly typeId: number;
  readonly label: string | null;
  readonly category: string;
}

/** What `dealreg hubspot setup` needs to read and create in a portal. */
export interface PortalSchemaAdmin {
  listSchemas(): Promise<ExistingSchema[]>;
  createSchema(spec: ObjectSchemaSpec): Promise<ExistingSchema>;
  createSchemaAssociation(objectTypeId: string, toObjectTypeId: string, name: string): Promise<void>;
  listPropertyNames(objectType: string): Promise<string[]>;
  /** The object type's properties with their options (`objectType`: a name or an id such as `2-…`). */
  listProperties(objectType: string): Promise<ExistingProperty[]>;
  createProperty(objectType: string, spec: PropertySpec): Promise<void>;
  /** Replaces a property's options with `options` (every option it is to keep, in order). */
  updatePropertyOptions(
    objectType: string,
    propertyName: string,
    options: readonly PropertyOption[],
  ): Promise<void>;
  listAssociationLabels(fromObjectType: string, toObjectType: string): Promise<AssociationLabel[]>;
  listPipelines(objectType: string): Promise<Pipeline[]>;
  /**
   * Creates a user-defined association label; answers its type id, or `undefined` when the pair
   * already has a label of internal name `name` (whose label, then, is another: someone renamed it).
   */
  createAssociationLabel(
    fromObjectType: string,
    toObjectType: string,
    label: string,
    name: string,
  ): Promise<number | undefined>;
}

/**
 * The names Dealreg gives its objects, properties and association labels in the portal: what
 * `dealreg hubspot setup` creates and what the adapter reads and writes.
 */
export const crmNames = {
  registrationObject: 'deal_registration',
  registration: {
    id: 'dealreg_registration_id',
    name: 'dealreg_name',
    status: 'dealreg_status',
    relationship: 'dealreg_relationship',
    partnerDomain: 'dealreg_partner_domain',
    customerDomain: 'dealreg_customer_domain',
    customerCompanyName: 'dealreg_customer_company_name',
    estimatedAmount: 'dealreg_estimated_amount',
    currency: 'dealreg_currency',
    expectedCloseDate: 'dealreg_expected_close_date',
    campaignId: 'dealreg_campaign_id',
    cloudMarketplace: 'dealreg_cloud_marketplace',
    policyVersion: 'dealreg_policy_version',
    expiresOn: 'dealreg_expires_on',
  },
  /**
   * The customer company Dealreg creates carries its domain in a unique property, so a create
   * that is retried (a 5xx or a timeout hiding one that happened) meets a 409 and finds the
   * first one by that value, instead of making a second company.
   */
  company: {
    customerKey: 'dealreg_customer_key',
  },
  deal: {
    registrationId: 'dealreg_registration_id',
    partnerCompanyId: 'dealreg_partner_company_id',
    partnerRelationship: 'dealreg_partner_relationship',
  },
  /** Association labels (company → deal) by relationship: `[label, internal name]`. */
  partnerLabels: {
    sourced: ['Sourced partner', 'dealreg_sourced_partner'],
    influenced: ['Influenced partner', 'dealreg_influenced_partner'],
    resell: ['Resell partner', 'dealreg_resell_partner'],
    referral: ['Referral partner', 'dealreg_referral_partner'],
  },
} as const satisfies {
  partnerLabels: Record<RelationshipType, readonly [string, string]>;
  [key: string]: unknown;
};
