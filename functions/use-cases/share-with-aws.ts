import { coSellDefaultsSchema } from '#domain/co-sell/co-sell-opportunity.ts';
import { coSellSelection, fundingCampaignOf } from '#domain/co-sell/co-sell-selection.ts';
import type { CustomerCompanyFacts } from '#domain/co-sell/customer-account.ts';
import { monthlySpendOf } from '#domain/co-sell/expected-spend.ts';
import {
  coSellClientToken,
  coSellOpportunityFor,
  pastTargetCloseDate,
  submissionGaps,
} from '#domain/co-sell/opportunity-from-registration.ts';
import type { CoSellOpportunities, CoSellOpportunity } from '#ports/partner-central.ts';
import { CoSellThrottledError, CoSellUnavailableError } from '#ports/partner-central-errors.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { loadApprovedRegistration } from '#use-cases/registration-workflow/approved-registration.ts';
import type { RegistrationWorkflowDependencies } from '#use-cases/registration-workflow/dependencies.ts';

export type ShareWithAwsDependencies = Pick<
  RegistrationWorkflowDependencies,
  'book' | 'ledger' | 'ledgerKey' | 'policy' | 'usdRates' | 'now' | 'logger' | 'coSell' | 'coSellDefaults'
> & {
  /**
   * HubSpot's companies. Without `findCompaniesByDomain` (a function with no share of the portal's
   * searches) a registration approved before its customer company's id was recorded is not shared.
   */
  readonly crm: Pick<RegistrationWorkflowDependencies['crm'], 'companiesById'> &
    Partial<Pick<RegistrationWorkflowDependencies['crm'], 'findCompaniesByDomain'>>;
};

/** What sharing a registration with AWS came to. */
export type ShareWithAwsOutcome =
  | { readonly outcome: 'shared'; readonly aceOpportunityId: string; readonly submittedToAws: boolean }
  | { readonly outcome: 'already-shared'; readonly aceOpportunityId: string }
  | { readonly outcome: 'not-selected'; readonly reason: string }
  | { readonly outcome: 'not-shared'; readonly reason: string };

/**
 * "Share with AWS co-sell": an approved registration the policy selects (`coSell`; the decision
 * "Register deal in HubSpot" recorded on the approval, else the policy now) becomes an
 * opportunity in AWS Partner Central and, when the policy says so, is submitted to AWS for
 * review; `CoSellShared` on the HubSpot deal's ledger chain records it. Both calls carry client
 * tokens made from the registration id, so a retried step creates and submits once.
 *
 * Co-sell never touches the partner's attribution: nothing here writes to HubSpot, and what AWS
 * refuses (a validation, conflict or access error, an opportunity Dealreg cannot build) is logged
 * and answered as `not-shared`, never thrown; a submission refused after the opportunity was
 * created is logged and the opportunity recorded as shared, not submitted. Only throttling and unavailability are thrown, for
 * the workflow to retry the step later.
 */
