import { createHash } from 'node:crypto';
import { countriesWithoutPostalCode } from '#domain/co-sell/customer-account.ts';
import { conflict, notFound, validationFault } from './errors.ts';
import { enumValues, type ModelProblem } from './service-model.ts';
import { catalogKey, checked, decodeToken, encodeToken, randomId } from './wire.ts';

/**
 * The opportunities of the stand-in's catalogs (`AWS` and `Sandbox` are kept apart, as Partner
 * Central keeps them) and the operations on them, on wire-form JSON. Each behaviour names the
 * page of the AWS Partner Central API reference it follows.
 */

type Json = Record<string, unknown>;

export interface StoredOpportunity {
  readonly catalog: string;
  /** The opportunity as GetOpportunity answers it (wire form). */
  opportunity: Json;
}

export interface TokenUse {
  readonly fingerprint: string;
  readonly response: Json;
}

export type ReviewAction = 'in-review' | 'approve' | 'reject' | 'action-required' | 'launch' | 'closed-lost';
export const reviewActions: readonly ReviewAction[] = [
  'in-review',
  'approve',
  'reject',
  'action-required',
  'launch',
  'closed-lost',
];

/**
 * Members CreateOpportunity stores as the opportunity's payload: the request's members that
 * GetOpportunityResponse has (Origin, ClientToken and Tags are not read back by GetOpportunity).
 */
const payloadMembers = [
  'PrimaryNeedsFromAws',
  'NationalSecurity',
  'PartnerOpportunityIdentifier',
  'Customer',
  'Project',
  'OpportunityType',
  'Marketing',
  'SoftwareRevenue',
  'LifeCycle',
  'OpportunityTeam',
] as const;

/** Members ListOpportunities' OpportunitySummary carries of each part. */
const summaryMembers = {
  LifeCycle: [
    'Stage',
    'ClosedLostReason',
    'NextSteps',
    'TargetCloseDate',
    'ReviewStatus',
    'ReviewComments',
    'ReviewStatusReason',
  ],
  Account: ['Industry', 'OtherIndustry', 'CompanyName', 'WebsiteUrl', 'Address'],
  Address: ['City', 'PostalCode', 'StateOrRegion', 'CountryCode'],
  Project: ['DeliveryModels', 'ExpectedCustomerSpend', 'ExpectedContractDuration'],
} as const;

/** What the catalogs hold, as JSON, so a local stack keeps it across a restart. */
export interface CatalogsSnapshot {
  readonly opportunities: readonly StoredOpportunity[];
  readonly createTokens: readonly (readonly [string, TokenUse])[];
  readonly submitTokens: readonly (readonly [string, TokenUse])[];
  /** The number of the next opportunity id (`O<n>`), so a restart never gives an id again. */
  readonly nextId: number;
}

