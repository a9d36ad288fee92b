import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import type {
  ClosedWonDeal,
  DirectEngagement,
  OpenDeal,
  OtherRegistration,
  RegistrationStatus,
} from '#domain/conflicts/conflict-input.ts';
import { registrationUnderCheck } from '#domain/conflicts/registration-under-check.ts';
import { freezeMoney, type Money, usdRateOf } from '#domain/money.ts';
import { routeRegistration } from '#domain/policy/registration-decision.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import {
  loadRegistration,
  type RegistrationWorkflowDependencies,
  requireProgress,
  type ValidRegistration,
} from './dependencies.ts';

/** The amount in US cents at the configured rate, or undefined when no rate is configured. */
export function amountInUsdMinor(
  amount: Money,
  usdRates: Readonly<Record<string, string>>,
): number | undefined {
  const rate = usdRateOf(amount.currency, usdRates);
  return rate === undefined ? undefined : freezeMoney(amount.minorUnits, amount.currency, rate).usdMinor;
}

/** The information request on another registration that this submission answers, if any. */
interface OpenInformationRequest {
  readonly registrationId: string;
  readonly callbackToken: string;
}

function openInformationRequest(record: StoredRegistration): OpenInformationRequest | undefined {
  const token = (record as { informationCallbackToken?: unknown }).informationCallbackToken;
  if (record.progress?.status !== 'awaiting-information' || typeof token !== 'string') return undefined;
  return { registrationId: record.registrationId, callbackToken: token };
}

/** What "Normalise registration" answers. */
export interface NormaliseResult {
  readonly registrationId: string;
  /** `resubmission`: it answered a question on another registration and ends there. */
  readonly next: 'check' | 'resubmission';
}

/**
 * Step 1 (DESIGN §3.2): the partner as HubSpot knows it (a company of type partner whose domain
 * is the registered partner domain), the amount in USD at the configured rate, and whether this
 * submission is the partner's answer to an approver's question on an earlier registration of
 * the same customer — then it resumes that registration instead of starting a second one.
 */
export async function normaliseRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<NormaliseResult> {
  const registration = await loadRegistration(deps, registrationId);
  const { details, progress } = registration;
  if (progress?.status === 'merged') return { registrationId, next: 'resubmission' };

  const now = deps.now();
  const sameCustomer = await deps.book.byCustomerDomain(details.customerDomain);
  const answered = sameCustomer
    .filter(
      (other) =>
        other.registrationId !== registrationId &&
        other.details?.partnerDomain === details.partnerDomain &&
        other.submittedAt <= registration.record.submittedAt,
    )
    .map(openInformationRequest)
    .find((request) => request !== undefined);
  if (answered !== undefined) {
    const merged = await deps.book.saveProgress(
      registrationId,
      { status: 'merged', answers: answered.registrationId, updatedAt: now.toISOString() },
      { precondition: { statusIn: ['none'] } },
    );
    const claimed = await deps.book.claim(
      answered.registrationId,
      { attribute: 'informationCallbackToken', equals: answered.callbackToken },
      {
        set: { informationAnswer: { resubmissionId: registrationId, at: now.toISOString() } },
        remove: ['informationCallbackToken'],
      },
    );
    if (merged && claimed) {
      await deps.callbacks.succeed(answered.callbackToken, { resubmissionId: registrationId });
      deps.logger.info('resubmission answers an information request', {
        registrationId,
        answers: answered.registrationId,
      });
      return { registrationId, next: 'resubmission' };
    }
    if (merged) {
      // Another resubmission answered first: this one is a registration of its own after all.
      await deps.book.saveProgress(registrationId, { status: 'in-review', updatedAt: now.toISOString() });
    }
  }

  const partner = await deps.crm.findPartnerByDomain(details.partnerDomain);
  const amountUsdMinor = amountInUsdMinor(details.estimatedAmount, deps.usdRates);
  const normalised: RegistrationProgress = {
    ...(progress ?? {}),
    status: progress?.status ?? 'in-review',
    ...(partner === null ? {} : { partnerId: partner.id }),
    ...(partner?.name ? { partnerName: partner.name } : {}),
    ...(amountUsdMinor === undefined ? {} : { amountUsdMinor }),
    updatedAt: now.toISOString(),
  };
  await deps.book.saveProgress(registrationId, normalised, {
    precondition: { statusIn: ['none', 'in-review'] },
  });
  return { registrationId, next: 'check' };
}

