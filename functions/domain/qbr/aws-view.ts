import { calendarDateOf } from '#domain/business-hours/calendar-date.ts';
import { coSellSelection } from '#domain/co-sell/co-sell-selection.ts';
import { contractValueMinor, defaultContractMonths, monthlyMinor } from '#domain/co-sell/expected-spend.ts';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { CoSellState } from '#domain/ledger/projection.ts';
import { formatMoney, freezeMoney, minorUnitDigits } from '#domain/money.ts';
import type { CoSellPolicy } from '#domain/policy/policy-schema.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import { type CrmDeal, type CrmDealsRead, dealOwnerWords } from './crm-deal.ts';
import { dollars } from './funnel.ts';
import type { OpportunityFacts } from './opportunity-facts.ts';
import { wonIn } from './quarter-figures.ts';
import type { QbrRegistration } from './registration-view.ts';
import type { AwsFigure, AwsPartnerRow, AwsView, Finding } from './report.ts';

/**
 * The AWS view of the pre-QBR report and its three findings, from the ledger alone: the ACE
 * review status and stage Partner Central last reported (CoSellStatusChanged) and HubSpot's deal as
 * the reconciliation reads it. Pure. Co-sell entries never change attribution: nothing here feeds
 * the partner-sourced, influenced or CRO figures.
 */

/** One figure of the AWS view as the report shows it: its label, a short name and its count and amount. */
export interface AwsViewFigureRow extends AwsFigure {
  /** As the email and the CSV files name it, e.g. `Approved by AWS`. */
  readonly label: string;
  /** As the one-screen summary names it, e.g. `approved`. */
  readonly short: string;
}

/** The AWS view's figures in the order every rendering of the report shows them. */
export function awsViewFigureRows(view: AwsView): AwsViewFigureRow[] {
  const review = view.byReviewStatus;
  const row = (label: string, short: string, value: AwsFigure): AwsViewFigureRow => ({
    label,
    short,
    ...value,
  });
  return [
    row('Shared with ACE', 'shared', view.shared),
    row('Submitted to AWS', 'submitted', view.submitted),
    row('Approved by AWS', 'approved', review.Approved),
    row('Action Required', 'action required', review['Action Required']),
    row('Rejected by AWS', 'rejected', review.Rejected),
    row('In review / Submitted', 'in review', review['In review / Submitted']),
    row('Pending Submission', 'pending submission', review['Pending Submission']),
    row('Launched (ACE stage)', 'launched', view.launched),
    row('Closed Lost (ACE stage)', 'closed lost', view.closedLost),
  ];
}

/** ACE's `Stage` values the view counts (Partner Central Selling API, `Stage`). */
const launched = 'Launched';
const closedLost = 'Closed Lost';

/** A registration approved less than this long before asOf may still be on its way to ACE. */
export const coSellShareGraceMinutes = 60;

interface Counter {
  opportunities: number;
  usdMinor: number;
}

const counter = (): Counter => ({ opportunities: 0, usdMinor: 0 });
const figure = (value: Counter): AwsFigure => ({
  opportunities: value.opportunities,
  amount: dollars(value.usdMinor),
});

type ReviewBucket = keyof AwsView['byReviewStatus'];

/** Partner Central's review status in the view's buckets (`Submitted` and `In review` together). */
function reviewBucket(state: CoSellState): ReviewBucket {
  switch (state.reviewStatus) {
    case 'Approved':
    case 'Action Required':
    case 'Rejected':
      return state.reviewStatus;
    case 'Submitted':
    case 'In review':
      return 'In review / Submitted';
    default:
      return state.submittedToAws ? 'In review / Submitted' : 'Pending Submission';
  }
}

/** The ACE opportunity's amount in the view: the deal's amount in the ledger, else the estimate shared. */
function usdMinorOf(item: OpportunityFacts, state: CoSellState): number {
  return (
    item.amount?.usdMinor ??
    item.registrations.find((registration) => registration.registrationId === state.registrationId)
      ?.estimatedUsdMinor ??
    0
  );
}