export class Catalogs {
  readonly #opportunities = new Map<string, StoredOpportunity>();
  readonly #createTokens = new Map<string, TokenUse>();
  readonly #submitTokens = new Map<string, TokenUse>();
  #nextId = 1_000_000;
  readonly #now: () => Date;
  /** Called with (catalog, opportunity id) whenever an opportunity is created or changes. */
  readonly #changed: (
    type: 'Opportunity Created' | 'Opportunity Updated',
    catalog: string,
    id: string,
  ) => void;

  constructor(
    now: () => Date,
    changed: (type: 'Opportunity Created' | 'Opportunity Updated', catalog: string, id: string) => void,
  ) {
    this.#now = now;
    this.#changed = changed;
  }

  /** What the catalogs hold, to restore with `restore`. */
  snapshot(): CatalogsSnapshot {
    return structuredClone({
      opportunities: [...this.#opportunities.values()],
      createTokens: [...this.#createTokens.entries()],
      submitTokens: [...this.#submitTokens.entries()],
      nextId: this.#nextId,
    });
  }

  /** Holds what `snapshot` returned, in place of what the catalogs held. */
  restore(snapshot: CatalogsSnapshot): void {
    const copy = structuredClone(snapshot);
    this.#opportunities.clear();
    for (const stored of copy.opportunities) {
      this.#opportunities.set(catalogKey(stored.catalog, String(stored.opportunity.Id)), stored);
    }
    this.#createTokens.clear();
    for (const [key, use] of copy.createTokens) this.#createTokens.set(key, use);
    this.#submitTokens.clear();
    for (const [key, use] of copy.submitTokens) this.#submitTokens.set(key, use);
    this.#nextId = copy.nextId;
  }

  /** Every opportunity held, for the admin routes and tests. */
  all(): readonly StoredOpportunity[] {
    return [...this.#opportunities.values()];
  }

  // "CreateOpportunity" (API reference): creates the opportunity with ReviewStatus "Pending
  // Submission"; a repeated ClientToken with the same body returns the first response, with
  // another body ConflictException "Conflicting client token submitted for a new request body."
  createOpportunity(request: Json): Json {
    const catalog = checked('CreateOpportunityRequest', request);
    const token = String(request.ClientToken ?? '');
    const key = `${catalog}\u0000${token}`;
    const fingerprint = fingerprintOf(request, ['ClientToken']);
    const used = this.#createTokens.get(key);
    if (used !== undefined) {
      if (used.fingerprint !== fingerprint)
        throw conflict('Conflicting client token submitted for a new request body.');
      return used.response;
    }
    const now = this.#now();
    // "LifeCycle" (API reference): "Ensure the Target Close Date isn't in the past"; AWS's field
    // list for opportunities ("Opportunity-Fields.csv", aws-samples/partner-crm-integration-samples):
    // TargetCloseDate "Date cannot be in the past". Judged by the UTC date of the stand-in's clock.
    const targetCloseDate = (request.LifeCycle as Json | undefined)?.TargetCloseDate;
    const today = now.toISOString().slice(0, 10);
    if (typeof targetCloseDate === 'string' && targetCloseDate < today) {
      throw validationFault(
        'The opportunity cannot be created with a target close date in the past',
        [
          {
            path: 'LifeCycle.TargetCloseDate',
            message: `TargetCloseDate ${targetCloseDate} is in the past (today is ${today})`,
            code: 'INVALID_VALUE',
          },
        ],
        'BUSINESS_VALIDATION_FAILED',
      );
    }
    const id = `O${this.#nextId++}`;
    const payload: Json = {};
    for (const member of payloadMembers)
      if (request[member] !== undefined) payload[member] = structuredClone(request[member]);
    const lifeCycle = (payload.LifeCycle ?? {}) as Json;
    payload.LifeCycle = { Stage: 'Prospect', ...lifeCycle, ReviewStatus: 'Pending Submission' };
    const opportunity: Json = {
      Catalog: catalog,
      Id: id,
      Arn: arnOf(catalog, id),
      ...payload,
      CreatedDate: now.toISOString(),
      LastModifiedDate: now.toISOString(),
      RelatedEntityIdentifiers: {},
    };
    this.#opportunities.set(catalogKey(catalog, id), { catalog, opportunity });
    const response: Json = {
      Id: id,
      ...(payload.PartnerOpportunityIdentifier === undefined
        ? {}
        : { PartnerOpportunityIdentifier: payload.PartnerOpportunityIdentifier }),
      LastModifiedDate: now.toISOString(),
    };
    this.#createTokens.set(key, { fingerprint, response });
    this.#changed('Opportunity Created', catalog, id);
    return response;
  }

  // "UpdateOpportunity" (API reference): the whole payload is sent each time (an omitted member
  // becomes null); LastModifiedDate must be the opportunity's current one, else
  // ConflictException; an opportunity under AWS review (Submitted, In review) cannot be changed.
  updateOpportunity(request: Json): Json {
    const catalog = checked('UpdateOpportunityRequest', request);
    const stored = this.#find(catalog, String(request.Identifier));
    const current = stored.opportunity;
    if (Date.parse(String(request.LastModifiedDate)) !== Date.parse(String(current.LastModifiedDate))) {
      throw conflict(
        `The opportunity was modified at ${String(current.LastModifiedDate)}; read it again and send its LastModifiedDate`,
      );
    }
    const review = String((current.LifeCycle as Json | undefined)?.ReviewStatus ?? '');
    if (review === 'Submitted' || review === 'In review') {
      throw validationFault(
        `The opportunity is ${review} by AWS and cannot be updated until the review ends`,
        [],
        'BUSINESS_VALIDATION_FAILED',
      );
    }
    const now = this.#now();
    const next: Json = {
      Catalog: catalog,
      Id: current.Id,
      Arn: current.Arn,
      CreatedDate: current.CreatedDate,
      RelatedEntityIdentifiers: current.RelatedEntityIdentifiers,
    };
    for (const member of payloadMembers) {
      if (request[member] !== undefined) next[member] = structuredClone(request[member]);
    }
    // ReviewStatus belongs to AWS's review; a partner's update does not set it.
    const currentLifeCycle = (current.LifeCycle ?? {}) as Json;
    next.LifeCycle = {
      ...((next.LifeCycle ?? {}) as Json),
      ReviewStatus: currentLifeCycle.ReviewStatus,
      ...(currentLifeCycle.ReviewComments === undefined
        ? {}
        : { ReviewComments: currentLifeCycle.ReviewComments }),
    };
    next.LastModifiedDate = now.toISOString();
    stored.opportunity = next;
    this.#changed('Opportunity Updated', catalog, String(current.Id));
    return { Id: current.Id, LastModifiedDate: next.LastModifiedDate };
  }

  // "GetOpportunity" (API reference): ResourceNotFoundException for an id the catalog lacks.
  getOpportunity(request: Json): Json {
    const catalog = checked('GetOpportunityRequest', request);
    return structuredClone(this.#find(catalog, String(request.Identifier)).opportunity);
  }

  // "ListOpportunities" (API reference): MaxResults default 20 (1–100), NextToken from the last
  // page; filters by Identifier, LifeCycleStage, LifeCycleReviewStatus, CustomerCompanyName and
  // LastModifiedDate; Sort by LastModifiedDate, Identifier, CustomerCompanyName, CreatedDate or
  // TargetCloseDate. Summaries carry the members OpportunitySummary has.
  listOpportunities(request: Json): Json {
    const catalog = checked('ListOpportunitiesRequest', request);
    const pageSize = typeof request.MaxResults === 'number' ? request.MaxResults : 20;
    const offset = request.NextToken === undefined ? 0 : decodeToken(String(request.NextToken));
    const inList = (values: unknown, value: unknown) =>
      !Array.isArray(values) || values.length === 0 || values.includes(value);
    const modified = (request.LastModifiedDate ?? {}) as Json;
    const after =
      modified.AfterLastModifiedDate === undefined
        ? undefined
        : Date.parse(String(modified.AfterLastModifiedDate));
    const before =
      modified.BeforeLastModifiedDate === undefined
        ? undefined
        : Date.parse(String(modified.BeforeLastModifiedDate));
    const matching = this.all()
      .filter((stored) => stored.catalog === catalog)
      .map((stored) => stored.opportunity)
      .filter((opportunity) => {
        const lifeCycle = (opportunity.LifeCycle ?? {}) as Json;
        const account = ((opportunity.Customer as Json | undefined)?.Account ?? {}) as Json;
        const changedAt = Date.parse(String(opportunity.LastModifiedDate));
        return (
          inList(request.Identifier, opportunity.Id) &&
          inList(request.LifeCycleStage, lifeCycle.Stage) &&
          inList(request.LifeCycleReviewStatus, lifeCycle.ReviewStatus) &&
          inList(request.CustomerCompanyName, account.CompanyName) &&
          (after === undefined || changedAt > after) &&
          (before === undefined || changedAt < before)
        );
      });
    const sort = (request.Sort ?? { SortBy: 'LastModifiedDate', SortOrder: 'DESCENDING' }) as Json;
    const sortKey = (opportunity: Json): string => {
      switch (sort.SortBy) {
        case 'Identifier':
          return String(opportunity.Id).padStart(21, '0');
        case 'CustomerCompanyName':
          return String(
            ((opportunity.Customer as Json | undefined)?.Account as Json | undefined)?.CompanyName ?? '',
          );
        case 'CreatedDate':
          return String(opportunity.CreatedDate);
        case 'TargetCloseDate':
          return String((opportunity.LifeCycle as Json | undefined)?.TargetCloseDate ?? '');
        default:
          return String(opportunity.LastModifiedDate);
      }
    };
    const direction = sort.SortOrder === 'ASCENDING' ? 1 : -1;
    // Ties go by id, so pages never skip or repeat an opportunity.
    matching.sort(
      (a, b) => direction * sortKey(a).localeCompare(sortKey(b)) || String(a.Id).localeCompare(String(b.Id)),
    );
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize < matching.length ? encodeToken(offset + pageSize) : undefined;
    return { OpportunitySummaries: page.map(summaryOf), ...(next === undefined ? {} : { NextToken: next }) };
  }

  // "AssociateOpportunity" (API reference) and "Associating, disassociating and assigning
  // opportunities" (Partner Central API guide): links a solution, a product or an offer to the
  // opportunity; GetOpportunity shows it in RelatedEntityIdentifiers under the entity type. Up to
  // ten solutions. Associating an entity the opportunity already has changes nothing (the
  // reference does not say otherwise).
  associateOpportunity(request: Json): Json {
    const catalog = checked('AssociateOpportunityRequest', request);
    const stored = this.#find(catalog, String(request.OpportunityIdentifier));
    const type = String(request.RelatedEntityType);
    const id = String(request.RelatedEntityIdentifier);
    if (type === 'Solutions' && !/^S-[0-9]{1,19}$/.test(id)) {
      throw validationFault('The related entity identifier is not a Partner Solution id', [
        {
          path: 'RelatedEntityIdentifier',
          message: `${id} is not a solution id (S-…)`,
          code: 'INVALID_VALUE',
        },
      ]);
    }
    const related = { ...((stored.opportunity.RelatedEntityIdentifiers ?? {}) as Json) };
    const ids = Array.isArray(related[type]) ? (related[type] as string[]) : [];
    if (ids.includes(id)) return {};
    const solutionTypes = ['Solutions', 'AwsMarketplaceSolutions'];
    const solutionCount = solutionTypes
      .map((member) => (Array.isArray(related[member]) ? (related[member] as unknown[]).length : 0))
      .reduce((sum, count) => sum + count, 0);
    if (solutionTypes.includes(type) && solutionCount >= 10) {
      throw validationFault(
        'An opportunity can be associated with at most ten solutions',
        [],
        'BUSINESS_VALIDATION_FAILED',
      );
    }
    related[type] = [...ids, id];
    stored.opportunity.RelatedEntityIdentifiers = related;
    stored.opportunity.LastModifiedDate = this.#now().toISOString();
    // The stand-in sends no event for an association: its events are those of the partner's
    // updates and of AWS's review.
    return {};
  }

  // "StartEngagementFromOpportunityTask" (API reference) and "Submitting an opportunity" (Partner
  // Central selling API guide): submits the opportunity to AWS; the task creates an engagement and
  // the opportunity's ReviewStatus becomes "Submitted". Idempotent by ClientToken like
  // CreateOpportunity. Only an opportunity AWS is not already reviewing can be submitted.
  startEngagementFromOpportunityTask(request: Json): Json {
    const catalog = checked('StartEngagementFromOpportunityTaskRequest', request);
    const key = `${catalog}\u0000${String(request.ClientToken ?? '')}`;
    const fingerprint = fingerprintOf(request, ['ClientToken']);
    const used = this.#submitTokens.get(key);
    if (used !== undefined) {
      if (used.fingerprint !== fingerprint)
        throw conflict('Conflicting client token submitted for a new request body.');
      return used.response;
    }
    const stored = this.#find(catalog, String(request.Identifier));
    const lifeCycle = (stored.opportunity.LifeCycle ?? {}) as Json;
    const review = String(lifeCycle.ReviewStatus ?? '');
    if (review !== 'Pending Submission' && review !== 'Action Required') {
      throw validationFault(
        `The opportunity is ${review} and cannot be submitted again`,
        [],
        'BUSINESS_VALIDATION_FAILED',
      );
    }
    const missing = submissionProblems(stored.opportunity);
    if (missing.length > 0) {
      throw validationFault(
        'The opportunity is missing fields required for submission',
        missing,
        'BUSINESS_VALIDATION_FAILED',
      );
    }
    const now = this.#now();
    const taskId = `task-${randomId(13)}`;
    stored.opportunity.LifeCycle = { ...lifeCycle, ReviewStatus: 'Submitted' };
    stored.opportunity.LastModifiedDate = now.toISOString();
    const response: Json = {
      TaskId: taskId,
      TaskArn: `arn:aws:partnercentral:us-east-1:aws:catalog/${catalog}/engagement-from-opportunity-task/${taskId}`,
      StartTime: now.toISOString(),
      TaskStatus: 'COMPLETE',
      OpportunityId: stored.opportunity.Id,
      ResourceSnapshotJobId: `job-${randomId(13)}`,
      EngagementId: `eng-${randomId(14)}`,
      EngagementInvitationId: `engi-${randomId(13)}`,
    };
    this.#submitTokens.set(key, { fingerprint, response });
    this.#changed('Opportunity Updated', catalog, String(stored.opportunity.Id));
    return response;
  }

  /**
   * Moves an opportunity through AWS's review as an AWS reviewer would ("Opportunity review
   * statuses" / "Opportunity stages" in the Partner Central selling API guide): Submitted → In
   * review → Approved | Action Required | Rejected; an approved opportunity is worked to Launched
   * or Closed Lost. Throws a message for a move the review does not allow, before changing
   * anything. `expectedCustomerSpend` replaces the opportunity's `Project.ExpectedCustomerSpend`
   * as an edit by AWS's reviewer or the partner would ("UpdateOpportunity": the list is sent
   * whole and replaces the old one), with or without a review move; checked by the caller.
   */
  review(
    catalog: string,
    id: string,
    action: ReviewAction | undefined,
    options: {
      comments?: string | undefined;
      /** AWS's reason code for a rejection or a request for changes (`LifeCycle.ReviewStatusReason`). */
      reason?: string | undefined;
      closedLostReason?: string | undefined;
      expectedCustomerSpend?: readonly Json[] | undefined;
    } = {},
  ): Json {
    const stored = this.#find(catalog, id);
    const lifeCycle = { ...((stored.opportunity.LifeCycle ?? {}) as Json) };
    const review = String(lifeCycle.ReviewStatus ?? '');
    const stage = String(lifeCycle.Stage ?? '');
    const underReview = review === 'Submitted' || review === 'In review';
    const refuse = (why: string): never => {
      throw new ReviewMoveError(`cannot ${action} opportunity ${id}: ${why}`);
    };
    switch (action) {
      case 'in-review':
        if (review !== 'Submitted') refuse(`its review status is ${review}, not Submitted`);
        lifeCycle.ReviewStatus = 'In review';
        break;
      case 'approve':
      case 'reject':
      case 'action-required':
        if (!underReview) refuse(`its review status is ${review}, not Submitted or In review`);
        lifeCycle.ReviewStatus = {
          approve: 'Approved',
          reject: 'Rejected',
          'action-required': 'Action Required',
        }[action];
        if (options.comments !== undefined) lifeCycle.ReviewComments = options.comments;
        // "Applies when status is Rejected or Action Required" (LifeCycle, AWS Partner Central API reference).
        if (action !== 'approve' && options.reason !== undefined)
          lifeCycle.ReviewStatusReason = options.reason;
        break;
      case 'launch':
        if (review !== 'Approved') refuse(`its review status is ${review}, not Approved`);
        if (stage === 'Launched' || stage === 'Closed Lost') refuse(`it is already ${stage}`);
        lifeCycle.Stage = 'Launched';
        break;
      case 'closed-lost': {
        if (stage === 'Launched' || stage === 'Closed Lost') refuse(`it is already ${stage}`);
        // The partner closes an opportunity lost (UpdateOpportunity), which "CreateOpportunity" (API
        // reference) rules out while AWS reviews it: "After submission, you can't edit the
        // opportunity until the review is complete".
        if (underReview)
          refuse(`AWS is reviewing it (${review}); the partner cannot change it until the review ends`);
        const reason = options.closedLostReason ?? 'Other';
        if (!enumValues('ClosedLostReason').has(reason)) refuse(`${reason} is not a ClosedLostReason`);
        lifeCycle.Stage = 'Closed Lost';
        lifeCycle.ClosedLostReason = reason;
        break;
      }
      case undefined:
        break;
    }
    if (options.expectedCustomerSpend !== undefined) {
      stored.opportunity.Project = {
        ...((stored.opportunity.Project ?? {}) as Json),
        ExpectedCustomerSpend: structuredClone(options.expectedCustomerSpend),
      };
    }
    stored.opportunity.LifeCycle = lifeCycle;
    stored.opportunity.LastModifiedDate = this.#now().toISOString();
    this.#changed('Opportunity Updated', catalog, id);
    return structuredClone(stored.opportunity);
  }

  #find(catalog: string, id: string): StoredOpportunity {
    const stored = this.#opportunities.get(catalogKey(catalog, id));
    if (stored === undefined) throw notFound(`Opportunity ${id} in catalog ${catalog}`);
    return stored;
  }
}

/** A review move the admin route refuses (409). */
export class ReviewMoveError extends Error {
  override readonly name = 'ReviewMoveError';
}

function arnOf(catalog: string, id: string): string {
  return `arn:aws:partnercentral:us-east-1:aws:catalog/${catalog}/opportunity/${id}`;
}

function summaryOf(opportunity: Json): Json {
  const pick = (source: unknown, members: readonly string[]): Json | undefined => {
    if (typeof source !== 'object' || source === null) return undefined;
    const picked: Json = {};
    for (const member of members) {
      const value = (source as Json)[member];
      if (value !== undefined) picked[member] = structuredClone(value);
    }
    return picked;
  };
  const account = pick((opportunity.Customer as Json | undefined)?.Account, summaryMembers.Account);
  if (account?.Address !== undefined) account.Address = pick(account.Address, summaryMembers.Address);
  const summary: Json = {
    Catalog: opportunity.Catalog,
    Id: opportunity.Id,
    Arn: opportunity.Arn,
    PartnerOpportunityIdentifier: opportunity.PartnerOpportunityIdentifier,
    OpportunityType: opportunity.OpportunityType,
    LastModifiedDate: opportunity.LastModifiedDate,
    CreatedDate: opportunity.CreatedDate,
    LifeCycle: pick(opportunity.LifeCycle, summaryMembers.LifeCycle),
    Customer: account === undefined ? undefined : { Account: account },
    Project: pick(opportunity.Project, summaryMembers.Project),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, value]) => value !== undefined));
}

