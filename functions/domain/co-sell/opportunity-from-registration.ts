import { createHash } from 'node:crypto';
import type { StoredRegistration } from '../stored-registration.ts';
import {
  type CoSellDefaults,
  type CoSellOpportunityDraft,
  coSellOpportunityDraftSchema,
} from './co-sell-opportunity.ts';
import {
  aceIndustryOf,
  aceUsStateOf,
  type CustomerCompanyFacts,
  countriesWithoutPostalCode,
} from './customer-account.ts';
import { monthlySpendFor } from './expected-spend.ts';
import type { FundingCampaign } from './funding-campaign.ts';

export type CoSellMapping =
  | { readonly ok: true; readonly draft: CoSellOpportunityDraft }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface CoSellMappingInput {
  readonly registration: StoredRegistration;
  /** The campaign the registration names (`campaignId`), when it has one. */
  readonly campaign?: FundingCampaign | undefined;
  readonly defaults: CoSellDefaults;
  /** USD per unit of each deal currency, for deals in neither USD nor EUR (setting dealreg:usdRates). */
  readonly usdRates: Readonly<Record<string, string>>;
  /**
   * The customer's company as HubSpot holds it (industry, website, address), when HubSpot has
   * one; without it the opportunity carries what the registration says and lacks what AWS asks
   * for at submission ({@link submissionGaps}).
   */
  readonly customer?: CustomerCompanyFacts | undefined;
}

const businessProblemMin = 20;
const businessProblemMax = 2000;

/**
 * The Partner Central opportunity for an approved registration, or every reason it cannot be
 * built. Pure: the same registration, campaign and settings always give the same opportunity, so
 * a retried create sends the same input under the same client token.
 */