/** The ACE opportunities of the quarter: shared with Partner Central inside it, by asOf. */
function sharedInQuarter(
  facts: readonly OpportunityFacts[],
  quarter: FiscalQuarter,
  asOf: string,
): { item: OpportunityFacts; state: CoSellState }[] {
  const shared: { item: OpportunityFacts; state: CoSellState }[] = [];
  for (const item of facts) {
    const state = item.coSell;
    if (item.campaignChain || state === undefined) continue;
    if (state.sharedAt < quarter.start || state.sharedAt >= quarter.end || state.sharedAt > asOf) continue;
    shared.push({ item, state });
  }
  return shared;
}

function partnerNames(records: readonly QbrRegistration[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const record of records) {
    const { partnerId, partnerName } = record.progress ?? {};
    if (partnerId !== undefined && partnerName !== undefined) names.set(partnerId, partnerName);
  }
  return names;
}

/** The AWS view; `null` when co-sell is off in the policy. */
export function awsView(inputs: {
  readonly policy: CoSellPolicy;
  readonly quarter: FiscalQuarter;
  readonly asOf: string;
  readonly facts: readonly OpportunityFacts[];
  readonly records: readonly QbrRegistration[];
}): AwsView | null {
  if (!inputs.policy.enabled) return null;
  const totals = {
    shared: counter(),
    submitted: counter(),
    launched: counter(),
    closedLost: counter(),
  };
  const byReview: Record<ReviewBucket, Counter> = {
    Approved: counter(),
    'Action Required': counter(),
    Rejected: counter(),
    'In review / Submitted': counter(),
    'Pending Submission': counter(),
  };
  const names = partnerNames(inputs.records);
  const rows = new Map<string, Record<Exclude<keyof AwsPartnerRow, 'key' | 'label'>, Counter>>();
  const add = (value: Counter, usdMinor: number) => {
    value.opportunities += 1;
    value.usdMinor += usdMinor;
  };
  const shared = sharedInQuarter(inputs.facts, inputs.quarter, inputs.asOf);
  for (const { item, state } of shared) {
    const usdMinor = usdMinorOf(item, state);
    const bucket = reviewBucket(state);
    const partnerId =
      item.registrations.find((registration) => registration.registrationId === state.registrationId)
        ?.partnerId ?? 'unknown';
    let row = rows.get(partnerId);
    if (row === undefined) {
      row = {
        shared: counter(),
        submitted: counter(),
        approved: counter(),
        actionRequired: counter(),
        rejected: counter(),
        launched: counter(),
        closedLost: counter(),
      };
      rows.set(partnerId, row);
    }
    add(totals.shared, usdMinor);
    add(row.shared, usdMinor);
    add(byReview[bucket], usdMinor);
    if (bucket !== 'Pending Submission') {
      add(totals.submitted, usdMinor);
      add(row.submitted, usdMinor);
    }
    if (bucket === 'Approved') add(row.approved, usdMinor);
    if (bucket === 'Action Required') add(row.actionRequired, usdMinor);
    if (bucket === 'Rejected') add(row.rejected, usdMinor);
    if (state.stage === launched) {
      add(totals.launched, usdMinor);
      add(row.launched, usdMinor);
    }
    if (state.stage === closedLost) {
      add(totals.closedLost, usdMinor);
      add(row.closedLost, usdMinor);
    }
  }
  const byPartner = [...rows.entries()]
    .map(([key, row]) => ({
      key,
      label: names.get(key) ?? key,
      shared: figure(row.shared),
      submitted: figure(row.submitted),
      approved: figure(row.approved),
      actionRequired: figure(row.actionRequired),
      rejected: figure(row.rejected),
      launched: figure(row.launched),
      closedLost: figure(row.closedLost),
    }))
    .sort((a, b) => b.shared.amount - a.shared.amount || a.label.localeCompare(b.label));
  return {
    catalog: inputs.policy.catalog,
    shared: figure(totals.shared),
    submitted: figure(totals.submitted),
    byReviewStatus: {
      Approved: figure(byReview.Approved),
      'Action Required': figure(byReview['Action Required']),
      Rejected: figure(byReview.Rejected),
      'In review / Submitted': figure(byReview['In review / Submitted']),
      'Pending Submission': figure(byReview['Pending Submission']),
    },
    launched: figure(totals.launched),
    closedLost: figure(totals.closedLost),
    byPartner,
  };
}

