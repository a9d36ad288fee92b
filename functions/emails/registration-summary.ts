import { DateTime } from 'luxon';
import { z } from 'zod';
import type { ApprovalSubject } from '#domain/approvals/approval-task.ts';
import {
  type ConflictEvidenceItem,
  type ConflictOutcome,
  type ConflictVerdict,
  conflictVerdictSchema,
  type VerdictRuleId,
} from '#domain/conflicts/conflict-verdict.ts';
import { formatMoney, moneySchema } from '#domain/money.ts';
import type { Compensation } from '#domain/policy/compensation.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { type CloudMarketplace, cloudMarketplaces } from '#domain/registration.ts';
import { html, type SafeHtml } from './html.ts';
import { emailStyle } from './layout.ts';

/**
 * The parts every registration email shares: what was registered, what the conflict check
 * found and what the relationship means in money. Each part renders twice, as escaped HTML
 * and as verbatim text, from the same rows so the two parts of an email cannot disagree.
 */

/** Longest free text (deal description, approver's question) quoted in full. */
export const MAX_QUOTED_LENGTH = 1_000;

/**
 * A registration as the emails show it. Its fields are those of `RegistrationDetails`, so
 * `{ ...details, registrationId, partnerName, amountUsdMinor }` is a valid input.
 */
export const registrationSummarySchema = z.object({
  registrationId: z.string().trim().min(1, 'the registration id is required'),
  /** The partner company's name in HubSpot, when known; the domain is shown otherwise. */
  partnerName: z.string().trim().min(1, 'the partner name must not be empty').optional(),
  partnerDomain: z.string().trim().min(1, 'the partner domain is required'),
  submitterEmail: z.email('the submitter must be an email address').optional(),
  customerCompanyName: z.string().trim().min(1, 'the customer company name is required'),
  customerDomain: z.string().trim().min(1, 'the customer domain is required'),
  customerCountry: z.string().trim().optional(),
  estimatedAmount: moneySchema,
  /** The amount in US cents at the day's frozen rate; shown beside a non-USD amount. */
  amountUsdMinor: z.number().int().nonnegative('the USD amount must not be negative').optional(),
  expectedCloseDate: field.date(),
  products: z.array(z.string()).readonly().default([]),
  cloudMarketplace: z.enum(cloudMarketplaces),
  campaignId: z.string().trim().optional(),
  dealDescription: z.string().optional(),
});
export type RegistrationSummary = z.output<typeof registrationSummarySchema>;
export type RegistrationSummaryInput = z.input<typeof registrationSummarySchema>;

/**
 * The summary of the registration an approval task is about, from the task's stored subject.
 * The marketplace is checked when the email is rendered, like every other field.
 */
export function registrationSummaryFromApprovalSubject(
  registrationId: string,
  subject: ApprovalSubject,
): RegistrationSummaryInput {
  const { amount, verdict: _verdict, submittedAt: _submittedAt, cloudMarketplace, ...rest } = subject;
  return {
    ...rest,
    registrationId,
    estimatedAmount: amount,
    cloudMarketplace: cloudMarketplace as CloudMarketplace,
  };
}

/** An instant given as a Date or an ISO-8601 date-time with offset, read as a Date. */
export function momentSchema(name: string) {
  const error = `${name} must be an ISO-8601 date-time with an offset`;
  return z
    .union([z.date({ error }), z.iso.datetime({ offset: true, error })], { error })
    .transform((value) => (typeof value === 'string' ? new Date(value) : value));
}

/** An http or https link; `javascript:`, `data:` or `mailto:` are refused. */
export function webLinkSchema(name: string) {
  return z.url({ protocol: /^https?$/, error: `${name} must be an http or https URL` });
}

export const timeZoneSchema = field.timeZone();

/** A verdict an approver is asked to act on: one that allows approval, so it has compensation. */
export const reviewableVerdictSchema = conflictVerdictSchema.superRefine((verdict, context) => {
  if (verdict.relationshipType === null || verdict.compensation === null) {
    context.addIssue({
      code: 'custom',
      path: ['compensation'],
      message:
        'an approver is only asked about a verdict that allows approval (relationship and compensation)',
    });
  }
});

/** A label and its value: one line of a summary table. */
export type Row = readonly [label: string, value: string];

const marketplaceNames: Readonly<Record<(typeof cloudMarketplaces)[number], string>> = {
  aws: 'AWS Marketplace',
  azure: 'Microsoft Azure Marketplace',
  gcp: 'Google Cloud Marketplace',
  none: 'None',
};

