import * as z from 'zod';
import type { ApprovalSubject } from '#domain/approvals/approval-task.ts';
import { formatMoney, moneySchema } from '#domain/money.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { type CloudMarketplace, cloudMarketplaces, type RegistrationDetails } from '#domain/registration.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { formatCalendarDate, oneLine, truncate, usd } from './email-text.ts';
import type { Row } from './summary-rows.ts';

/**
 * The registration as every registration email summarises it: what was registered, by which
 * partner, for how much, built from the stored registration or from an approval task's subject,
 * and shown as summary rows.
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
type RegistrationSummaryInput = z.input<typeof registrationSummarySchema>;

/**
 * The summary of the registration an approval task is about, from the task's stored subject.
 * The marketplace is checked when the email is rendered, like every other field.
 */
export function registrationSummaryFromApprovalSubject(
  registrationId: string,
  subject: ApprovalSubject,
): RegistrationSummaryInput {
  const {
    amount,
    verdict: _verdict,
    receivedAt: _receivedAt,
    submittedAt: _submittedAt,
    cloudMarketplace,
    ...rest
  } = subject;
  return {
    ...rest,
    registrationId,
    estimatedAmount: amount,
    cloudMarketplace: cloudMarketplace as CloudMarketplace,
  };
}

/**
 * The summary of a registration the intake accepted, with what the workflow learnt so far (the
 * partner's name in HubSpot, the amount in US cents).
 */
export function registrationSummaryFromStoredRegistration(
  registration: {
    readonly record: Pick<StoredRegistration, 'registrationId'>;
    readonly details: RegistrationDetails;
  },
  progress: Pick<RegistrationProgress, 'partnerName' | 'amountUsdMinor'> | undefined,
): RegistrationSummaryInput {
  const { details, record } = registration;
  return {
    registrationId: record.registrationId,
    partnerName: progress?.partnerName || undefined,
    partnerDomain: details.partnerDomain,
    submitterEmail: details.submitterEmail,
    customerCompanyName: details.customerCompanyName,
    customerDomain: details.customerDomain,
    customerCountry: details.customerCountry || undefined,
    estimatedAmount: {
      minorUnits: details.estimatedAmount.minorUnits,
      currency: details.estimatedAmount.currency,
    },
    amountUsdMinor: progress?.amountUsdMinor,
    expectedCloseDate: details.expectedCloseDate,
    products: [...details.products],
    cloudMarketplace: details.cloudMarketplace,
    campaignId: details.campaignId || undefined,
    dealDescription: details.dealDescription || undefined,
  };
}

const marketplaceNames: Readonly<Record<(typeof cloudMarketplaces)[number], string>> = {
  aws: 'AWS Marketplace',
  azure: 'Microsoft Azure Marketplace',
  gcp: 'Google Cloud Marketplace',
  none: 'None',
};

/** The marketplace as people know it: `AWS Marketplace`. */
export function marketplaceName(marketplace: (typeof cloudMarketplaces)[number]): string {
  return marketplaceNames[marketplace];
}

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