/** Canonical JSON of a request without the members that do not make it another request. */
function fingerprintOf(request: Json, without: readonly string[]): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical((value as Json)[key])]),
      );
    }
    return value;
  };
  const rest = Object.fromEntries(Object.entries(request).filter(([key]) => !without.includes(key)));
  return createHash('sha256')
    .update(JSON.stringify(canonical(rest)))
    .digest('hex');
}

/**
 * What AWS requires of an opportunity before it takes its submission and `opportunity` lacks,
 * as the field errors of the ValidationException it answers (`Reason: BUSINESS_VALIDATION_FAILED`,
 * `ErrorList` of `FieldName`, `Message`, `Code: REQUIRED_FIELD_MISSING`; "ValidationException",
 * AWS Partner Central API reference): `Customer.Account.Industry` ("This is a required field",
 * "Account"), `OtherIndustry` when the industry is `Other` ("Conditionally mandatory if Other is
 * selected", "AccountSummary"), `WebsiteUrl` ("required in all cases except when the opportunity
 * is related to national security", "Account"), and the customer's country and postal code (none
 * for a country without postal codes: AWS's list, as `functions/domain/co-sell/customer-account.ts` holds it), with the state for a customer in the
 * United States ("Address"; "Working with your opportunities", Partner Central developer guide).
 */
