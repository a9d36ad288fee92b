import * as z from 'zod';

/**
 * The pre-QBR report (DESIGN §3.6, §4.3): stable keys, amounts in USD as numbers (dollars with
 * cents as decimals), every figure recomputable as of `asOf`. The HTML email, the CSV files and
 * the JSON document are all renderings of this one object.
 */

const usdSchema = z.number().finite();
const countSchema = z.int().min(0);
/** A ratio between 0 and 1 (or above, for ROI); `null` when its denominator is zero. */
const ratioSchema = z.number().finite().nullable();

export const quarterLabelSchema = z.string().regex(/^\d{4}-Q[1-4]$/, 'expected a quarter such as 2026-Q4');

const conversionSchema = z.strictObject({
  submittedToApproved: ratioSchema,
  approvedToOpportunity: ratioSchema,
  opportunityToClosedWon: ratioSchema,
});
export type Conversion = z.infer<typeof conversionSchema>;

const funnelSchema = z.strictObject({
  submitted: countSchema,
  approved: countSchema,
  rejected: countSchema,
  opportunities: countSchema,
  closedWon: countSchema,
  closedWonAmount: usdSchema,
  conversion: conversionSchema,
});
export type Funnel = z.infer<typeof funnelSchema>;

/** One row of a funnel broken down by campaign, partner, cloud marketplace or region. */
const funnelRowSchema = z.strictObject({
  key: z.string(),
  label: z.string(),
  submitted: countSchema,
  approved: countSchema,
  opportunities: countSchema,
  closedWon: countSchema,
  closedWonAmount: usdSchema,
  conversion: conversionSchema,
});
export type FunnelRow = z.infer<typeof funnelRowSchema>;

const differenceDealSchema = z.strictObject({
  opportunityId: z.string(),
  dealName: z.string(),
  amount: usdSchema,
  /** The ledger's relationship at asOf (`sourced`, `influenced`, …), or `none`. */
  ledgerRelationship: z.string(),
  croCountsAsPartner: z.boolean(),
  explanation: z.string(),
});
export type DifferenceDeal = z.infer<typeof differenceDealSchema>;

/** Whether the CRO's figure could be computed, and if not, why (never a silent 0). */
const croViewSchema = z.strictObject({
  /** The HubSpot deal property the CRO's dashboards group by (policy `definitions.croView`). */
  dealProperty: z.string(),
  available: z.boolean(),
  /** Why the figure is not available (property missing, empty on every won deal, HubSpot not read). */
  unavailableReason: z.string().nullable(),
  /** Deals won in the quarter that HubSpot has, and of them those with the property empty. */
  wonDeals: countSchema,
  emptyOnWonDeals: countSchema,
});
export type CroViewStatus = z.infer<typeof croViewSchema>;

const attributionSchema = z.strictObject({
  partnerSourcedRevenue: usdSchema,
  partnerInfluencedRevenue: usdSchema,
  /** `null` when the CRO view is not available (`croView.unavailableReason` says why). */
  croPartnerRevenue: usdSchema.nullable(),
  /** partnerSourcedRevenue − croPartnerRevenue; `null` when the CRO view is not available. */
  difference: usdSchema.nullable(),
  croView: croViewSchema,
  differenceDeals: z.array(differenceDealSchema),
});
export type AttributionSummary = z.infer<typeof attributionSchema>;

const roiRowSchema = z.strictObject({
  investmentType: z.string(),
  invested: usdSchema,
  closedWonRevenue: usdSchema,
  /** (closedWonRevenue − invested) / invested; `null` when nothing was invested. */
  roi: ratioSchema,
  /** Of closedWonRevenue, what investments naming an opportunity earned from it. */
  revenueThroughOpportunities: usdSchema,
  /** Of closedWonRevenue, what the other investments earned through their campaigns. */
  revenueThroughCampaigns: usdSchema,
  /** How the revenue was attributed, in words (`1 investment through its named opportunity`). */
  attributedThrough: z.string(),
});
export type RoiRow = z.infer<typeof roiRowSchema>;

/** One investment effective in the quarter and the closed-won revenue attributed to it. */
const investmentRowSchema = z.strictObject({
  investmentId: z.string(),
  investmentType: z.string(),
  campaignId: z.string(),
  /** The opportunity the investment names; `null` when it funds its campaign. */
  opportunityId: z.string().nullable(),
  /** `opportunity`: the revenue of the opportunity it names; `campaign`: a share of its campaign's. */
  attributedThrough: z.enum(['opportunity', 'campaign']),
  invested: usdSchema,
  closedWonRevenue: usdSchema,
});
export type InvestmentRow = z.infer<typeof investmentRowSchema>;

/**
 * The approvals of the quarter: decided in it (by asOf) through the approval loop, or still
 * waiting at asOf. Every count here is over the same approvals as the SLA_BREACH findings.
 */
