import * as z from 'zod';
import {
  aceIndustries,
  customerSpendCurrencies,
  deliveryModels,
  marketingChannels,
  opportunityStages,
  primaryNeedsFromAws,
  salesActivities,
} from './ace-vocabulary.ts';
import { defaultContractMonths } from './expected-spend.ts';

/**
 * The opportunity Dealreg asks AWS Partner Central to create for an approved registration: the
 * `CreateOpportunity` input without `Catalog` and `ClientToken` (the adapter adds those). Member
 * names, enums and limits follow the Partner Central Selling API model: member names and required
 * members from `@aws-sdk/client-partnercentral-selling`, lengths and patterns from the service's
 * published Smithy model (aws/api-models-aws, `partnercentral-selling-2022-07-26.json`), which the
 * SDK package does not ship. The contract tests check every output against the SDK's model too.
 */

/** `Date`: the model's pattern for calendar dates (TargetCloseDate). */
const aceDatePattern = /^[1-9][0-9]{3}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/;
/** `Email`: the model's pattern (lower case only) and 80 characters at most. */
const aceEmailPattern =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** `MonetaryAmount` as the model writes money: a decimal string, at most two decimals. */
const aceAmountPattern = /^(0|([1-9][0-9]{0,30}))(\.[0-9]{0,2})?$/;

const contactSchema = z.strictObject({
  Email: z.string().max(80).regex(aceEmailPattern, 'a lower-case email address').optional(),
  FirstName: z.string().max(80).optional(),
  LastName: z.string().max(80).optional(),
  BusinessTitle: z.string().max(80).optional(),
  Phone: z
    .string()
    .max(40)
    .regex(/^\+[1-9]\d{1,14}$/, 'an E.164 phone number such as +14155550100')
    .optional(),
});
export type OpportunityContact = z.infer<typeof contactSchema>;

export const coSellOpportunityDraftSchema = z.strictObject({
  PartnerOpportunityIdentifier: z.string().min(1).max(64),
  OpportunityType: z.literal('Net New Business'),
  Origin: z.literal('Partner Referral'),
  PrimaryNeedsFromAws: z.array(z.enum(primaryNeedsFromAws)).min(1),
  Customer: z.strictObject({
    Account: z.strictObject({
      CompanyName: z.string().min(1).max(120),
      WebsiteUrl: z.string().min(4).max(255),
      Industry: z.enum(aceIndustries).optional(),
      OtherIndustry: z.string().min(1).max(255).optional(),
      Address: z
        .strictObject({
          City: z.string().min(1).max(255).optional(),
          PostalCode: z.string().min(1).max(20).optional(),
          StateOrRegion: z.string().min(1).max(255).optional(),
          CountryCode: z
            .string()
            .regex(/^[A-Z]{2}$/)
            .optional(),
        })
        .optional(),
    }),
  }),
  Project: z.strictObject({
    Title: z.string().min(1).max(255),
    CustomerBusinessProblem: z.string().min(20).max(2000),
    ExpectedCustomerSpend: z
      .array(
        z.strictObject({
          Amount: z.string().regex(aceAmountPattern),
          CurrencyCode: z.enum(customerSpendCurrencies),
          Frequency: z.literal('Monthly'),
          TargetCompany: z.literal('AWS'),
        }),
      )
      .min(1),
    DeliveryModels: z.array(z.enum(deliveryModels)).min(1),
    SalesActivities: z.array(z.enum(salesActivities)).min(1),
  }),
  LifeCycle: z.strictObject({
    Stage: z.enum(opportunityStages),
    TargetCloseDate: z.string().regex(aceDatePattern),
    NextSteps: z.string().max(255).optional(),
  }),
  Marketing: z.strictObject({
    Source: z.enum(['Marketing Activity', 'None']),
    AwsFundingUsed: z.enum(['Yes', 'No']),
    CampaignName: z.string().min(1).optional(),
    Channels: z.array(z.enum(marketingChannels)).optional(),
  }),
  OpportunityTeam: z.array(contactSchema).max(1).optional(),
});
/** A co-sell opportunity ready to be created in Partner Central. */
export type CoSellOpportunityDraft = z.infer<typeof coSellOpportunityDraftSchema>;

/**
 * What the partner organisation answers the same way for every registration, configured once per
 * deployment; the defaults fit a partner that sells its own SaaS on AWS.
 */
export const coSellDefaultsSchema = z.strictObject({
  primaryNeedsFromAws: z.array(z.enum(primaryNeedsFromAws)).min(1).default(['Co-Sell - Deal Support']),
  deliveryModels: z.array(z.enum(deliveryModels)).min(1).default(['SaaS or PaaS']),
  salesActivities: z.array(z.enum(salesActivities)).min(1).default(['Initialized discussions with customer']),
  /**
   * Months the registered amount is spread over to give the monthly AWS spend Partner Central
   * asks for (its guidance: spread an annual figure over 12 months). @default 12
   */
  contractMonths: z.int().min(1).max(144).default(defaultContractMonths),
  /** The partner's opportunity owner AWS should talk to (Partner Central keeps one). */
  opportunityOwner: contactSchema.optional(),
});
export type CoSellDefaults = z.infer<typeof coSellDefaultsSchema>;