interface CoSellFindingInputs {
  readonly policy: CoSellPolicy;
  readonly quarter: FiscalQuarter;
  readonly asOf: string;
  readonly facts: readonly OpportunityFacts[];
  readonly crm: CrmDealsRead | undefined;
}

const hourMs = 3_600_000;
const aceName = (state: CoSellState) =>
  `ACE opportunity ${state.aceOpportunityId} (${state.catalog} catalog)`;

/**
 * How far ACE's contract value may be from HubSpot's amount before it is a finding: more than
 * 1% and more than $1. Dealreg rounds the monthly spend it sends to the cent, so the value read
 * back differs from the amount it came from by up to half a cent a month (72 cents over the
 * longest contract, 144 months): under $1. 1% leaves out exchange-rate rounding and small
 * changes that do not change how AWS sees the deal.
 */
export const coSellValueTolerance = { ratio: 0.01, usdMinor: 100 } as const;

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
/** Money in the words of every other finding (`formatMoney`: `USD 120,000.00`). */
const usdText = (usdMinor: number) => formatMoney({ minorUnits: usdMinor, currency: 'USD' });

/**
 * The USD rate the ledger froze for `currency` on this opportunity (its amount's, else 1 for USD):
 * the conversion the report uses for every amount. Undefined when the chain has none.
 */
function frozenUsdRate(item: OpportunityFacts, currency: string): string | undefined {
  if (currency === 'USD') return '1';
  return item.amount?.currency === currency ? item.amount.usdRate : undefined;
}

interface DealValue {
  readonly usdMinor: number;
  /** In its own currency, with its USD value beside it when that is another: `EUR 100,000.00 (USD 108,000.00)`. */
  readonly text: string;
}

function amountText(amountMinor: number, currency: string, usdMinor?: number): string {
  const own = formatMoney({ minorUnits: amountMinor, currency });
  return currency === 'USD' || usdMinor === undefined ? own : `${own} (${usdText(usdMinor)})`;
}

/** The deal's amount in USD: HubSpot's when it was read, else the ledger's (which follows HubSpot). */
function dealValue(item: OpportunityFacts, deal: CrmDeal | undefined): DealValue | undefined {
  if (deal !== undefined && deal.amount !== null) {
    const currency = deal.currency ?? item.amount?.currency ?? 'USD';
    const rate = frozenUsdRate(item, currency);
    if (rate === undefined) return undefined;
    try {
      const minor = Math.round(deal.amount * 10 ** minorUnitDigits(currency));
      const usdMinor = freezeMoney(minor, currency, rate).usdMinor;
      return { usdMinor, text: amountText(minor, currency, usdMinor) };
    } catch {
      return undefined;
    }
  }
  if (item.amount === undefined) return undefined;
  const { amountMinor, currency, usdMinor } = item.amount;
  return { usdMinor, text: amountText(amountMinor, currency, usdMinor) };
}

interface ValueDrift {
  readonly problem: string;
  readonly fix: string;
  readonly evidence: Finding['evidence'];
}

/**
 * ACE's contract value (its expected monthly spend times the months Dealreg spread the amount
 * over when it shared) against the deal's amount, both in USD; a drift beyond
 * {@link coSellValueTolerance}. Nothing when the ledger has no spend for the opportunity (shared
 * before Dealreg recorded it and not read back since) or no rate to compare it in USD.
 */
