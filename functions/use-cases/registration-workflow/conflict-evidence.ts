import type {
  ClosedWonDeal,
  DirectEngagement,
  OpenDeal,
  OtherRegistration,
  RegistrationStatus,
} from '#domain/conflicts/conflict-input.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import type { RegistrationWorkflowDependencies, ValidRegistration } from './dependencies.ts';
import { amountInUsdMinor } from './normalise-registration.ts';

/** A registration's status in the words of the conflict rules; undefined when it was never valid. */
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
    partnerName: progress?.partnerName || undefined,
    customerDomain: details.customerDomain,
    customerCompanyName: details.customerCompanyKey,
    status,
    submittedAt: record.submittedAt,
    approvedAt: progress?.approvedAt || undefined,
    expiresAt: progress?.expiresAt || undefined,
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
export async function gatherEvidence(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
) {
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
          ownerId: deal.ownerId ?? undefined,
          ownerName: ownerName || undefined,
          ownerIsDirectRep:
            deal.ownerId !== null &&
            deal.registrationId === null &&
            !channelTeam.has((deal.owner?.email ?? '').toLowerCase()),
          stage: deal.stageId ?? undefined,
          createdAt: deal.createdAt === null ? undefined : new Date(deal.createdAt).toISOString(),
          amountUsdMinor: usd,
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
          ownerId: engagement.ownerId ?? undefined,
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
