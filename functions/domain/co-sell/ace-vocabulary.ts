/**
 * The values AWS Partner Central accepts for the opportunity fields Dealreg fills, exactly as the
 * Partner Central Selling API model spells them (`@aws-sdk/client-partnercentral-selling`, enums
 * of the same names). The domain imports no SDK, so they are written out here; the contract tests
 * compare every list with the SDK's enums, so a value AWS renames fails a test instead of a
 * submission.
 */

/** `Stage`. */
export const opportunityStages = [
  'Prospect',
  'Qualified',
  'Technical Validation',
  'Business Validation',
  'Committed',
  'Launched',
  'Closed Lost',
] as const;
export type OpportunityStage = (typeof opportunityStages)[number];

/** `ReviewStatus`: where AWS's review of a submitted opportunity stands. */
export const reviewStatuses = [
  'Pending Submission',
  'Submitted',
  'In review',
  'Action Required',
  'Approved',
  'Rejected',
] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** `PrimaryNeedFromAws`. */
export const primaryNeedsFromAws = [
  'Co-Sell - Architectural Validation',
  'Co-Sell - Business Presentation',
  'Co-Sell - Competitive Information',
  'Co-Sell - Deal Support',
  'Co-Sell - Pricing Assistance',
  'Co-Sell - Support for Public Tender / RFx',
  'Co-Sell - Technical Consultation',
  'Co-Sell - Total Cost of Ownership Evaluation',
] as const;
export type PrimaryNeedFromAws = (typeof primaryNeedsFromAws)[number];

/** `DeliveryModel`. */
export const deliveryModels = [
  'SaaS or PaaS',
  'BYOL or AMI',
  'Managed Services',
  'Professional Services',
  'Resell',
  'Other',
] as const;
export type DeliveryModel = (typeof deliveryModels)[number];

/** `SalesActivity`. */
export const salesActivities = [
  'Initialized discussions with customer',
  'Customer has shown interest in solution',
  'Conducted POC / Demo',
  'In evaluation / planning stage',
  'Agreed on solution to Business Problem',
  'Completed Action Plan',
  'Finalized Deployment Need',
  'SOW Signed',
] as const;
export type SalesActivity = (typeof salesActivities)[number];

/** `Channel` (Marketing.Channels). */
export const marketingChannels = [
  'AWS Marketing Central',
  'Content Syndication',
  'Display',
  'Email',
  'Live Event',
  'Out Of Home (OOH)',
  'Print',
  'Search',
  'Social',
  'Telemarketing',
  'TV',
  'Video',
  'Virtual Event',
] as const;
export type MarketingChannel = (typeof marketingChannels)[number];

/** `SalesInvolvementType`: what the partner asks of AWS when submitting. */
export const salesInvolvementTypes = ['For Visibility Only', 'Co-Sell'] as const;
export type SalesInvolvementType = (typeof salesInvolvementTypes)[number];

/** `Visibility`. */
export const opportunityVisibilities = ['Full', 'Limited'] as const;
export type OpportunityVisibility = (typeof opportunityVisibilities)[number];

/** `CurrencyCode` values ExpectedCustomerSpend accepts (its documentation: USD, or EUR). */
export const customerSpendCurrencies = ['USD', 'EUR'] as const;

/** `Industry` (Customer.Account.Industry). */
export const aceIndustries = [
  'Aerospace',
  'Agriculture',
  'Automotive',
  'Computers and Electronics',
  'Consumer Goods',
  'Education',
  'Energy - Oil and Gas',
  'Energy - Power and Utilities',
  'Financial Services',
  'Gaming',
  'Government',
  'Healthcare',
  'Hospitality',
  'Life Sciences',
  'Manufacturing',
  'Marketing and Advertising',
  'Media and Entertainment',
  'Mining',
  'Non-Profit Organization',
  'Other',
  'Professional Services',
  'Real Estate and Construction',
  'Retail',
  'Software and Internet',
  'Telecommunications',
  'Transportation and Logistics',
  'Travel',
  'Wholesale and Distribution',
] as const;
export type AceIndustry = (typeof aceIndustries)[number];