function conflictStatus(record: StoredRegistration): RegistrationStatus | undefined {
  if (record.details === undefined) return undefined;
  switch (record.progress?.status) {
    case undefined:
      return 'submitted';
    case 'in-review':
    case 'awaiting-information':
      return 'in-review';
    case 'approved':
      return 'approved';
    case 'declined':
      return 'rejected';
    case 'expired':
      return 'expired';
    case 'merged':
      return 'withdrawn';
  }
}

function asOtherRegistration(record: StoredRegistration): OtherRegistration | undefined {
  const status = conflictStatus(record);
  const details = record.details;
  if (status === undefined || details === undefined) return undefined;
  const progress = record.progress;
  return {
    registrationId: record.registrationId,
    partnerId: progress?.partnerId ?? `domain:${details.partnerDomain}`,
    partnerDomain: details.partnerDomain,
    ...(progress?.partnerName ? { partnerName: progress.partnerName } : {}),
    customerDomain: details.customerDomain,
    customerCompanyName: details.customerCompanyKey,
    status,
    submittedAt: record.submittedAt,
    ...(progress?.approvedAt ? { approvedAt: progress.approvedAt } : {}),
    ...(progress?.expiresAt ? { expiresAt: progress.expiresAt } : {}),
  };
}

const engagementKinds = {
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  notes: 'note',
  tasks: 'task',
} as const;

/**
 * The evidence the conflict rules look at: registrations of the same customer (by domain, and by
 * the domains of CRM companies with a similar name), the customer's open deals and their owners,
 * direct-rep engagements within the look-back window, and deals closed won.
 */
async function gatherEvidence(deps: RegistrationWorkflowDependencies, registration: ValidRegistration) {
  const { details, record } = registration;
  const { policy } = deps.policy;
  const now = deps.now();
  const [byDomain, byName] = await Promise.all([
    deps.crm.findCompaniesByDomain(details.customerDomain),
    deps.crm.findCompaniesByName(details.customerCompanyName),
  ]);
  const customerCompanies = byDomain.filter((company) => company.type?.toUpperCase() !== 'PARTNER');
  const domains = new Set([details.customerDomain]);
  for (const company of byName.slice(0, 10)) {
    if (company.domain && company.type?.toUpperCase() !== 'PARTNER')
      domains.add(company.domain.toLowerCase());
  }
  const registrations = (await Promise.all([...domains].map((domain) => deps.book.byCustomerDomain(domain))))
    .flat()
    .filter((other) => other.registrationId !== record.registrationId)
    .map(asOtherRegistration)
    .filter((other) => other !== undefined);

  // Approvers are the channel team; everyone else who owns a deal or logs activity sells direct.
  const channelTeam = new Set(
    Object.values(policy.approvers).map((approver) => approver.email.toLowerCase()),
  );
  const lookBackMs = policy.conflicts.directActivity.lookBackDays * 86_400_000;
  const perCompany = await Promise.all(
    customerCompanies.map(async (company) => {
      const [open, won, engagements] = await Promise.all([
        deps.crm.openDealsOfCompany(company.id),
        deps.crm.closedWonDealsOfCompany(company.id),
        deps.crm.engagementsWithCompany(company.id, { from: now.getTime() - lookBackMs, to: now.getTime() }),
      ]);
      const openDeals: OpenDeal[] = open.map((deal) => {
        const ownerName = [deal.owner?.firstName, deal.owner?.lastName].filter(Boolean).join(' ');
        const usd =
          deal.amount === null
            ? undefined
            : amountInUsdMinor(
                { minorUnits: Math.round(deal.amount * 100), currency: deal.currency ?? 'USD' },
                deps.usdRates,
              );
        return {
          dealId: deal.id,
          dealName: deal.name ?? `Deal ${deal.id}`,
          ...(deal.ownerId === null ? {} : { ownerId: deal.ownerId }),
          ...(ownerName === '' ? {} : { ownerName }),
          ownerIsDirectRep:
            deal.ownerId !== null &&
            deal.registrationId === null &&
            !channelTeam.has((deal.owner?.email ?? '').toLowerCase()),
          ...(deal.stageId === null ? {} : { stage: deal.stageId }),
          ...(deal.createdAt === null ? {} : { createdAt: new Date(deal.createdAt).toISOString() }),
          ...(usd === undefined ? {} : { amountUsdMinor: usd }),
        };
      });
      const closedWonDeals: ClosedWonDeal[] = won.map((deal) => ({
        dealId: deal.id,
        dealName: deal.name ?? `Deal ${deal.id}`,
        closedAt: new Date(deal.closeDate ?? deal.createdAt ?? now.toISOString()).toISOString(),
      }));
      const directEngagements: DirectEngagement[] = engagements
        .filter((engagement) => engagement.ownerId !== null)
        .map((engagement) => ({
          engagementId: engagement.id,
          type: engagementKinds[engagement.type],
          ...(engagement.ownerId === null ? {} : { ownerId: engagement.ownerId }),
          occurredAt: new Date(engagement.occurredAt).toISOString(),
        }));
      return { openDeals, closedWonDeals, directEngagements };
    }),
  );
  return {
    otherRegistrations: registrations,
    openDeals: perCompany.flatMap((found) => found.openDeals),
    closedWonDeals: perCompany.flatMap((found) => found.closedWonDeals),
    directEngagements: perCompany.flatMap((found) => found.directEngagements),
  };
}