const slaSchema = z.strictObject({
  /** Approvals counted: decisions + waiting. */
  approvals: countSchema,
  decisions: countSchema,
  withinSla: countSchema,
  /** Still waiting for a decision at asOf. */
  waiting: countSchema,
  /** Of those waiting, past their SLA deadline. */
  waitingPastDeadline: countSchema,
  /** Decided late, by the default, or waiting past the deadline: one SLA_BREACH finding each. */
  breaches: countSchema,
  /** Reminders sent for every approval counted, decided or waiting. */
  reminders: countSchema,
  /** Escalations of every approval counted, decided or waiting. */
  escalations: countSchema,
  defaulted: countSchema,
  /** `null` when no decision was taken in the quarter. */
  medianHoursToDecision: z.number().finite().min(0).nullable(),
});
export type SlaSummary = z.infer<typeof slaSchema>;

const exceptionSchema = z.strictObject({
  registrationId: z.string(),
  decidedBy: z.string(),
  decidedAt: z.string(),
  verdictRuleId: z.string(),
  /** What the decision was (`approved as sourced`, `rejected`, …). */
  decision: z.string(),
  reason: z.string(),
});
export type QbrException = z.infer<typeof exceptionSchema>;

const findingCodes = [
  'LEDGER_INTEGRITY',
  'ATTRIBUTION_DRIFT',
  'AMOUNT_DRIFT',
  'STAGE_DRIFT',
  'SOURCED_WITHOUT_REGISTRATION',
  'ORPHAN_REGISTRATION',
  'EXPIRED_STILL_ATTRIBUTED',
  'SLA_BREACH',
  'POLICY_EXCEPTION',
  'DEFINITION_MISMATCH',
  'RETROACTIVE_CHANGE',
  'CLOSE_DATE_MISMATCH',
  'DEAL_DELETED_IN_HUBSPOT',
  'COSELL_DRIFT',
  'COSELL_MISSING',
  'COSELL_ACTION_REQUIRED',
] as const;
const findingCodeSchema = z.enum(findingCodes);

export const severities = ['critical', 'high', 'medium', 'low'] as const;
const severitySchema = z.enum(severities);
export type Severity = z.infer<typeof severitySchema>;

/** Who and what a finding is about, in the words a reader acts on (not only ids). */
const findingContextSchema = z.strictObject({
  /** The partner's name. */
  partner: z.string().optional(),
  /** The customer company (or its domain). */
  customer: z.string().optional(),
  /** The deal's name in HubSpot / the ledger. */
  deal: z.string().optional(),
  /** The amount at stake, USD. */
  amountUsd: usdSchema.optional(),
  /** Who has to act now: the current approver of a waiting registration, or who decided. */
  owner: z.string().optional(),
  /** The deadline that matters (ISO UTC) and as the reader reads it, in the policy's time zone, zone named. */
  deadline: z.iso.datetime().optional(),
  deadlineLocal: z.string().optional(),
  /** Where to act: the HubSpot record (when the portal id is known), the registration record. */
  links: z.array(z.strictObject({ label: z.string(), url: z.url() })),
});
export type FindingContext = z.infer<typeof findingContextSchema>;