const outcomeNames: Readonly<Record<ConflictOutcome, string>> = {
  clear: 'No conflict',
  'needs-review': 'Needs review',
  reject: 'Reject',
};

const ruleNames: Readonly<Record<VerdictRuleId, string>> = {
  duplicate: 'Duplicate registration',
  'competing-partner': 'Competing partner',
  'direct-activity': 'Direct-rep activity',
  'existing-customer': 'Existing customer',
  'no-conflict': 'No rule fired',
};

/** The partner as people know it: `Acme Cloud (acme.example)`, or the domain alone. */
export function partnerLabel(summary: RegistrationSummary): string {
  return summary.partnerName === undefined
    ? summary.partnerDomain
    : `${summary.partnerName} (${summary.partnerDomain})`;
}

/** The partner's name alone, for subjects: the HubSpot name, or the domain. */
export function partnerShortName(summary: RegistrationSummary): string {
  return oneLine(summary.partnerName ?? summary.partnerDomain);
}

/** `EUR 100,000.00 (USD 108,000.00)`; a USD amount is shown once. */
export function amountLabel(summary: RegistrationSummary): string {
  const amount = formatMoney(summary.estimatedAmount);
  return summary.estimatedAmount.currency === 'USD' || summary.amountUsdMinor === undefined
    ? amount
    : `${amount} (${usd(summary.amountUsdMinor)} at the day's rate)`;
}

export function usd(minorUnits: number): string {
  return formatMoney({ minorUnits, currency: 'USD' });
}

/** The summary rows of a registration, in the order a reviewer reads them. */
export function registrationRows(summary: RegistrationSummary): Row[] {
  const rows: Row[] = [
    ['Partner', partnerLabel(summary)],
    ['Customer', `${summary.customerCompanyName} (${summary.customerDomain})`],
  ];
  if (summary.customerCountry) rows.push(['Customer country', summary.customerCountry]);
  rows.push(
    ['Amount', amountLabel(summary)],
    ['Expected close date', formatCalendarDate(summary.expectedCloseDate)],
    ['Products', summary.products.length > 0 ? summary.products.join(', ') : 'none given'],
    ['Cloud marketplace', marketplaceNames[summary.cloudMarketplace]],
    ['Campaign', summary.campaignId || 'none given'],
  );
  if (summary.submitterEmail) rows.push(['Submitted by', summary.submitterEmail]);
  if (summary.dealDescription?.trim()) {
    rows.push(['Description', truncate(summary.dealDescription.trim(), MAX_QUOTED_LENGTH)]);
  }
  rows.push(['Reference', summary.registrationId]);
  return rows;
}