function valueDrift(
  item: OpportunityFacts,
  state: CoSellState,
  deal: CrmDeal | undefined,
  where: string,
  owner: string,
): ValueDrift | undefined {
  const spend = state.expectedMonthlySpend;
  if (spend === undefined) return undefined;
  const months = state.contractMonths ?? defaultContractMonths;
  const valueMinor = contractValueMinor(spend, months);
  const rate = frozenUsdRate(item, spend.currency);
  const hubspot = dealValue(item, deal);
  if (valueMinor === undefined || rate === undefined || hubspot === undefined) return undefined;
  const aceUsdMinor = freezeMoney(valueMinor, spend.currency, rate).usdMinor;
  const difference = Math.abs(aceUsdMinor - hubspot.usdMinor);
  if (difference <= coSellValueTolerance.usdMinor) return undefined;
  if (difference <= coSellValueTolerance.ratio * hubspot.usdMinor) return undefined;
  const monthlyUsdMinor = Math.round(hubspot.usdMinor / months);
  return {
    problem: `${aceName(state)} expects ${amountText(monthlyMinor(spend) ?? 0, spend.currency)} a month, ${usdText(aceUsdMinor)} over the ${months} months Dealreg shared it for, but the deal is worth ${hubspot.text} in ${where}`,
    fix: `set the expected monthly spend of ${state.aceOpportunityId} in Partner Central to ${usdText(monthlyUsdMinor)} (the deal's amount over ${months} months), or, if AWS's figure is right, ask ${owner} to correct the deal's amount in HubSpot`,
    evidence: {
      aceMonthlySpend: spend.amount,
      aceSpendCurrency: spend.currency,
      aceContractMonths: months,
      aceContractValueUsd: dollars(aceUsdMinor),
      dealAmountUsd: dollars(hubspot.usdMinor),
      valueDifferenceUsd: dollars(difference),
    },
  };
}

/**
 * COSELL_DRIFT: where the deal is closed (HubSpot when read, else the ledger, which follows
 * HubSpot's events) and ACE's stage says otherwise, or ACE says closed and the deal is not; or
 * where ACE's contract value is not the deal's amount. One finding per opportunity, naming the
 * stage and the value when both drift.
 */
function coSellDrift(
  item: OpportunityFacts,
  state: CoSellState,
  inputs: CoSellFindingInputs,
): Finding | undefined {
  const deal = inputs.crm?.deals.get(item.opportunityId);
  const won = deal?.closedWon ?? (item.outcome === 'won' ? true : null);
  // Closed lost as HubSpot's stage says when HubSpot was read (a closed stage that is not won, in
  // any pipeline), else as the ledger says.
  const lost =
    deal?.closed !== undefined && deal.closed !== null && deal.closedWon !== null
      ? deal.closed && !deal.closedWon
      : item.outcome === 'lost' && won !== true;
  const stage = state.stage ?? 'none recorded';
  const name = item.dealName ?? deal?.name ?? item.opportunityId;
  const where = deal === undefined ? 'the ledger (following HubSpot)' : 'HubSpot';
  let problem: string | undefined;
  if (won === true && state.stage !== launched)
    problem = `${name} is closed-won in ${where} but ${aceName(state)} is at stage ${stage}, not ${launched}`;
  else if (lost && state.stage !== closedLost)
    problem = `${name} is closed-lost in ${where} but ${aceName(state)} is at stage ${stage}, not ${closedLost}`;
  else if (state.stage === launched && won !== true)
    problem = `${aceName(state)} is ${launched} but ${name} is not closed-won in ${where} (${deal?.stageId ?? item.stage ?? 'no stage'})`;
  else if (state.stage === closedLost && !lost && won !== null)
    problem = `${aceName(state)} is ${closedLost} but ${name} is ${won ? 'closed-won' : 'not closed-lost'} in ${where} (${deal?.stageId ?? item.stage ?? 'no stage'})`;
  const owner = dealOwnerWords(deal, inputs.crm);
  const value = valueDrift(item, state, deal, where, owner);
  if (problem === undefined && value === undefined) return undefined;
  const stageFix = `Update the stage of ${state.aceOpportunityId} in Partner Central (Launched when won, Closed Lost when lost) or ask ${owner} to correct the deal in HubSpot`;
  const fixes = [...(problem === undefined ? [] : [stageFix]), ...(value === undefined ? [] : [value.fix])];
  const problems = [
    ...(problem === undefined ? [] : [problem]),
    ...(value === undefined ? [] : [value.problem]),
  ];
  return {
    code: 'COSELL_DRIFT',
    severity: wonIn(item, inputs.quarter) ? 'high' : 'medium',
    opportunityId: item.opportunityId,
    registrationId: state.registrationId,
    detail: `${problems.join('; and ')}: AWS and your CRM will count this deal differently.`,
    evidence: {
      drift:
        problem !== undefined && value !== undefined
          ? 'stage and value'
          : problem !== undefined
            ? 'stage'
            : 'value',
      aceOpportunityId: state.aceOpportunityId,
      aceStage: state.stage ?? null,
      aceReviewStatus: state.reviewStatus ?? null,
      aceStatusAt: state.statusAt ?? null,
      hubspotStage: deal?.stageId ?? null,
      hubspotClosedWon: deal?.closedWon ?? null,
      ledgerOutcome: item.outcome,
      ledgerUsd: item.amount === undefined ? null : dollars(item.amount.usdMinor),
      ...value?.evidence,
    },
    fix: `${capitalised(fixes.join('; '))}, so AWS's pipeline and yours agree before the meeting.`,
  };
}

