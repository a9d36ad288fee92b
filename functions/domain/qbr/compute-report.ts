import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { Policy } from '#domain/policy/policy-schema.ts';
import { attributionSummary, investmentReturns, roiByInvestmentType } from './attribution.ts';
import { awsView, coSellFindings } from './aws-view.ts';
import type { CrmDealsRead } from './crm-deal.ts';
import { withFindingContext } from './finding-context.ts';
import { type BrokenChain, type RetroactiveChange, reconcile } from './findings.ts';
import { quarterPeriod } from './fiscal-calendar.ts';
import { dollars, funnelRegistrations, funnelRows, funnelTotals, ratio } from './funnel.ts';
import type { OpportunityFacts } from './opportunity-facts.ts';
import { type AttributionDefinitions, closedWonUsdMinorIn } from './quarter-figures.ts';
import type { QbrRegistration } from './registration-view.ts';
import {
  type DigestStatus,
  type Funnel,
  type FunnelRow,
  type InvestmentRow,
  type QbrException,
  type QbrReport,
  qbrReportSchema,
  type RoiRow,
  rankFindings,
  type SlaSummary,
  severities,
} from './report.ts';
import { policyExceptions, type SlaCase, slaCases, slaSummary } from './sla.ts';

export interface QbrReportInputs {
  readonly quarter: FiscalQuarter;
  /** Business and system time of every figure (ISO, UTC, milliseconds). */
  readonly asOf: string;
  readonly generatedAt: string;
  readonly policy: Policy;
  readonly policyVersion: string;
  /** Every ledger chain projected at asOf (campaign chains included). */
  readonly facts: readonly OpportunityFacts[];
  /** The registrations table (records received after asOf are ignored). */
  readonly registrations: readonly QbrRegistration[];
  /** HubSpot's current deals; undefined skips the CRM reconciliation. */
  readonly crm: CrmDealsRead | undefined;
  readonly integrity: {
    readonly chains: number;
    readonly chainsNotInLedger: number;
    /** What the chains were checked against; omitted: no digests. */
    readonly digests?: DigestStatus | undefined;
    readonly entries: number;
    readonly broken: readonly BrokenChain[];
    /** Entries left out of `facts` because they fail the ledger check; omitted: none. */
    readonly excludedEntries?: number | undefined;
  };
  readonly retroactive: readonly RetroactiveChange[];
  readonly orphanAfterDays: number;
  /** The HubSpot portal (hub) id, so findings link to deal records; omitted: no links. */
  readonly hubspotPortalId?: number | undefined;
}

/** The definitions of the policy in the form the computations take. */
export function attributionDefinitions(policy: Policy): AttributionDefinitions {
  return {
    sourcedTypes: policy.definitions.partnerSourced.relationshipTypes,
    influencedTypes: policy.definitions.partnerInfluenced.relationshipTypes,
  };
}

/** Everything of the report that does not need HubSpot, worked out while HubSpot is still being read. */
interface PreparedQbrReport {
  readonly inputs: Omit<QbrReportInputs, 'crm'>;
  readonly definitions: AttributionDefinitions;
  readonly funnel: Funnel;
  readonly byCampaign: FunnelRow[];
  readonly byPartner: FunnelRow[];
  readonly byCloudMarketplace: FunnelRow[];
  readonly byRegion: FunnelRow[];
  readonly roiByInvestmentType: RoiRow[];
  readonly investments: InvestmentRow[];
  readonly sla: SlaSummary;
  readonly slaCases: readonly SlaCase[];
  readonly exceptions: QbrException[];
  readonly closedWonUsdMinor: number;
}

/**
 * The first half of {@link computeQbrReport}: the funnel and its breakdowns, ROI, SLA and
 * exceptions, none of which depend on HubSpot — so a build can compute them while the deals are
 * still being read under the rate limit.
 */
export function prepareQbrReport(inputs: Omit<QbrReportInputs, 'crm'>): PreparedQbrReport {
  const { quarter, asOf, policy } = inputs;
  const cohort = funnelRegistrations(inputs.registrations, inputs.facts, {
    quarter,
    asOf,
    regions: policy.regions,
    formFieldMapping: policy.formFieldMapping,
  });
  const cases = slaCases(inputs.registrations, quarter, asOf);
  const returns = investmentReturns(inputs.facts, quarter);
  return {
    inputs,
    definitions: attributionDefinitions(policy),
    funnel: funnelTotals(cohort),
    byCampaign: funnelRows(cohort, 'campaign'),
    byPartner: funnelRows(cohort, 'partner'),
    byCloudMarketplace: funnelRows(cohort, 'cloudMarketplace'),
    byRegion: funnelRows(cohort, 'region'),
    roiByInvestmentType: roiByInvestmentType(returns),
    investments: returns.map(({ revenueUsdMinor: _revenue, usdMinor: _invested, ...row }) => row),
    sla: slaSummary(cases, policy.calendar),
    slaCases: cases,
    exceptions: policyExceptions(inputs.registrations, quarter, asOf),
    closedWonUsdMinor: closedWonUsdMinorIn(inputs.facts, quarter),
  };
}

