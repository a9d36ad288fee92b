import { DateTime } from 'luxon';
import type { Finding, QbrPeriod } from '#domain/qbr/report.ts';
import { formatUsd, formatUsdExact } from './qbr-figures.ts';

/** Evidence names the findings use, in words; others are spelled out from their camelCase. */
const evidenceLabels: Readonly<Record<string, string>> = {
  requestedAt: 'Approval requested',
  deadline: 'SLA deadline',
  decidedAt: 'Decided',
  decidedBy: 'Decided by',
  reminders: 'Reminders sent',
  escalations: 'Escalations',
  defaulted: 'Decided by the SLA default',
  status: 'Status',
  approvedAt: 'Approved',
  daysSinceApproval: 'Days since approval',
  dealInHubSpot: 'Deal in HubSpot',
  expiredAt: 'Expired',
  partnerId: 'Partner (HubSpot company id)',
  ledgerNow: 'Partners in the ledger now',
  hubspotPartner: 'Partner in HubSpot (company id)',
  hubspotRelationship: 'Relationship in HubSpot',
  hubspotReadFrom: 'HubSpot record read',
  hubspotNow: 'Partners in HubSpot now',
  dealPropertyNow: "Dealreg's deal property (partner:relationship)",
  approved: 'Approved as',
  ledgerAmountMinor: 'Ledger amount (minor units)',
  ledgerCurrency: 'Ledger currency',
  ledgerUsd: 'Ledger amount (USD)',
  hubspotAmount: 'HubSpot amount',
  hubspotCurrency: 'HubSpot currency',
  ledgerStage: 'Ledger stage',
  ledgerOutcome: 'Ledger outcome',
  hubspotStage: 'HubSpot stage',
  hubspotClosedWon: 'Closed-won in HubSpot',
  partnersAtClose: 'Partners at close',
  registrations: 'Registrations on the deal',
  wonUsd: 'Won (USD)',
  hubspotRegistrationId: 'Registration id in HubSpot',
  verdictRuleId: 'Rule of the verdict',
  decision: 'Decision',
  amount: 'Amount (USD)',
  ledgerRelationship: 'Relationship in the ledger',
  croCountsAsPartner: 'CRO view counts it as partner',
  croProperty: 'CRO deal property',
  cause: 'Cause',
  propertyInPortal: 'Property exists in HubSpot',
  wonDealsInHubSpot: 'Deals won in the quarter (in HubSpot)',
  wonDealsWithPropertyEmpty: 'Of them with the property empty',
  sequence: 'First bad entry',
  problem: 'Problem',
  quarter: 'Quarter',
  frozenAt: 'Frozen',
  figure: 'Figure',
  frozen: 'Value when frozen',
  now: 'Value now',
  policyChanged: 'Policy changed since',
  aceOpportunityId: 'ACE opportunity',
  aceStage: 'Stage in ACE',
  aceReviewStatus: 'AWS review status',
  aceStatusAt: 'ACE last changed',
  aceReviewComments: 'AWS review comments',
  actionRequiredSince: 'Action Required since',
  hoursWaiting: 'Hours waiting',
  slaHours: 'Hours the policy allows',
  aceMonthlySpend: 'Expected monthly spend in ACE',
  aceSpendCurrency: 'Currency of the spend in ACE',
  aceContractMonths: 'Months the amount was spread over when shared',
  aceContractValueUsd: 'Contract value in ACE (USD)',
  dealAmountUsd: 'Deal amount (USD)',
  valueDifferenceUsd: 'Difference (USD)',
  estimatedUsd: 'Estimated amount (USD)',
  minAmountUsd: 'Policy minimum (USD)',
};

function spelledOut(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The quarter with the days it covers, as the reader reads them: `2026-Q4 (1 Oct 2026 – 31 Dec 2026)`.
 * The label alone does not say which months a fiscal year not starting in January puts in it.
 * A report computed before its period was recorded keeps the label alone.
 */
export function quarterText(report: {
  readonly quarter: string;
  readonly period?: QbrPeriod | undefined;
}): string {
  if (report.period === undefined) return report.quarter;
  const day = (date: string) => DateTime.fromISO(date).setLocale('en-US').toFormat('d LLL yyyy');
  return `${report.quarter} (${day(report.period.firstDay)} – ${day(report.period.lastDay)})`;
}

/** A time as the reader reads it: in the report's zone, the zone named (`Mon 9 Nov 2026, 16:00 EST`). */
export function localTime(iso: string, timeZone: string): string {
  const local = DateTime.fromISO(iso, { zone: timeZone });
  return local.isValid ? local.setLocale('en-US').toFormat('ccc d LLL yyyy, HH:mm ZZZZ') : iso;
}

function evidenceValue(name: string, value: string | number | boolean | null, timeZone: string): string {
  if (value === null) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (!/usd$/i.test(name) && name !== 'amount') return value.toLocaleString('en-US');
    // Whole dollars as the headline figures write them; cents kept, or a drift of cents would read as none.
    return Number.isInteger(value) ? formatUsd(value) : formatUsdExact(value);
  }
  return instant.test(value) ? localTime(value, timeZone) : value;
}

/** A finding's evidence as (label, value) rows a reader understands: times in the report's zone, money as money. */
export function evidenceRows(evidence: Finding['evidence'], timeZone: string): [string, string][] {
  return Object.entries(evidence).map(([name, value]) => [
    evidenceLabels[name] ?? spelledOut(name),
    evidenceValue(name, value, timeZone),
  ]);
}

/** Evidence as one line of text (CSV cell, plain-text email, CLI): `Label: value; …`. */
export function evidenceText(evidence: Finding['evidence'], timeZone: string): string {
  return evidenceRows(evidence, timeZone)
    .map(([label, value]) => `${label}: ${value}`)
    .join('; ');
}

/** Who and what a finding is about, as (label, value) rows; empty when the report knows nothing more. */
export function contextRows(finding: Finding): [string, string][] {
  const context = finding.context;
  if (context === undefined) return [];
  const rows: [string, string][] = [];
  if (context.partner !== undefined) rows.push(['Partner', context.partner]);
  if (context.customer !== undefined) rows.push(['Customer', context.customer]);
  if (context.deal !== undefined) rows.push(['Deal', context.deal]);
  if (context.amountUsd !== undefined) rows.push(['Amount', formatUsd(context.amountUsd)]);
  if (context.owner !== undefined) rows.push(['Owner', context.owner]);
  if (context.deadlineLocal !== undefined) rows.push(['Deadline', context.deadlineLocal]);
  for (const link of context.links) rows.push([link.label, link.url]);
  return rows;
}

/** The context as one line of text: `Partner: Acme; Amount: $12,000; …`. */
export function contextText(finding: Finding): string {
  return contextRows(finding)
    .map(([label, value]) => `${label}: ${value}`)
    .join('; ');
}