/** What "Check for channel conflict" answers: where the registration goes next, and why. */
export interface ConflictCheckResult {
  readonly next: 'auto-approve' | 'auto-reject' | 'approval' | 'resubmission';
  readonly outcome: string;
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Steps 2 and 3 (DESIGN §3.2): the conflict verdict `{outcome, ruleId, evidence[],
 * policyVersion}` under the current policy, stored with the registration, and the route it
 * leads to. A partner domain that is not a partner company in HubSpot makes the submission
 * business-invalid: it is declined with that reason.
 */
export async function checkRegistrationConflicts(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<ConflictCheckResult> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const { details, record } = registration;
  const now = deps.now().toISOString();
  if (progress.status === 'merged') {
    const reason = `This submission answered the question asked on registration ${progress.answers}; that registration goes on with it.`;
    return { next: 'resubmission', outcome: 'clear', ruleId: 'resubmission', reason };
  }
  if (progress.partnerId === undefined) {
    const reason = `${details.partnerDomain} is not a partner company in HubSpot, so the registration cannot be accepted. Ask the partner team to add the company as a partner, then submit again.`;
    return { next: 'auto-reject', outcome: 'reject', ruleId: 'unknown-partner', reason };
  }
  const evidence = await gatherEvidence(deps, registration);
  const under = registrationUnderCheck(
    { registrationId, submittedAt: record.submittedAt, details },
    { id: progress.partnerId, ...(progress.partnerName ? { name: progress.partnerName } : {}) },
    progress.amountUsdMinor ?? 0,
  );
  const verdict = checkConflicts(under, evidence, deps.policy);
  const facts = {
    customerCountry: details.customerCountry,
    cloudMarketplace: details.cloudMarketplace,
    amountUsdMinor: progress.amountUsdMinor ?? 0,
  };
  const routed = routeRegistration(verdict, facts, deps.policy);
  // Without a USD rate the amount cannot be compared with the thresholds: an approver decides.
  const route =
    progress.amountUsdMinor === undefined && routed.next === 'auto-approve'
      ? {
          next: 'approval' as const,
          reason: `No USD rate is configured for ${details.estimatedAmount.currency}, so the amount cannot be compared with the auto-approve limit; an approver decides.`,
        }
      : routed;
  await deps.book.saveProgress(registrationId, { ...progress, verdict, updatedAt: now });
  deps.logger.info('conflict check', {
    registrationId,
    outcome: verdict.outcome,
    ruleId: verdict.ruleId,
    next: route.next,
  });
  return { next: route.next, outcome: verdict.outcome, ruleId: verdict.ruleId, reason: route.reason };
}
