import { conflict, notFound } from './errors.ts';
import { enumValues, shapeProblems } from './service-model.ts';
import { catalogKey, checked, decodeToken, encodeToken, randomId } from './wire.ts';

/**
 * AWS referrals in the stand-in: engagement invitations AWS sends the partner (an
 * `OpportunityInvitation` payload, the partner as RECEIVER), and the operations on them, on
 * wire-form JSON. Each behaviour names the page of the AWS Partner Central API reference it
 * follows.
 */

type Json = Record<string, unknown>;

export type InvitationEventType =
  | 'Engagement Invitation Created'
  | 'Engagement Invitation Accepted'
  | 'Engagement Invitation Rejected'
  | 'Engagement Invitation Expired';

/** What the admin route takes to make an AWS referral. */
export interface ReferralRequest {
  readonly catalog: 'AWS' | 'Sandbox';
  readonly companyName: string;
  readonly websiteUrl: string;
  readonly countryCode: string;
  readonly industry: string;
  readonly projectTitle: string;
  readonly businessProblem: string;
  /** Monthly, in USD, as a decimal string. */
  readonly expectedMonthlySpendUsd: string;
  /** YYYY-MM-DD. */
  readonly targetCompletionDate: string;
  /** ISO-8601. @default 15 days after the invitation */
  readonly expiresAt?: string | undefined;
}

/** The member names of ReferralRequest, for the admin route's messages. */
const referralFields = {
  catalog: 'AWS or Sandbox',
  companyName: 'the customer company name',
  websiteUrl: 'the customer website, e.g. https://example.com',
  countryCode: 'an ISO 3166-1 alpha-2 country code Partner Central knows, e.g. US',
  industry: 'one of the model’s Industry values, e.g. Software and Internet',
  projectTitle: 'the project title',
  businessProblem: 'the customer’s business problem (20 characters or more)',
  expectedMonthlySpendUsd: 'the expected monthly spend in USD, e.g. "12000"',
  targetCompletionDate: 'YYYY-MM-DD',
} as const;

export class ReferralInputError extends Error {
  override readonly name = 'ReferralInputError';
}

export class EngagementInvitations {
  readonly #invitations = new Map<string, Json>();
  readonly #now: () => Date;
  readonly #account: string;
  readonly #changed: (type: InvitationEventType, catalog: string, invitation: Json) => void;

  constructor(
    now: () => Date,
    account: string,
    changed: (type: InvitationEventType, catalog: string, invitation: Json) => void,
  ) {
    this.#now = now;
    this.#account = account;
    this.#changed = changed;
  }