export function coSellOpportunityFor(input: CoSellMappingInput): CoSellMapping {
  const { registration, campaign, defaults } = input;
  const details = registration.details;
  if (details === undefined) {
    return {
      ok: false,
      problems: [
        `registration ${registration.registrationId} has no validated details (it was rejected at intake)`,
      ],
    };
  }
  const problems: string[] = [];
  if (campaign !== undefined && details.campaignId !== campaign.campaignId) {
    problems.push(
      `the campaign given (${campaign.campaignId}) is not the registration's (${details.campaignId ?? 'none'})`,
    );
  }
  const spend = monthlySpendFor(details.estimatedAmount, defaults.contractMonths, input.usdRates);
  if ('problem' in spend) problems.push(spend.problem);
  if (problems.length > 0 || 'problem' in spend) return { ok: false, problems };

  const country = aceCountryCode(details.customerCountry);
  const customer = input.customer;
  const industry = aceIndustryOf(customer?.industry ?? null);
  const address = {
    ...(present(customer?.city) === undefined ? {} : { City: truncate(present(customer?.city) ?? '', 255) }),
    ...(present(customer?.zip) === undefined
      ? {}
      : { PostalCode: truncate(present(customer?.zip) ?? '', 20) }),
    ...(country === 'US' && aceUsStateOf(customer?.state ?? null) !== undefined
      ? { StateOrRegion: aceUsStateOf(customer?.state ?? null) }
      : {}),
    ...(country === undefined ? {} : { CountryCode: country }),
  };
  const website = websiteOf(present(customer?.website), details.customerDomain);
  const draft: CoSellOpportunityDraft = {
    PartnerOpportunityIdentifier: registration.registrationId,
    OpportunityType: 'Net New Business',
    Origin: 'Partner Referral',
    PrimaryNeedsFromAws: [...defaults.primaryNeedsFromAws],
    Customer: {
      Account: {
        CompanyName: truncate(details.customerCompanyName, 120),
        WebsiteUrl: website,
        ...(industry ?? {}),
        ...(Object.keys(address).length === 0 ? {} : { Address: address }),
      },
    },
    Project: {
      Title: truncate(projectTitle(details.customerCompanyName, details.products), 255),
      CustomerBusinessProblem: businessProblem(details),
      ExpectedCustomerSpend: [
        { Amount: spend.amount, CurrencyCode: spend.currency, Frequency: 'Monthly', TargetCompany: 'AWS' },
      ],
      DeliveryModels: [...defaults.deliveryModels],
      SalesActivities: [...defaults.salesActivities],
    },
    LifeCycle: { Stage: 'Prospect', TargetCloseDate: details.expectedCloseDate },
    Marketing:
      campaign === undefined
        ? { Source: 'None', AwsFundingUsed: 'No' }
        : {
            Source: 'Marketing Activity',
            AwsFundingUsed: campaign.awsFunded ? 'Yes' : 'No',
            CampaignName: campaign.name,
            ...(campaign.channels.length > 0 ? { Channels: [...campaign.channels] } : {}),
          },
    ...(defaults.opportunityOwner === undefined ? {} : { OpportunityTeam: [defaults.opportunityOwner] }),
  };
  const checked = coSellOpportunityDraftSchema.safeParse(draft);
  if (!checked.success) {
    return {
      ok: false,
      problems: checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  return { ok: true, draft: checked.data };
}

/**
 * The idempotency token of a Partner Central call made for a registration: the same registration
 * and step always give the same token, so a retried call (a Lambda retry, a re-run step) is one
 * call for AWS. At most 64 printable ASCII characters, as the model requires.
 */
export function coSellClientToken(registrationId: string, step: 'create' | 'submit'): string {
  const token = `dealreg-${step}-${registrationId}`;
  if (/^[!-~]{1,64}$/.test(token)) return token;
  return `dealreg-${step}-${createHash('sha256').update(registrationId).digest('hex').slice(0, 40)}`;
}

/**
 * What AWS requires of an opportunity before it accepts its submission that `draft` lacks, each
 * as `Field: why`: `Customer.Account.Industry` ("This is a required field", "Account", AWS
 * Partner Central API reference) and `OtherIndustry` with `Other`; `WebsiteUrl` ("required in all
 * cases except when the opportunity is related to national security", same page); the customer's
 * `Address.CountryCode` and `PostalCode`, and `StateOrRegion` for a customer in the United States
 * ("Address"; "Working with your opportunities", Partner Central developer guide), the postal
 * code not for a country without postal codes ({@link countriesWithoutPostalCode}). Empty when
 * the opportunity can be submitted.
 */
export function submissionGaps(draft: CoSellOpportunityDraft): string[] {
  const account = draft.Customer.Account;
  const gaps: string[] = [];
  if (account.Industry === undefined) {
    gaps.push("Customer.Account.Industry: the customer's HubSpot company has no industry");
  } else if (account.Industry === 'Other' && account.OtherIndustry === undefined) {
    gaps.push('Customer.Account.OtherIndustry: required with Industry Other');
  }
  if (account.WebsiteUrl.trim() === '') gaps.push('Customer.Account.WebsiteUrl: the customer has no website');
  if (account.Address?.CountryCode === undefined) {
    gaps.push('Customer.Account.Address.CountryCode: the registration names no country ACE knows');
  }
  if (
    account.Address?.PostalCode === undefined &&
    !countriesWithoutPostalCode.has(account.Address?.CountryCode ?? '')
  ) {
    gaps.push("Customer.Account.Address.PostalCode: the customer's HubSpot company has no postal code (zip)");
  }
  if (account.Address?.CountryCode === 'US' && account.Address.StateOrRegion === undefined) {
    gaps.push(
      "Customer.Account.Address.StateOrRegion: the customer's HubSpot company has no US state ACE knows (state)",
    );
  }
  return gaps;
}

/**
 * Why Partner Central would refuse to create `draft` at `at` for its target close date, if it
 * would: "Ensure the Target Close Date isn't in the past" ("LifeCycle", AWS Partner Central API
 * reference; "Date cannot be in the past" in AWS's opportunity field list). A registration's close
 * date was in the future when it was received, but the share may run long after (an approval that
 * waited, a catch-up). Judged as intake judges a close date: past only when it is past everywhere
 * on Earth (before the date at UTC−12), so Dealreg never holds back what AWS would take.
 */
export function pastTargetCloseDate(draft: CoSellOpportunityDraft, at: Date): string | undefined {
  const closeDate = draft.LifeCycle.TargetCloseDate;
  const earliestToday = new Date(at.getTime() - 12 * 3_600_000).toISOString().slice(0, 10);
  if (closeDate >= earliestToday) return undefined;
  return `the registration's expected close date ${closeDate} has passed (it is ${earliestToday} or later everywhere), and Partner Central takes no opportunity whose TargetCloseDate is in the past: nothing was sent to AWS (create the opportunity in ACE with the deal's current close date)`;
}

/** `text` trimmed, or undefined when it is null or blank. */
function present(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
}

/** The company's website as HubSpot holds it (with a scheme), else its domain's. */
function websiteOf(website: string | undefined, domain: string): string {
  if (website === undefined) return `https://${domain}`;
  const url = /^https?:\/\//i.test(website) ? website : `https://${website}`;
  return truncate(url, 255);
}

function projectTitle(customer: string, products: readonly string[]): string {
  return products.length === 0 ? customer : `${customer}: ${products.join(', ')}`;
}

/** The deal description, with the registration's facts around it when it is short or missing. */
function businessProblem(details: NonNullable<StoredRegistration['details']>): string {
  const description = details.dealDescription?.trim() ?? '';
  if (description.length >= businessProblemMin) return truncate(description, businessProblemMax);
  const products = details.products.length > 0 ? details.products.join(', ') : 'the partner solution';
  const facts = `${details.customerCompanyName} (${details.customerDomain}) is evaluating ${products} with partner ${details.partnerDomain}.`;
  return truncate(description === '' ? facts : `${facts} ${description}`, businessProblemMax);
}

/**
 * `text` within `max` characters as the model counts them (Smithy's length trait counts Unicode
 * code points, not UTF-16 code units), cut at a whole character so no half of a surrogate pair
 * is sent.
 */
function truncate(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

/**
 * The `Address.CountryCode` Partner Central takes for a country intake read, if it takes one:
 * the model's CountryCode enum ("Address", AWS Partner Central API reference) lacks some regions
 * CLDR names, which ACE files under the country they belong to; Kosovo (XK) and North Korea (KP)
 * it lacks altogether, so no country is sent for them rather than one AWS refuses.
 */
const aceCountryOf: Readonly<Record<string, string | undefined>> = {
  AC: 'SH', // Ascension Island: Saint Helena, Ascension and Tristan da Cunha
  TA: 'SH', // Tristan da Cunha
  CP: 'FR', // Clipperton Island
  CQ: 'GG', // Sark: the Bailiwick of Guernsey
  DG: 'IO', // Diego Garcia: British Indian Ocean Territory
  EA: 'ES', // Ceuta and Melilla
  IC: 'ES', // Canary Islands
  KP: undefined,
  XK: undefined,
};

function aceCountryCode(country: string | undefined): string | undefined {
  if (country === undefined || !/^[A-Z]{2}$/.test(country)) return undefined;
  return country in aceCountryOf ? aceCountryOf[country] : country;
}