export function submissionProblems(opportunity: Json): ModelProblem[] {
  const customer = (opportunity.Customer ?? {}) as Json;
  const account = (customer.Account ?? {}) as Json;
  const address = (account.Address ?? {}) as Json;
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  const problems: ModelProblem[] = [];
  const missing = (path: string, what: string) =>
    problems.push({
      path,
      message: `${what} is required to submit the opportunity`,
      code: 'REQUIRED_FIELD_MISSING',
    });
  if (blank(account.Industry)) missing('Customer.Account.Industry', 'Industry');
  else if (account.Industry === 'Other' && blank(account.OtherIndustry))
    missing('Customer.Account.OtherIndustry', 'OtherIndustry (with Industry Other)');
  if (blank(account.WebsiteUrl)) missing('Customer.Account.WebsiteUrl', 'WebsiteUrl');
  if (blank(address.CountryCode)) missing('Customer.Account.Address.CountryCode', 'CountryCode');
  if (blank(address.PostalCode) && !countriesWithoutPostalCode.has(String(address.CountryCode ?? '')))
    missing('Customer.Account.Address.PostalCode', 'PostalCode');
  if (address.CountryCode === 'US' && blank(address.StateOrRegion))
    missing('Customer.Account.Address.StateOrRegion', 'StateOrRegion (for a customer in the US)');
  // "Associating, disassociating and assigning opportunities" (Partner Central API guide): before
  // an engagement is started with StartEngagementFromOpportunityTask, at least one Partner
  // Solution must be associated (AssociateOpportunity).
  const related = (opportunity.RelatedEntityIdentifiers ?? {}) as Json;
  const solutions = [related.Solutions, related.AwsMarketplaceSolutions].flatMap((ids) =>
    Array.isArray(ids) ? ids : [],
  );
  if (solutions.length === 0)
    missing('RelatedEntityIdentifiers.Solutions', 'A Partner Solution associated with the opportunity');
  return problems;
}