export async function shareWithAws(
  deps: ShareWithAwsDependencies,
  registrationId: string,
  options: {
    /**
     * Look for an ACE opportunity of the registration (`PartnerOpportunityIdentifier`) before
     * creating one, as a share made long after the first attempt must: a client token keeps a
     * retried create one opportunity only for a while.
     */
    readonly lookUpFirst?: boolean;
  } = {},
): Promise<ShareWithAwsOutcome> {
  const policy = deps.policy.policy.coSell;
  const registration = await loadApprovedRegistration(deps, registrationId);
  const { details, progress, decision } = registration;
  const selection = coSellSelection(
    policy,
    { details, relationshipType: decision.relationshipType },
    deps.usdRates,
  );
  // Co-sell off now: nothing goes to Partner Central, whatever was decided at approval.
  if (!selection.share && !policy.enabled) return { outcome: 'not-selected', reason: selection.reason };
  const dealId = progress.dealId;
  if (dealId === undefined) {
    if (!selection.share) return { outcome: 'not-selected', reason: selection.reason };
    throw new Error(`registration ${registrationId} has no HubSpot deal yet; register it in HubSpot first`);
  }
  const chain = await readChain(deps.ledger, dealId);
  // The decision "Register deal in HubSpot" recorded on the approval under the policy then in
  // force; the current policy only for an approval recorded before Dealreg kept it.
  const approval = chain.find(
    (entry) => entry.type === 'RegistrationApproved' && entry.registrationId === registrationId,
  );
  const decided = approval?.type === 'RegistrationApproved' ? approval.coSell : undefined;
  if (decided !== undefined && !decided.share) return { outcome: 'not-selected', reason: decided.reason };
  if (decided === undefined && !selection.share) return { outcome: 'not-selected', reason: selection.reason };
  const campaign = selection.share ? selection.campaign : fundingCampaignOf(policy, details.campaignId);
  const notShared = (reason: string): ShareWithAwsOutcome => {
    deps.logger.warn('registration not shared with AWS', { registrationId, reason });
    return { outcome: 'not-shared', reason };
  };
  if (deps.coSell === undefined) return notShared('Partner Central is not configured for this stage');

  const recorded = chain.find(
    (entry) => entry.type === 'CoSellShared' && entry.registrationId === registrationId,
  );
  if (recorded?.type === 'CoSellShared') {
    return { outcome: 'already-shared', aceOpportunityId: recorded.aceOpportunityId };
  }

  const defaults = deps.coSellDefaults ?? coSellDefaultsSchema.parse({});
  if (progress.customerCompanyId === undefined && deps.crm.findCompaniesByDomain === undefined) {
    return notShared(
      "approved before Dealreg recorded the id of the customer's HubSpot company, and this catch-up reads companies by id only (it has no share of the portal's CRM searches)",
    );
  }
  const customer = await customerCompanyOf(deps, progress.customerCompanyId, details.customerDomain);
  const mapping = coSellOpportunityFor({
    registration: registration.record,
    campaign,
    defaults,
    usdRates: deps.usdRates,
    customer,
  });
  if (!mapping.ok) return notShared(`the opportunity cannot be built: ${mapping.problems.join('; ')}`);

  const partnerCentral = deps.coSell(policy.catalog);
  const retryable = (error: unknown) =>
    error instanceof CoSellThrottledError || error instanceof CoSellUnavailableError;
  const why = (error: unknown) =>
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  let aceOpportunityId: string;
  let pendingSubmission = true;
  try {
    const existing = options.lookUpFirst
      ? await opportunityOfRegistration(
          partnerCentral,
          registrationId,
          mapping.draft.Customer.Account.CompanyName,
        )
      : undefined;
    if (existing !== undefined) {
      aceOpportunityId = existing.opportunityId;
      pendingSubmission =
        existing.reviewStatus === undefined || existing.reviewStatus === 'Pending Submission';
      deps.logger.info('co-sell opportunity of the registration found in Partner Central', {
        registrationId,
        aceOpportunityId,
        reviewStatus: existing.reviewStatus,
      });
    } else {
      const pastClose = pastTargetCloseDate(mapping.draft, deps.now());
      if (pastClose !== undefined) return notShared(pastClose);
      ({ opportunityId: aceOpportunityId } = await partnerCentral.create(
        mapping.draft,
        coSellClientToken(registrationId, 'create'),
      ));
    }
  } catch (error) {
    if (retryable(error)) throw error;
    return notShared(why(error));
  }
  // The opportunity exists in Partner Central from here on: a submission AWS refuses (its business
  // rules at submission go beyond the model) leaves it Pending Submission, for the partner to
  // complete in ACE, and it is recorded all the same, so AWS's answers about it reach the ledger.
  // An opportunity found already past Pending Submission was submitted (by Dealreg or in ACE).
  let submittedToAws = !pendingSubmission;
  // What AWS requires at submission and HubSpot does not hold: said, not sent for AWS to refuse.
  const gaps = submissionGaps(mapping.draft);
  if (pendingSubmission && policy.submitToAws && gaps.length > 0) {
    deps.logger.warn('co-sell opportunity created but not submitted to AWS', {
      registrationId,
      aceOpportunityId,
      reason: `AWS requires what the customer's HubSpot company${customer === undefined ? ' (none found)' : ` ${customer.companyId}`} lacks: ${gaps.join('; ')}`,
    });
  }
  if (pendingSubmission && policy.submitToAws && gaps.length === 0) {
    try {
      // AWS starts no engagement for an opportunity without one of the partner's solutions
      // ("Associating, disassociating and assigning opportunities"). Associated again on a retry,
      // as the opportunity already has them after a first attempt.
      for (const solution of policy.solutions) {
        await partnerCentral.associateSolution(aceOpportunityId, solution);
      }
      await partnerCentral.submitToAws(aceOpportunityId, {
        involvement: policy.involvement,
        clientToken: coSellClientToken(registrationId, 'submit'),
      });
      submittedToAws = true;
    } catch (error) {
      if (retryable(error)) throw error;
      deps.logger.warn('co-sell opportunity created but not submitted to AWS', {
        registrationId,
        aceOpportunityId,
        reason: why(error),
      });
    }
  }

  await appendEntry(
    { store: deps.ledger, ledgerKey: deps.ledgerKey, now: deps.now },
    {
      type: 'CoSellShared',
      opportunityId: dealId,
      effectiveAt: deps.now().toISOString(),
      recordedBy: 'registration-workflow',
      sourceEventId: `registration:${registrationId}:co-sell-shared`,
      registrationId,
      aceOpportunityId,
      catalog: policy.catalog,
      submittedToAws,
      // What AWS was told the deal is worth, and how: the report compares it with HubSpot's amount.
      expectedMonthlySpend: monthlySpendOf(
        mapping.draft.Project.ExpectedCustomerSpend.map((spend) => ({
          amount: spend.Amount,
          currencyCode: spend.CurrencyCode,
          frequency: spend.Frequency,
        })),
      ),
      contractMonths: defaults.contractMonths,
    },
  );
  deps.logger.info('registration shared with AWS', {
    registrationId,
    aceOpportunityId,
    catalog: policy.catalog,
    submittedToAws,
  });
  return { outcome: 'shared', aceOpportunityId, submittedToAws };
}