const findingSchema = z.strictObject({
  code: findingCodeSchema,
  severity: severitySchema,
  opportunityId: z.string().optional(),
  registrationId: z.string().optional(),
  detail: z.string(),
  /** The facts behind the finding, as named values (ledger vs HubSpot, dates, amounts). */
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** What to do before the meeting. */
  fix: z.string(),
  /** Who and what it is about (partner, customer, amount, owner, deadline, links); added by the report. */
  context: findingContextSchema.optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * The ledger's hash chains as of asOf, counted as `ledger verify` counts them: every chain with
 * entries recorded by then, plus broken chains the ledger no longer holds (a digest recorded them,
 * or their items cannot be read). `broken` is a subset of `chains`.
 */
/**
 * What the chains were checked against: `checked` (digests of this ledger), `none` (no digest at
 * all), `other-ledger` (digests exist but describe another ledger — not a break). `detail` says it.
 */
const digestStatusSchema = z.strictObject({
  status: z.enum(['checked', 'none', 'other-ledger']),
  detail: z.string(),
});
export type DigestStatus = z.infer<typeof digestStatusSchema>;

const integritySchema = z
  .strictObject({
    chains: countSchema,
    /** Chains counted only because a digest (or an unreadable item) names them: gone from the ledger. */
    chainsNotInLedger: countSchema,
    /** Entries recorded by asOf. */
    entries: countSchema,
    broken: countSchema,
    /**
     * Entries recorded by asOf that no figure counts because they fail the ledger check: the first
     * bad entry of each broken chain and the entries after it (they chain from it). 0 when none.
     */
    excludedEntries: countSchema.default(0),
    digests: digestStatusSchema,
  })
  .refine((value) => value.broken <= value.chains && value.chainsNotInLedger <= value.broken, {
    message: 'broken chains must be among the chains counted',
  });

/** A count of ACE opportunities and their amount (USD). */
const awsFigureSchema = z.strictObject({ opportunities: countSchema, amount: usdSchema });
export type AwsFigure = z.infer<typeof awsFigureSchema>;

/** One partner's ACE opportunities, by where AWS's review and the ACE stage stand. */
const awsPartnerRowSchema = z.strictObject({
  key: z.string(),
  label: z.string(),
  shared: awsFigureSchema,
  submitted: awsFigureSchema,
  approved: awsFigureSchema,
  actionRequired: awsFigureSchema,
  rejected: awsFigureSchema,
  launched: awsFigureSchema,
  closedLost: awsFigureSchema,
});
export type AwsPartnerRow = z.infer<typeof awsPartnerRowSchema>;

/**
 * The fourth view, AWS's: the opportunities shared with AWS Partner Central (ACE) in the quarter,
 * as the ledger recorded ACE's review status and stage (CoSellShared / CoSellStatusChanged, kept
 * current by Partner Central's events and the reconciliation). Amounts are the deals' amounts in
 * the ledger (USD). It never moves the partner attribution of the other views.
 */
const awsViewSchema = z.strictObject({
  catalog: z.enum(['Sandbox', 'AWS']),
  shared: awsFigureSchema,
  submitted: awsFigureSchema,
  /** Keyed by AWS's review status, in Partner Central's words (`In review` and `Submitted` together). */
  byReviewStatus: z.strictObject({
    Approved: awsFigureSchema,
    'Action Required': awsFigureSchema,
    Rejected: awsFigureSchema,
    'In review / Submitted': awsFigureSchema,
    'Pending Submission': awsFigureSchema,
  }),
  launched: awsFigureSchema,
  closedLost: awsFigureSchema,
  byPartner: z.array(awsPartnerRowSchema),
});
export type AwsView = z.infer<typeof awsViewSchema>;

/** Headline numbers for the one-screen summary. */
const scorecardSchema = z.strictObject({
  closedWonAmount: usdSchema,
  partnerSourcedRevenue: usdSchema,
  /** `null` when the CRO view is not available. */
  croPartnerRevenue: usdSchema.nullable(),
  /**
   * withinSla / (decisions + waitingPastDeadline): an approval still waiting past its deadline at
   * asOf counts as a breach; `null` when there is neither.
   */
  slaCompliance: ratioSchema,
  findings: z.strictObject({
    critical: countSchema,
    high: countSchema,
    medium: countSchema,
    low: countSchema,
  }),
});

/** The days the quarter covers, so a reader sees which period the figures are for. */
const periodSchema = z.strictObject({
  /** First and last calendar day of the quarter in `timeZone`. */
  firstDay: z.iso.date(),
  lastDay: z.iso.date(),
  /** [start, end) as ISO instants (UTC): what "in the quarter" means for every figure. */
  start: z.iso.datetime(),
  end: z.iso.datetime(),
});
export type QbrPeriod = z.infer<typeof periodSchema>;

export const qbrReportSchema = z.strictObject({
  quarter: quarterLabelSchema,
  /**
   * The days the quarter covers in `timeZone` (the label alone does not say them when the fiscal
   * year does not start in January); absent in reports computed before it was recorded.
   */
  period: periodSchema.optional(),
  /**
   * Whether HubSpot was read: false for a report computed without it (`qbr check --no-hubspot`),
   * which reconciles nothing with HubSpot; absent in reports computed before it was recorded.
   */
  hubspotRead: z.boolean().optional(),
  /** The moment the figures are as of (business and system time), ISO UTC. */
  asOf: z.iso.datetime(),
  /** When the report was computed. Not part of the figures: two runs as of the same moment differ only here. */
  generatedAt: z.iso.datetime(),
  policyVersion: z.string(),
  /** The time zone times are shown in: the policy's business calendar (`calendar.timeZone`). */
  timeZone: z.string().default('UTC'),
  scorecard: scorecardSchema,
  funnel: funnelSchema,
  byCampaign: z.array(funnelRowSchema),
  byPartner: z.array(funnelRowSchema),
  byCloudMarketplace: z.array(funnelRowSchema),
  byRegion: z.array(funnelRowSchema),
  attribution: attributionSchema,
  /**
   * The AWS view (ACE); `null` when co-sell is off in the policy (`coSell.enabled`), absent in
   * reports computed before co-sell existed.
   */
  awsView: awsViewSchema.nullable().optional(),
  roiByInvestmentType: z.array(roiRowSchema),
  /** The investments behind roiByInvestmentType, one row each. */
  investments: z.array(investmentRowSchema),
  sla: slaSchema,
  exceptions: z.array(exceptionSchema),
  /** Ranked: critical first, then high, medium, low. */
  findings: z.array(findingSchema),
  integrity: integritySchema,
});
export type QbrReport = z.infer<typeof qbrReportSchema>;

const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Orders findings critical first; within a severity by code, then opportunity and registration. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.code.localeCompare(b.code) ||
      (a.opportunityId ?? '').localeCompare(b.opportunityId ?? '') ||
      (a.registrationId ?? '').localeCompare(b.registrationId ?? '') ||
      a.detail.localeCompare(b.detail),
  );
}