export function rowsHtml(rows: readonly Row[]): SafeHtml {
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="${emailStyle.table}">
${rows.map(
  ([label, value]) =>
    html`<tr><th style="${emailStyle.headerCell}width:35%;font-weight:600;border-bottom:1px solid #e4e7eb;">${label}</th><td style="${emailStyle.cell}">${value}</td></tr>`,
)}
</table>`;
}

export function rowsText(rows: readonly Row[]): string {
  return rows.map(([label, value]) => `${label}: ${value.replace(/\n/g, '\n  ')}`).join('\n');
}

/** The verdict's headline rows: outcome, deciding rule, reason, policy version. */
function verdictRows(verdict: ConflictVerdict): Row[] {
  return [
    ['Outcome', outcomeNames[verdict.outcome]],
    ['Rule', `${ruleNames[verdict.ruleId]} (${verdict.ruleId})`],
    ['Reason', verdict.reason],
  ];
}

/** One evidence item as a sentence plus the facts behind it. */
export function evidenceLines(item: ConflictEvidenceItem): { detail: string; facts: string } {
  const rule = ruleNames[item.ruleId];
  switch (item.kind) {
    case 'registration':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `registration ${item.registrationId}`,
          `partner ${item.partnerName ? `${item.partnerName} (${item.partnerDomain})` : item.partnerDomain}`,
          `status ${item.status}`,
          `submitted ${formatInstant(item.submittedAt)}`,
          item.approvedAt && `approved ${formatInstant(item.approvedAt)}`,
          item.expiresAt && `expires ${formatInstant(item.expiresAt)}`,
          item.matchedBy === 'domain'
            ? 'matched by customer domain'
            : `matched by company name (similarity ${item.similarity.toFixed(2)})`,
        ]),
      };
    case 'open-deal':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `open HubSpot deal "${item.dealName}" (${item.dealId})`,
          item.ownerName && `owner ${item.ownerName}`,
          item.stage && `stage ${item.stage}`,
          item.createdAt && `created ${formatInstant(item.createdAt)}`,
          item.amountUsdMinor !== undefined && `amount ${usd(item.amountUsdMinor)}`,
        ]),
      };
    case 'engagement':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `${item.type} ${item.engagementId}`,
          item.ownerName && `by ${item.ownerName}`,
          `on ${formatInstant(item.occurredAt)}`,
          `${item.daysBeforeSubmission} day${item.daysBeforeSubmission === 1 ? '' : 's'} before submission`,
        ]),
      };
    case 'closed-won-deal':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `closed-won deal "${item.dealName}" (${item.dealId})`,
          `closed ${formatInstant(item.closedAt)}`,
          item.amountUsdMinor !== undefined && `amount ${usd(item.amountUsdMinor)}`,
        ]),
      };
  }
}

function joinFacts(facts: ReadonlyArray<string | false | undefined>): string {
  return facts.filter((fact): fact is string => typeof fact === 'string' && fact !== '').join(' · ');
}

export function verdictHtml(verdict: ConflictVerdict): SafeHtml {
  return html`<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">Conflict check</h3>
${rowsHtml(verdictRows(verdict))}
${
  verdict.evidence.length === 0
    ? html`<p style="${emailStyle.paragraph}">No evidence: no rule found another registration, direct-rep activity or a recent closed-won deal.</p>`
    : html`<p style="${emailStyle.paragraph}margin-bottom:4px;"><strong>Evidence</strong></p>
<ul style="margin:0 0 16px 0;padding-left:20px;">
${verdict.evidence.map((item) => {
  const { detail, facts } = evidenceLines(item);
  return html`<li style="${emailStyle.paragraph}margin-bottom:8px;">${detail}<br><span style="${emailStyle.small}">${facts}</span></li>`;
})}
</ul>`
}`;
}

export function verdictText(verdict: ConflictVerdict): string {
  const evidence =
    verdict.evidence.length === 0
      ? 'Evidence: none (no rule found another registration, direct-rep activity or a recent closed-won deal).'
      : [
          'Evidence:',
          ...verdict.evidence.map((item, index) => {
            const { detail, facts } = evidenceLines(item);
            return `${index + 1}. ${detail}\n   ${facts}`;
          }),
        ].join('\n');
  return `CONFLICT CHECK\n${rowsText(verdictRows(verdict))}\n${evidence}`;
}

const partnerPayNames: Readonly<Record<Compensation['partner']['kind'], string>> = {
  margin: 'margin',
  'referral-fee': 'referral fee',
  none: 'no margin or fee',
};

/** What a relationship type means in money, for the partner and for the direct rep. */
export function compensationRows(compensation: Compensation): Row[] {
  const { partner, directRep } = compensation;
  return [
    [
      'Partner earns',
      partner.kind === 'none'
        ? 'no margin or fee'
        : `${partner.percent}% ${partnerPayNames[partner.kind]} (${usd(partner.amountUsdMinor)})`,
    ],
    ['Direct rep credited', `${directRep.creditPercent}% of quota (${usd(directRep.creditUsdMinor)})`],
  ];
}

/** `15 Jan 2027` from `2027-01-15`. */
export function formatCalendarDate(date: string): string {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  return parsed.isValid ? parsed.toFormat('d LLL yyyy') : date;
}

/** A stored timestamp as a date (UTC); shown as given when it is not ISO-8601. */
function formatInstant(iso: string): string {
  const parsed = DateTime.fromISO(iso, { zone: 'utc' });
  return parsed.isValid ? parsed.toFormat('d LLL yyyy') : iso;
}

/** An instant as a short date in a zone, for subjects: `24 Feb 2027`. */
export function shortDate(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).toFormat('d LLL yyyy');
}

/** An instant as a short date and time in a zone, for subjects: `Wed 25 Nov, 17:00 EST`. */
export function shortDeadline(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).setLocale('en-US').toFormat('ccc d LLL, HH:mm ZZZZ');
}

export function truncate(value: string, max: number): string {
  const characters = [...value];
  return characters.length <= max ? value : `${characters.slice(0, max).join('')}… (cut)`;
}

/** Collapses line breaks and runs of whitespace: for subjects and one-line mentions. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** A subject line: one line, at most 180 characters. */
export function subjectLine(value: string): string {
  const line = oneLine(value);
  const characters = [...line];
  return characters.length <= 180 ? line : `${characters.slice(0, 179).join('')}…`;
}
