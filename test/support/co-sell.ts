import { type CoSellDefaults, coSellDefaultsSchema } from '#domain/co-sell/co-sell-opportunity.ts';
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