/**
 * The customer's company in HubSpot, with its profile: the one "Register deal in HubSpot" found
 * or created, read by the id it recorded (a batch read, outside the portal's search budget); for a
 * registration registered before it recorded the id, the first company of the domain that is not
 * a partner, as that step finds it.
 */
async function customerCompanyOf(
  deps: ShareWithAwsDependencies,
  companyId: string | undefined,
  domain: string,
): Promise<CustomerCompanyFacts | undefined> {
  const company =
    companyId === undefined
      ? (await deps.crm.findCompaniesByDomain?.(domain))?.find(
          (candidate) => candidate.type?.toUpperCase() !== 'PARTNER',
        )
      : (await deps.crm.companiesById([companyId]))[0];
  if (company === undefined) return undefined;
  const profile = company.profile ?? {};
  return {
    companyId: company.id,
    domain: company.domain,
    industry: profile.industry ?? null,
    website: profile.website ?? null,
    zip: profile.zip ?? null,
    state: profile.state ?? null,
    city: profile.city ?? null,
    country: profile.country ?? null,
  };
}

/**
 * The ACE opportunity created for the registration, if Partner Central has one: ListOpportunities
 * filters by customer company name, not by the partner's identifier ("ListOpportunities", AWS
 * Partner Central API reference), so the opportunities of the customer's name are read, every
 * page, and the one carrying the registration id as `PartnerOpportunityIdentifier` is taken.
 */
async function opportunityOfRegistration(
  partnerCentral: CoSellOpportunities,
  registrationId: string,
  companyName: string,
): Promise<CoSellOpportunity | undefined> {
  let pageToken: string | undefined;
  do {
    const page = await partnerCentral.list({ customerCompanyNames: [companyName] }, { pageToken });
    const found = page.opportunities.find((opportunity) => opportunity.registrationId === registrationId);
    if (found !== undefined) return found;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return undefined;
}