/** COSELL_ACTION_REQUIRED: AWS sent the opportunity back and nobody answered within the policy's hours. */
function actionRequired(
  item: OpportunityFacts,
  state: CoSellState,
  inputs: CoSellFindingInputs,
): Finding | undefined {
  if (state.reviewStatus !== 'Action Required') return undefined;
  const since = state.statusAt ?? state.sharedAt;
  const hours = (Date.parse(inputs.asOf) - Date.parse(since)) / hourMs;
  const limit = inputs.policy.actionRequiredSlaHours;
  if (hours < limit) return undefined;
  return {
    code: 'COSELL_ACTION_REQUIRED',
    severity: 'high',
    opportunityId: item.opportunityId,
    registrationId: state.registrationId,
    detail: `AWS asked for changes to ${aceName(state)} for ${item.dealName ?? item.opportunityId} on ${calendarDateOf(since, inputs.quarter.timeZone)} and it has waited ${Math.floor(hours)} clock hours, over the ${limit} clock hours the policy allows (coSell.actionRequiredSlaHours, counted on the clock, not in business hours)${state.reviewComments === undefined ? '' : `; AWS wrote: "${state.reviewComments}"`}.`,
    evidence: {
      aceOpportunityId: state.aceOpportunityId,
      aceReviewStatus: state.reviewStatus,
      actionRequiredSince: since,
      hoursWaiting: Math.floor(hours),
      slaHours: limit,
      aceReviewComments: state.reviewComments ?? null,
    },
    fix: `Answer AWS's review comments on ${state.aceOpportunityId} in Partner Central and resubmit it; until then AWS does not work the deal with the partner.`,
  };
}

/** Who decided that a registration goes to AWS, as COSELL_MISSING's evidence says it. */
type DecidedBy = 'policy at approval' | 'current policy (approval predates the record)';

/**
 * Whether a registration was to be shared with AWS: the decision its approval recorded under the
 * policy then in force; for approvals recorded before Dealreg kept it, the current policy's rules.
 */
