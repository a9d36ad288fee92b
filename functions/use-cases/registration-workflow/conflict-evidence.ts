import type {
  ClosedWonDeal,
  DirectEngagement,
  OpenDeal,
  OtherRegistration,
  RegistrationStatus,
} from '#domain/conflicts/conflict-input.ts';
import { isCurrencyCode, minorUnitDigits } from '#domain/money.ts';
import { comparableDomain, normaliseCompanyName } from '#domain/normalise.ts';
import type { WorkflowStatus } from '#domain/registration-progress.ts';
import type { CustomerRegistration } from '#domain/registration-standing.ts';
import type { Company, Deal, Owner } from '#ports/hubspot.ts';
import type { RegistrationWorkflowDependencies, ValidRegistration } from './dependencies.ts';
import { amountInUsdMinor } from './normalise-registration.ts';

/** A registration's workflow status in the words of the conflict rules. */
function conflictStatus(status: WorkflowStatus | undefined): RegistrationStatus {
  switch (status) {
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

function asOtherRegistration(row: CustomerRegistration): OtherRegistration {
  const { standing } = row;
  return {
    registrationId: row.registrationId,
    partnerId: standing.partnerId ?? `domain:${row.partnerDomain}`,
    partnerDomain: row.partnerDomain,
    partnerName: standing.partnerName || undefined,
    customerDomain: row.customerDomain,
    customerCompanyName: row.customerCompanyKey,
    status: conflictStatus(standing.status),
    receivedAt: row.receivedAt,
    approvedAt: standing.approvedAt || undefined,
    expiresAt: standing.expiresAt || undefined,
  };
}

/** An owner's name as HubSpot holds it ("Dana Reyes"), or undefined when it has none. */
function nameOf(owner: Owner | null | undefined): string | undefined {
  const name = [owner?.firstName, owner?.lastName].filter(Boolean).join(' ');
  return name === '' ? undefined : name;
}

/**
 * A deal's amount in US cents, or undefined when it cannot be given: no amount, no rate for its
 * currency, or an amount that is no price (a negative credit, a figure too large to convert).
 * HubSpot keeps a deal's `amount` as a decimal in the deal's currency, whose minor units are not
 * always cents (JPY has none, BHD three); a deal without a currency code is in USD, as registrations
 * default to.
 */
function dealAmountInUsdMinor(
  deal: Pick<Deal, 'amount' | 'currency'>,
  usdRates: Readonly<Record<string, string>>,
): number | undefined {
  const currency = deal.currency ?? 'USD';
  if (deal.amount === null || !Number.isFinite(deal.amount) || deal.amount < 0 || !isCurrencyCode(currency))
    return undefined;
  const minorUnits = Math.round(deal.amount * 10 ** minorUnitDigits(currency));
  if (!Number.isSafeInteger(minorUnits)) return undefined;
  try {
    return amountInUsdMinor({ minorUnits, currency }, usdRates);
  } catch {
    // A figure whose USD value is beyond what money is kept in says nothing an approver can use.
    return undefined;
  }
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
 * the domains of CRM companies with a similar name) received from `receivedFrom` on, the
 * customer's open deals and their owners, direct-rep engagements from the look-back window
 * before `engagementsFrom` (the registration's receipt, or its claimed time when earlier) until
 * now, and deals closed won. `sameDomain` are the registrations of the customer's own domain,
 * already read by the caller.
 */
export async function gatherEvidence(
  deps: Pick<RegistrationWorkflowDependencies, 'book' | 'crm' | 'policy' | 'usdRates' | 'now'>,
  registration: {
    readonly record: Pick<ValidRegistration['record'], 'registrationId'>;
    readonly details: Pick<ValidRegistration['details'], 'customerDomain' | 'customerCompanyName'>;
  },
  customer: {
    readonly receivedFrom: string;
    readonly sameDomain: readonly CustomerRegistration[];
    /** The registrations that came first by the order of their checks (`check-order.ts`). */
    readonly checkedFirst?: ReadonlySet<string>;
    readonly engagementsFrom: string;
  },
) {
  const { details, record } = registration;
  const { policy } = deps.policy;
  const now = deps.now();
  // The name is searched without its legal suffix: "Globex Corporation" is found by "globex",
  // not by "Corporation", which every corporation shares.
  // A name with nothing to match by (an AWS referral's "—") searches for no company by name.
  const nameKey = normaliseCompanyName(details.customerCompanyName);
  const [byDomain, byName] = await Promise.all([
    deps.crm.findCompaniesByDomain(details.customerDomain),
    nameKey === '' ? Promise.resolve([]) : deps.crm.findCompaniesByName(nameKey),
  ]);
  const notPartner = (company: { type?: string | null | undefined }) =>
    company.type?.toUpperCase() !== 'PARTNER';
  // A company's domain as someone keyed it into HubSpot ("www.globex.com", "us.globex.com") is
  // compared as the registrable domain registrations carry.
  const domainOf = (company: { domain?: string | null | undefined }) =>
    company.domain ? comparableDomain(company.domain) : undefined;
  // A company with several domains holds the others in `hs_additional_domains` (HubSpot
  // "Companies", CRM API guide): registered under any of them, it is the same customer.
  const domainsOf = (company: Company) =>
    [company.domain, ...(company.additionalDomains ?? [])]
      .filter((domain): domain is string => typeof domain === 'string' && domain.trim() !== '')
      .map(comparableDomain);
  const holdsCustomerDomain = (company: Company) => domainsOf(company).includes(details.customerDomain);
  const customerCompanies = [
    ...new Map(
      [
        ...byDomain.filter(notPartner),
        ...byName.filter((company) => notPartner(company) && holdsCustomerDomain(company)),
      ].map((company) => [company.id, company]),
    ).values(),
  ];
  const customerDomains = new Set(customerCompanies.flatMap(domainsOf));
  customerDomains.delete(details.customerDomain);
  const similarDomains = new Set<string>(customerDomains);
  for (const company of byName.slice(0, 10)) {
    const domain = domainOf(company);
    if (domain !== undefined && notPartner(company)) similarDomains.add(domain);
  }
  similarDomains.delete(details.customerDomain);
  const similar = await Promise.all(
    [...similarDomains].map((domain) => deps.book.byCustomerDomain(domain, customer.receivedFrom)),
  );
  const registrations = [customer.sameDomain, ...similar]
    .flat()
    .filter((other) => other.registrationId !== record.registrationId)
    .map((row) =>
      customer.checkedFirst?.has(row.registrationId) === true
        ? { ...asOtherRegistration(row), checkedFirst: true as const }
        : asOtherRegistration(row),
    );

  // The channel team is the approvers and whoever else the policy names; everyone else who owns a
  // deal or logs activity sells direct.
  const channelTeam = new Set(
    [
      ...Object.values(policy.approvers).map((approver) => approver.email),
      ...(policy.conflicts.directActivity.channelTeam ?? []),
    ].map((email) => email.toLowerCase()),
  );
  const lookBackMs = policy.conflicts.directActivity.lookBackDays * 86_400_000;
  const engagementsFrom = Math.min(Date.parse(customer.engagementsFrom), now.getTime()) - lookBackMs;
  const perCompany = await Promise.all(
    customerCompanies.map(async (company) => {
      const [open, won, engagements] = await Promise.all([
        deps.crm.openDealsOfCompany(company.id),
        deps.crm.closedWonDealsOfCompany(company.id),
        deps.crm.engagementsWithCompany(company.id, { from: engagementsFrom, to: now.getTime() }),
      ]);
      const openDeals: OpenDeal[] = open.map((deal) => {
        const ownerName = nameOf(deal.owner);
        const usd = dealAmountInUsdMinor(deal, deps.usdRates);
        return {
          dealId: deal.id,
          dealName: deal.name ?? `Deal ${deal.id}`,
          ownerId: deal.ownerId ?? undefined,
          ownerName: ownerName || undefined,
          // A deal an approval linked to a registration stays the rep's: once that registration
          // ends, the rep still sells to the customer. Only this registration's own deal (the check
          // run again after it was registered) is not another's activity.
          ownerIsDirectRep:
            deal.ownerId !== null &&
            deal.registrationId !== record.registrationId &&
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
      // A channel manager's own calls, meetings and emails with the customer are not a direct
      // rep's, as the deals they own are not.
      const directEngagements: DirectEngagement[] = engagements
        .filter(
          (engagement) =>
            engagement.ownerId !== null && !channelTeam.has((engagement.owner?.email ?? '').toLowerCase()),
        )
        .map((engagement) => ({
          engagementId: engagement.id,
          type: engagementKinds[engagement.type],
          ownerId: engagement.ownerId ?? undefined,
          ownerName: nameOf(engagement.owner),
          occurredAt: new Date(engagement.occurredAt).toISOString(),
        }));
      return { openDeals, closedWonDeals, directEngagements };
    }),
  );
  return {
    otherRegistrations: registrations,
    customerDomains: [...customerDomains].sort(),
    openDeals: perCompany.flatMap((found) => found.openDeals),
    closedWonDeals: perCompany.flatMap((found) => found.closedWonDeals),
    directEngagements: perCompany.flatMap((found) => found.directEngagements),
  };
}