/**
 * The second half of {@link computeQbrReport}: the attribution views (the CRO's comes from
 * HubSpot) and the reconciliation findings, then the whole report checked against its schema.
 */
export function finishQbrReport(prepared: PreparedQbrReport, crm: CrmDealsRead | undefined): QbrReport {
  const { inputs, definitions, sla, exceptions } = prepared;
  const { quarter, asOf, policy } = inputs;
  const partnerNames = new Map<string, string>();
  for (const record of inputs.registrations) {
    const { partnerId, partnerName } = record.progress ?? {};
    if (partnerId !== undefined && partnerName !== undefined) partnerNames.set(partnerId, partnerName);
  }
  const attribution = attributionSummary(
    inputs.facts,
    quarter,
    definitions,
    policy.definitions.croView,
    crm,
    partnerNames,
  );
  const reconciled = reconcile({
    quarter,
    asOf,
    definitions,
    croDealProperty: policy.definitions.croView.dealProperty,
    facts: inputs.facts,
    records: inputs.registrations,
    crm,
    broken: inputs.integrity.broken,
    retroactive: inputs.retroactive,
    differenceDeals: attribution.differenceDeals,
    croView: attribution.croView,
    exceptions,
    slaCases: prepared.slaCases,
    orphanAfterDays: inputs.orphanAfterDays,
    partnerNames,
  });
  const coSell = { policy: policy.coSell, quarter, asOf, facts: inputs.facts };
  const findings = withFindingContext(rankFindings([...reconciled, ...coSellFindings({ ...coSell, crm })]), {
    policy,
    records: inputs.registrations,
    facts: inputs.facts,
    crm,
    hubspotPortalId: inputs.hubspotPortalId,
  });
  const bySeverity = Object.fromEntries(
    severities.map((severity) => [
      severity,
      findings.filter((finding) => finding.severity === severity).length,
    ]),
  ) as Record<(typeof severities)[number], number>;
  return qbrReportSchema.parse({
    quarter: quarter.label,
    period: quarterPeriod(quarter),
    hubspotRead: crm !== undefined,
    asOf,
    generatedAt: inputs.generatedAt,
    policyVersion: inputs.policyVersion,
    timeZone: policy.calendar.timeZone,
    scorecard: {
      closedWonAmount: dollars(prepared.closedWonUsdMinor),
      partnerSourcedRevenue: attribution.partnerSourcedRevenue,
      croPartnerRevenue: attribution.croPartnerRevenue,
      // An approval still waiting past its deadline is a breach like a late decision: left out, an
      // approver who never decides would score better than one who decides late.
      slaCompliance: ratio(sla.withinSla, sla.decisions + sla.waitingPastDeadline),
      findings: bySeverity,
    },
    funnel: prepared.funnel,
    byCampaign: prepared.byCampaign,
    byPartner: prepared.byPartner,
    byCloudMarketplace: prepared.byCloudMarketplace,
    byRegion: prepared.byRegion,
    attribution,
    awsView: awsView({ ...coSell, records: inputs.registrations }),
    roiByInvestmentType: prepared.roiByInvestmentType,
    investments: prepared.investments,
    sla,
    exceptions,
    findings,
    integrity: {
      chains: inputs.integrity.chains,
      chainsNotInLedger: inputs.integrity.chainsNotInLedger,
      entries: inputs.integrity.entries,
      broken: inputs.integrity.broken.length,
      excludedEntries: inputs.integrity.excludedEntries ?? 0,
      digests: inputs.integrity.digests ?? {
        status: 'none',
        detail: 'no digests to check the ledger against',
      },
    },
  });
}

/**
 * Computes the pre-QBR report from data already gathered. Pure and deterministic: the same
 * inputs give the same report, `generatedAt` aside.
 */
export function computeQbrReport(inputs: QbrReportInputs): QbrReport {
  const { crm, ...rest } = inputs;
  return finishQbrReport(prepareQbrReport(rest), crm);
}