function coSellDecisionOf(
  registration: OpportunityFacts['registrations'][number],
  policy: CoSellPolicy,
):
  | { readonly share: boolean; readonly reason: string | undefined; readonly decidedBy: DecidedBy }
  | undefined {
  if (registration.coSellDecision !== undefined) {
    return { ...registration.coSellDecision, decidedBy: 'policy at approval' };
  }
  const { relationshipType, cloudMarketplace } = registration;
  if (relationshipType === undefined || cloudMarketplace === undefined) return undefined;
  const selection = coSellSelection(
    policy,
    {
      details: {
        cloudMarketplace: cloudMarketplace as Parameters<
          typeof coSellSelection
        >[1]['details']['cloudMarketplace'],
        estimatedAmount: { minorUnits: registration.estimatedUsdMinor ?? 0, currency: 'USD' },
        campaignId: registration.campaignId ?? '',
      },
      relationshipType: relationshipType as RelationshipType,
    },
    {},
  );
  return {
    share: selection.share,
    reason: selection.share ? undefined : selection.reason,
    decidedBy: 'current policy (approval predates the record)',
  };
}

/**
 * COSELL_MISSING: an approval of the quarter that was to go to AWS (by the decision recorded at
 * approval, else the current policy), with no ACE opportunity in the ledger.
 */
function missing(item: OpportunityFacts, inputs: CoSellFindingInputs): Finding[] {
  if (item.coSell !== undefined) return [];
  const latest = new Date(Date.parse(inputs.asOf) - coSellShareGraceMinutes * 60_000).toISOString();
  const findings: Finding[] = [];
  for (const registration of item.registrations) {
    const { approvedAt, relationshipType, cloudMarketplace } = registration;
    if (approvedAt === undefined) continue;
    if (approvedAt < inputs.quarter.start || approvedAt >= inputs.quarter.end || approvedAt > latest)
      continue;
    const decision = coSellDecisionOf(registration, inputs.policy);
    if (decision === undefined || !decision.share) continue;
    const atApproval = decision.decidedBy === 'policy at approval';
    findings.push({
      code: 'COSELL_MISSING',
      severity: 'medium',
      opportunityId: item.opportunityId,
      registrationId: registration.registrationId,
      detail: `Registration ${registration.registrationId} (${item.dealName ?? item.opportunityId}) was approved as ${relationshipType ?? 'unknown'} on ${calendarDateOf(approvedAt, inputs.quarter.timeZone)} for the ${cloudMarketplace ?? 'unknown'} marketplace, which ${atApproval ? 'the policy in force at the approval shared' : 'the current policy shares (the approval predates the recorded decision)'} with AWS, but the ledger has no ACE opportunity for it: AWS does not see this deal.`,
      evidence: {
        approvedAt,
        approved: relationshipType ?? null,
        cloudMarketplace: cloudMarketplace ?? null,
        estimatedUsd:
          registration.estimatedUsdMinor === undefined ? null : dollars(registration.estimatedUsdMinor),
        decidedBy: decision.decidedBy,
        decisionReason: decision.reason ?? null,
        minAmountUsd: atApproval ? null : inputs.policy.minAmountUsd,
      },
      fix: atApproval
        ? 'Check the co-sell share of this registration (its workflow run and the Partner Central errors in the logs), then share it again: the policy in force at its approval sent it to AWS, so changing the policy now does not undo that.'
        : 'Check the co-sell share of this registration (its workflow run and the Partner Central errors in the logs), then share it again; if it should not go to AWS, narrow the policy (coSell.marketplaces, relationshipTypes, minAmountUsd).',
    });
  }
  return findings;
}

/** The co-sell findings; none when co-sell is off in the policy. */
export function coSellFindings(inputs: CoSellFindingInputs): Finding[] {
  if (!inputs.policy.enabled) return [];
  const findings: Finding[] = [];
  for (const item of inputs.facts) {
    if (item.campaignChain) continue;
    const state = item.coSell;
    if (state === undefined || state.sharedAt > inputs.asOf) {
      findings.push(...missing(item, inputs));
      continue;
    }
    const drift = coSellDrift(item, state, inputs);
    if (drift !== undefined) findings.push(drift);
    const waiting = actionRequired(item, state, inputs);
    if (waiting !== undefined) findings.push(waiting);
  }
  return findings;
}
