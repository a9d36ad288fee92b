import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { routeApproval } from '#domain/policy/approver-routing.ts';
import type { Policy } from '#domain/policy/policy-schema.ts';
import { type CrmDealsRead, dealOwnerWords } from './crm-deal.ts';
import { dollars } from './funnel.ts';
import type { OpportunityFacts } from './opportunity-facts.ts';
import type { QbrRegistration } from './registration-view.ts';
import type { Finding, FindingContext } from './report.ts';

/** What the report knows about partners, customers, deals and approvers, to name them in findings. */
export interface FindingContextSources {
  readonly policy: Policy;
  readonly records: readonly QbrRegistration[];
  readonly facts: readonly OpportunityFacts[];
  readonly crm: CrmDealsRead | undefined;
  /** The HubSpot portal (hub) id, for record links; undefined: no links to HubSpot. */
  readonly hubspotPortalId?: number | undefined;
}

/**
 * A deal's record in HubSpot, as the HubSpot app addresses it (deals are object type 0-3:
 * HubSpot's "Object type IDs" table in the CRM API documentation).
 */
export function hubspotDealUrl(portalId: number, dealId: string): string {
  return `https://app.hubspot.com/contacts/${portalId}/record/0-3/${encodeURIComponent(dealId)}`;
}

/** Findings the HubSpot deal owner has to act on: the deal differs from the ledger in HubSpot. */
const dealOwnerFindings: ReadonlySet<Finding['code']> = new Set([
  'ATTRIBUTION_DRIFT',
  'AMOUNT_DRIFT',
  'STAGE_DRIFT',
  'COSELL_DRIFT',
  'CLOSE_DATE_MISMATCH',
]);

function person(approver: { readonly name: string; readonly email: string }): string {
  return `${approver.name} <${approver.email}>`;
}

/**
 * Adds to every finding who and what it is about: the partner and customer by name, the deal and
 * the amount at stake, who has to act (the approver a waiting registration sits with now, or who
 * decided it), the deadline in the policy's time zone with the zone named, and a link to the
 * deal's HubSpot record when the portal id is known.
 */
export function withFindingContext(findings: readonly Finding[], sources: FindingContextSources): Finding[] {
  const records = new Map(sources.records.map((record) => [record.registrationId, record]));
  const facts = new Map(sources.facts.map((item) => [item.opportunityId, item]));
  const partnerNames = new Map<string, string>();
  for (const record of sources.records) {
    const { partnerId, partnerName } = record.progress ?? {};
    if (partnerId !== undefined && partnerName !== undefined) partnerNames.set(partnerId, partnerName);
  }
  const timeZone = sources.policy.calendar.timeZone;
  return findings.map((finding) => {
    const record = finding.registrationId === undefined ? undefined : records.get(finding.registrationId);
    const opportunityId = finding.opportunityId ?? record?.progress?.dealId;
    const fact = opportunityId === undefined ? undefined : facts.get(opportunityId);
    const deal = opportunityId === undefined ? undefined : sources.crm?.deals.get(opportunityId);
    const partnerId =
      record?.progress?.partnerId ??
      fact?.registrations.find((registration) => registration.registrationId === finding.registrationId)
        ?.partnerId ??
      fact?.activePartners[0]?.partnerId ??
      fact?.registrations[0]?.partnerId;
    const partner =
      record?.progress?.partnerName ??
      (partnerId === undefined ? undefined : (partnerNames.get(partnerId) ?? partnerId));
    const details = record?.details;
    const usdMinor = fact?.amount?.usdMinor ?? record?.progress?.amountUsdMinor;
    const context: {
      -readonly [K in keyof FindingContext]: FindingContext[K];
    } = { links: [] };
    if (partner !== undefined) context.partner = partner;
    const customer = details?.customerCompanyName ?? details?.customerDomain;
    if (customer !== undefined) context.customer = customer;
    const dealName = fact?.dealName ?? deal?.name ?? undefined;
    if (dealName !== undefined) context.deal = dealName;
    if (usdMinor !== undefined) context.amountUsd = dollars(usdMinor);
    const progress = record?.progress;
    if (finding.code === 'SLA_BREACH' && progress?.sla !== undefined) {
      const { decision, sla } = progress;
      // The SLA default is nobody to ask: who has to act is the approver who let it lapse.
      const defaulted = decision?.channel === 'sla-default';
      if (decision !== undefined && finding.evidence.decidedAt !== undefined && !defaulted) {
        context.owner = `${decision.decidedBy.name} <${decision.decidedBy.email}> (decided)`;
      } else {
        try {
          const route = routeApproval(sources.policy, {
            customerCountry: details?.customerCountry,
            cloudMarketplace: details?.cloudMarketplace ?? 'none',
            // No USD amount (no rate for its currency) is routed as the workflow routed it.
            amountUsdMinor: progress.amountUsdMinor,
          });
          const level =
            progress.firstLevel === undefined ? route.firstLevel : (route.secondLevel ?? route.firstLevel);
          const state = [
            ...(sla.escalations > 0 ? ['escalated'] : []),
            ...(defaulted ? ['the SLA default decided'] : []),
          ];
          context.owner = `${person(sla.escalations > 0 ? level.escalateTo : level.approver)}${state.length > 0 ? ` (${state.join('; ')})` : ''}`;
        } catch {
          // An approver the policy no longer names: the finding still stands, without an owner.
        }
      }
      context.deadline = new Date(sla.deadline).toISOString();
    } else if (
      finding.code === 'EXPIRED_STILL_ATTRIBUTED' &&
      typeof finding.evidence.expiredAt === 'string'
    ) {
      context.deadline = new Date(finding.evidence.expiredAt).toISOString();
    } else if (finding.code === 'POLICY_EXCEPTION' && progress?.decision !== undefined) {
      context.owner = person(progress.decision.decidedBy);
    } else if (dealOwnerFindings.has(finding.code) && deal?.ownerId !== undefined) {
      // The drift is fixed in HubSpot, by whoever owns the deal there.
      context.owner = dealOwnerWords(deal, sources.crm);
    }
    if (context.deadline !== undefined)
      context.deadlineLocal = formatDeadline(new Date(context.deadline), timeZone);
    if (
      opportunityId !== undefined &&
      !opportunityId.startsWith('campaign:') &&
      sources.hubspotPortalId !== undefined &&
      (sources.crm === undefined || !sources.crm.missing.has(opportunityId))
    ) {
      context.links.push({
        label: 'HubSpot deal',
        url: hubspotDealUrl(sources.hubspotPortalId, opportunityId),
      });
    }
    return { ...finding, context };
  });
}
