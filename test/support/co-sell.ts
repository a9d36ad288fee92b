import { type CoSellDefaults, coSellDefaultsSchema } from '#domain/co-sell/co-sell-opportunity.ts';
import type { CustomerCompanyFacts } from '#domain/co-sell/customer-account.ts';
import type { FundingCampaign } from '#domain/co-sell/funding-campaign.ts';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { evaluateSubmission } from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { formSubmission } from './submissions.ts';

/**
 * An approved registration as the registrations table holds it, built the way intake builds it
 * (the form submission evaluated with the default field mapping); form fields can be overridden.
 */
export function storedRegistration(fields: Record<string, string | undefined> = {}): StoredRegistration {
  const submission = formSubmission({ fields });
  const receivedAt = new Date('2026-11-24T09:00:05Z');
  const evaluation = evaluateSubmission(submission, defaultFormFieldMapping, receivedAt);
  if (!evaluation.valid) {
    throw new Error(`test registration is invalid: ${evaluation.problems.map((p) => p.message).join('; ')}`);
  }
  return {
    registrationId: registrationIdFor(submission.conversionId),
    conversionId: submission.conversionId,
    receivedAt: receivedAt.toISOString(),
    receivedVia: 'webhook',
    status: 'received',
    submission,
    details: evaluation.details,
  };
}

/** The campaign the default test registration names (`cmp-aws-q1`), paid for with AWS MDF. */
export const awsFundedCampaign: FundingCampaign = {
  campaignId: 'cmp-aws-q1',
  name: 'Q1 data platform migration webinar series',
  awsFunded: true,
  channels: ['Virtual Event', 'Email'],
};

export const coSellDefaults: CoSellDefaults = coSellDefaultsSchema.parse({
  opportunityOwner: {
    Email: 'alex.alliances@northwind-partners.com',
    FirstName: 'Alex',
    LastName: 'Alliances',
  },
});

/**
 * The customer's company as HubSpot holds it, with everything AWS requires before it takes a
 * submission (industry, website, postal code, US state).
 */
export const customerCompany: CustomerCompanyFacts = {
  companyId: '301',
  industry: 'COMPUTER_SOFTWARE',
  website: 'https://www.contoso.com',
  domain: 'contoso.com',
  zip: '98052',
  state: 'WA',
  city: 'Redmond',
  country: 'United States',
};

/** A customer company for the HubSpot sandbox's seed holding what {@link customerCompany} holds. */
export function customerCompanySeed(domain: string, id: string) {
  return {
    id,
    properties: {
      name: domain,
      domain,
      type: 'PROSPECT',
      industry: customerCompany.industry ?? '',
      website: `www.${domain}`,
      city: customerCompany.city ?? '',
      state: customerCompany.state ?? '',
      zip: customerCompany.zip ?? '',
      country: customerCompany.country ?? '',
    },
  };
}