  /** Every invitation held by its key, to restore with `restore`. */
  snapshot(): [string, Json][] {
    return structuredClone([...this.#invitations.entries()]);
  }

  /** Holds what `snapshot` returned, in place of what was held. */
  restore(snapshot: readonly (readonly [string, Json])[]): void {
    this.#invitations.clear();
    for (const [key, invitation] of structuredClone(snapshot)) this.#invitations.set(key, invitation);
  }

  /** Every invitation held (wire form), for the admin routes and tests. */
  all(): readonly Json[] {
    return [...this.#invitations.values()].map((invitation) => structuredClone(invitation));
  }

  /**
   * The admin route's AWS referral: an invitation from AWS with an `OpportunityInvitation`
   * payload ("EngagementInvitationSummary", "OpportunityInvitationPayload", "EngagementCustomer"
   * and "ProjectDetails" in the API reference), PENDING until accepted, rejected or expired.
   * Checked against GetEngagementInvitationResponse before it is kept, so nothing is half-made.
   */
  createReferral(input: unknown): Json {
    const { request, problems: fieldProblems } = referralRequest(input);
    const now = this.#now();
    const id = `engi-${randomId(13)}`;
    const engagementId = `eng-${randomId(14)}`;
    const expires =
      request.expiresAt === undefined || Number.isNaN(Date.parse(request.expiresAt))
        ? new Date(now.getTime() + 15 * 86_400_000)
        : new Date(request.expiresAt);
    const invitation: Json = {
      Catalog: request.catalog,
      Id: id,
      Arn: `arn:aws:partnercentral:us-east-1:aws:catalog/${request.catalog}/engagement-invitation/${id}`,
      PayloadType: 'OpportunityInvitation',
      EngagementId: engagementId,
      // At most 40 characters, counted (and cut) as the model counts them: whole code points.
      EngagementTitle: [...request.projectTitle].slice(0, 40).join(''),
      Status: 'PENDING',
      InvitationDate: now.toISOString(),
      ExpirationDate: expires.toISOString(),
      SenderAwsAccountId: 'aws',
      SenderCompanyName: 'AWS',
      Receiver: { Account: { AwsAccountId: this.#account } },
      InvitationMessage: `AWS invites you to work ${request.companyName}'s ${request.projectTitle}`,
      Payload: {
        OpportunityInvitation: {
          ReceiverResponsibilities: ['Services Partner'],
          Customer: {
            Industry: request.industry,
            CompanyName: request.companyName,
            WebsiteUrl: request.websiteUrl,
            CountryCode: request.countryCode,
          },
          Project: {
            Title: request.projectTitle,
            BusinessProblem: request.businessProblem,
            TargetCompletionDate: request.targetCompletionDate,
            ExpectedCustomerSpend: [
              {
                Amount: request.expectedMonthlySpendUsd,
                CurrencyCode: 'USD',
                Frequency: 'Monthly',
                TargetCompany: 'AWS',
              },
            ],
          },
        },
      },
    };
    const problems = shapeProblems('GetEngagementInvitationResponse', invitation, 'wire');
    const payloadProblems = shapeProblems(
      'OpportunityInvitationPayload',
      (invitation.Payload as Json).OpportunityInvitation,
      'wire',
    );
    const all = [...problems, ...payloadProblems];
    if (fieldProblems.length > 0 || all.length > 0) {
      throw new ReferralInputError(
        [
          ...fieldProblems,
          ...(all.length === 0
            ? []
            : [
                `the referral does not meet Partner Central's model: ${all.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
              ]),
        ].join('; '),
      );
    }
    this.#invitations.set(catalogKey(request.catalog, id), invitation);
    this.#changed('Engagement Invitation Created', request.catalog, invitation);
    return structuredClone(invitation);
  }

  // "GetEngagementInvitation" (API reference): the invitation by id or ARN in the catalog;
  // ResourceNotFoundException otherwise.
  getEngagementInvitation(request: Json): Json {
    const catalog = checked('GetEngagementInvitationRequest', request);
    return structuredClone(this.#find(catalog, String(request.Identifier)));
  }

  // "ListEngagementInvitations" (API reference): ParticipantType is required; filters by status,
  // payload type, engagement and sender; sorted by InvitationDate; pages by NextToken.
  listEngagementInvitations(request: Json): Json {
    const catalog = checked('ListEngagementInvitationsRequest', request);
    const statuses = request.Status as string[] | undefined;
    const payloadTypes = request.PayloadType as string[] | undefined;
    const engagements = request.EngagementIdentifier as string[] | undefined;
    const senders = request.SenderAwsAccountId as string[] | undefined;
    // Every invitation the stand-in holds was sent to the partner: none lists as SENDER.
    this.expireDue();
    const matching = [...this.#invitations.values()].filter(
      (invitation) =>
        invitation.Catalog === catalog &&
        request.ParticipantType === 'RECEIVER' &&
        (statuses === undefined || statuses.includes(String(invitation.Status))) &&
        (payloadTypes === undefined || payloadTypes.includes(String(invitation.PayloadType))) &&
        (engagements === undefined || engagements.includes(String(invitation.EngagementId))) &&
        (senders === undefined || senders.includes(String(invitation.SenderAwsAccountId))),
    );
    const sort = request.Sort as { SortOrder?: string } | undefined;
    matching.sort((a, b) => String(a.InvitationDate).localeCompare(String(b.InvitationDate)));
    if (sort?.SortOrder !== 'ASCENDING') matching.reverse();
    const offset = request.NextToken === undefined ? 0 : decodeToken(String(request.NextToken));
    const size = typeof request.MaxResults === 'number' ? request.MaxResults : 50;
    const page = matching.slice(offset, offset + size);
    const summaries = page.map((invitation) => ({
      Catalog: invitation.Catalog,
      Id: invitation.Id,
      Arn: invitation.Arn,
      PayloadType: invitation.PayloadType,
      EngagementId: invitation.EngagementId,
      EngagementTitle: invitation.EngagementTitle,
      Status: invitation.Status,
      InvitationDate: invitation.InvitationDate,
      ExpirationDate: invitation.ExpirationDate,
      SenderAwsAccountId: invitation.SenderAwsAccountId,
      SenderCompanyName: invitation.SenderCompanyName,
      Receiver: invitation.Receiver,
      ParticipantType: 'RECEIVER',
    }));
    return {
      EngagementInvitationSummaries: summaries,
      ...(offset + size < matching.length ? { NextToken: encodeToken(offset + size) } : {}),
    };
  }

  // "AcceptEngagementInvitation" (API reference): accepts a PENDING invitation; one no longer
  // pending (accepted, rejected, expired) answers ConflictException. Answers nothing on success.
  acceptEngagementInvitation(request: Json): Json {
    const catalog = checked('AcceptEngagementInvitationRequest', request);
    this.#decide(catalog, String(request.Identifier), 'ACCEPTED', undefined);
    return {};
  }

  // "RejectEngagementInvitation" (API reference): rejects a PENDING invitation with an optional
  // RejectionReason; one no longer pending answers ConflictException. Answers nothing on success.
  rejectEngagementInvitation(request: Json): Json {
    const catalog = checked('RejectEngagementInvitationRequest', request);
    const reason = typeof request.RejectionReason === 'string' ? request.RejectionReason : undefined;
    this.#decide(catalog, String(request.Identifier), 'REJECTED', reason);
    return {};
  }

  /**
   * Expires every PENDING invitation whose ExpirationDate has passed ("EngagementInvitationSummary":
   * ExpirationDate, Status EXPIRED; "Engagement Invitation Expired" in "AWS Partner Central Selling
   * events"); returns how many.
   */
  expireDue(): number {
    let expired = 0;
    for (const invitation of this.#invitations.values()) if (this.#expireIfDue(invitation)) expired += 1;
    return expired;
  }

  #decide(catalog: string, identifier: string, status: 'ACCEPTED' | 'REJECTED', reason: string | undefined) {
    const invitation = this.#find(catalog, identifier);
    if (invitation.Status !== 'PENDING') {
      throw conflict(
        `Engagement invitation ${String(invitation.Id)} is ${String(invitation.Status)}, not PENDING`,
      );
    }
    invitation.Status = status;
    if (reason !== undefined) invitation.RejectionReason = reason;
    this.#changed(
      status === 'ACCEPTED' ? 'Engagement Invitation Accepted' : 'Engagement Invitation Rejected',
      catalog,
      invitation,
    );
  }

  // "EngagementInvitationSummary" (API reference): an invitation not answered by its
  // ExpirationDate is EXPIRED, and Partner Central sends "Engagement Invitation Expired"
  // ("AWS Partner Central Selling events", EventBridge events reference).
  #expireIfDue(invitation: Json): boolean {
    if (
      invitation.Status !== 'PENDING' ||
      Date.parse(String(invitation.ExpirationDate)) > this.#now().getTime()
    ) {
      return false;
    }
    invitation.Status = 'EXPIRED';
    this.#changed('Engagement Invitation Expired', String(invitation.Catalog), invitation);
    return true;
  }

  #find(catalog: string, identifier: string): Json {
    const id = identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
    const invitation = this.#invitations.get(catalogKey(catalog, id));
    if (invitation === undefined) throw notFound(`Engagement invitation ${id} in catalog ${catalog}`);
    this.#expireIfDue(invitation);
    return invitation;
  }
}

/**
 * The admin route's referral and every wrong field in it (all named at once, as the route's 400
 * promises); missing fields are refused before anything else, as nothing can be built without them.
 */
function referralRequest(input: unknown): { request: ReferralRequest; problems: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ReferralInputError('expected a JSON object');
  }
  const body = input as Json;
  const missing = Object.entries(referralFields)
    .filter(([name]) => typeof body[name] !== 'string' || (body[name] as string).trim() === '')
    .map(([name, what]) => `${name} (${what})`);
  if (missing.length > 0) throw new ReferralInputError(`missing or empty: ${missing.join(', ')}`);
  const problems: string[] = [];
  if (body.catalog !== 'AWS' && body.catalog !== 'Sandbox') {
    problems.push('catalog: expected AWS or Sandbox');
  }
  if (!enumValues('CountryCode').has(String(body.countryCode))) {
    problems.push(`countryCode: ${String(body.countryCode)} is not a country Partner Central knows`);
  }
  if (!enumValues('Industry').has(String(body.industry))) {
    problems.push(`industry: ${String(body.industry)} is not one of the model's Industry values`);
  }
  if (!/^\d+(\.\d{1,2})?$/.test(String(body.expectedMonthlySpendUsd))) {
    problems.push('expectedMonthlySpendUsd: expected a decimal amount, e.g. "12000"');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(body.targetCompletionDate))) {
    problems.push('targetCompletionDate: expected YYYY-MM-DD');
  }
  if (
    body.expiresAt !== undefined &&
    (typeof body.expiresAt !== 'string' || Number.isNaN(Date.parse(body.expiresAt)))
  ) {
    problems.push('expiresAt: expected an ISO-8601 date-time');
  }
  return { request: body as unknown as ReferralRequest, problems };
}
