import type { AceIndustry } from './ace-vocabulary.ts';

/**
 * The customer's company as HubSpot holds it, for the `Customer.Account` of a co-sell
 * opportunity: HubSpot's default company properties ("Default company properties", HubSpot
 * Knowledge Base) `industry`, `website`, `domain`, `zip`, `state`, `city` and `country`, each
 * null when unset.
 */
export interface CustomerCompanyFacts {
  readonly companyId: string;
  readonly industry: string | null;
  readonly website: string | null;
  readonly domain: string | null;
  readonly zip: string | null;
  readonly state: string | null;
  readonly city: string | null;
  readonly country: string | null;
}

/**
 * HubSpot's company `industry` property: an enumeration whose internal values are these
 * ("Default company properties", HubSpot Knowledge Base: Industry), each mapped to the Partner
 * Central `Industry` it belongs to ("Account", AWS Partner Central API reference). `Other` where
 * ACE has no matching industry; HubSpot's label ({@link otherIndustryLabels}) is then sent as
 * `OtherIndustry`.
 */
export const hubSpotIndustries: Readonly<Record<string, AceIndustry>> = {
  ACCOUNTING: 'Professional Services',
  AIRLINES_AVIATION: 'Transportation and Logistics',
  ALTERNATIVE_DISPUTE_RESOLUTION: 'Professional Services',
  ALTERNATIVE_MEDICINE: 'Healthcare',
  ANIMATION: 'Media and Entertainment',
  APPAREL_FASHION: 'Consumer Goods',
  ARCHITECTURE_PLANNING: 'Real Estate and Construction',
  ARTS_AND_CRAFTS: 'Consumer Goods',
  AUTOMOTIVE: 'Automotive',
  AVIATION_AEROSPACE: 'Aerospace',
  BANKING: 'Financial Services',
  BIOTECHNOLOGY: 'Life Sciences',
  BROADCAST_MEDIA: 'Media and Entertainment',
  BUILDING_MATERIALS: 'Real Estate and Construction',
  BUSINESS_SUPPLIES_AND_EQUIPMENT: 'Wholesale and Distribution',
  CAPITAL_MARKETS: 'Financial Services',
  CHEMICALS: 'Manufacturing',
  CIVIC_SOCIAL_ORGANIZATION: 'Non-Profit Organization',
  CIVIL_ENGINEERING: 'Real Estate and Construction',
  COMMERCIAL_REAL_ESTATE: 'Real Estate and Construction',
  COMPUTER_NETWORK_SECURITY: 'Software and Internet',
  COMPUTER_GAMES: 'Gaming',
  COMPUTER_HARDWARE: 'Computers and Electronics',
  COMPUTER_NETWORKING: 'Computers and Electronics',
  COMPUTER_SOFTWARE: 'Software and Internet',
  INTERNET: 'Software and Internet',
  CONSTRUCTION: 'Real Estate and Construction',
  CONSUMER_ELECTRONICS: 'Computers and Electronics',
  CONSUMER_GOODS: 'Consumer Goods',
  CONSUMER_SERVICES: 'Professional Services',
  COSMETICS: 'Consumer Goods',
  DAIRY: 'Agriculture',
  DEFENSE_SPACE: 'Aerospace',
  DESIGN: 'Professional Services',
  EDUCATION_MANAGEMENT: 'Education',
  E_LEARNING: 'Education',
  ELECTRICAL_ELECTRONIC_MANUFACTURING: 'Computers and Electronics',
  ENTERTAINMENT: 'Media and Entertainment',
  ENVIRONMENTAL_SERVICES: 'Energy - Power and Utilities',
  EVENTS_SERVICES: 'Hospitality',
  EXECUTIVE_OFFICE: 'Government',
  FACILITIES_SERVICES: 'Professional Services',
  FARMING: 'Agriculture',
  FINANCIAL_SERVICES: 'Financial Services',
  FINE_ART: 'Media and Entertainment',
  FISHERY: 'Agriculture',
  FOOD_BEVERAGES: 'Consumer Goods',
  FOOD_PRODUCTION: 'Consumer Goods',
  FUND_RAISING: 'Non-Profit Organization',
  FURNITURE: 'Consumer Goods',
  GAMBLING_CASINOS: 'Gaming',
  GLASS_CERAMICS_CONCRETE: 'Manufacturing',
  GOVERNMENT_ADMINISTRATION: 'Government',
  GOVERNMENT_RELATIONS: 'Government',
  GRAPHIC_DESIGN: 'Marketing and Advertising',
  HEALTH_WELLNESS_AND_FITNESS: 'Healthcare',
  HIGHER_EDUCATION: 'Education',
  HOSPITAL_HEALTH_CARE: 'Healthcare',
  HOSPITALITY: 'Hospitality',
  HUMAN_RESOURCES: 'Professional Services',
  IMPORT_AND_EXPORT: 'Wholesale and Distribution',
  INDIVIDUAL_FAMILY_SERVICES: 'Non-Profit Organization',
  INDUSTRIAL_AUTOMATION: 'Manufacturing',
  INFORMATION_SERVICES: 'Software and Internet',
  INFORMATION_TECHNOLOGY_AND_SERVICES: 'Software and Internet',
  INSURANCE: 'Financial Services',
  INTERNATIONAL_AFFAIRS: 'Government',
  INTERNATIONAL_TRADE_AND_DEVELOPMENT: 'Wholesale and Distribution',
  INVESTMENT_BANKING: 'Financial Services',
  INVESTMENT_MANAGEMENT: 'Financial Services',
  JUDICIARY: 'Government',
  LAW_ENFORCEMENT: 'Government',
  LAW_PRACTICE: 'Professional Services',
  LEGAL_SERVICES: 'Professional Services',
  LEGISLATIVE_OFFICE: 'Government',
  LEISURE_TRAVEL_TOURISM: 'Travel',
  LIBRARIES: 'Education',
  LOGISTICS_AND_SUPPLY_CHAIN: 'Transportation and Logistics',
  LUXURY_GOODS_JEWELRY: 'Consumer Goods',
  MACHINERY: 'Manufacturing',
  MANAGEMENT_CONSULTING: 'Professional Services',
  MARITIME: 'Transportation and Logistics',
  MARKET_RESEARCH: 'Marketing and Advertising',
  MARKETING_AND_ADVERTISING: 'Marketing and Advertising',
  MECHANICAL_OR_INDUSTRIAL_ENGINEERING: 'Manufacturing',
  MEDIA_PRODUCTION: 'Media and Entertainment',
  MEDICAL_DEVICES: 'Life Sciences',
  MEDICAL_PRACTICE: 'Healthcare',
  MENTAL_HEALTH_CARE: 'Healthcare',
  MILITARY: 'Government',
  MINING_METALS: 'Mining',
  MOTION_PICTURES_AND_FILM: 'Media and Entertainment',
  MUSEUMS_AND_INSTITUTIONS: 'Non-Profit Organization',
  MUSIC: 'Media and Entertainment',
  NANOTECHNOLOGY: 'Computers and Electronics',
  NEWSPAPERS: 'Media and Entertainment',
  NON_PROFIT_ORGANIZATION_MANAGEMENT: 'Non-Profit Organization',
  OIL_ENERGY: 'Energy - Oil and Gas',
  ONLINE_MEDIA: 'Media and Entertainment',
  OUTSOURCING_OFFSHORING: 'Professional Services',
  PACKAGE_FREIGHT_DELIVERY: 'Transportation and Logistics',
  PACKAGING_AND_CONTAINERS: 'Manufacturing',
  PAPER_FOREST_PRODUCTS: 'Manufacturing',
  PERFORMING_ARTS: 'Media and Entertainment',
  PHARMACEUTICALS: 'Life Sciences',
  PHILANTHROPY: 'Non-Profit Organization',
  PHOTOGRAPHY: 'Media and Entertainment',
  PLASTICS: 'Manufacturing',
  POLITICAL_ORGANIZATION: 'Non-Profit Organization',
  PRIMARY_SECONDARY_EDUCATION: 'Education',
  PRINTING: 'Manufacturing',
  PROFESSIONAL_TRAINING_COACHING: 'Education',
  PROGRAM_DEVELOPMENT: 'Software and Internet',
  PUBLIC_POLICY: 'Government',
  PUBLIC_RELATIONS_AND_COMMUNICATIONS: 'Marketing and Advertising',
  PUBLIC_SAFETY: 'Government',
  PUBLISHING: 'Media and Entertainment',
  RAILROAD_MANUFACTURE: 'Manufacturing',
  RANCHING: 'Agriculture',
  REAL_ESTATE: 'Real Estate and Construction',
  RECREATIONAL_FACILITIES_AND_SERVICES: 'Hospitality',
  RELIGIOUS_INSTITUTIONS: 'Non-Profit Organization',
  RENEWABLES_ENVIRONMENT: 'Energy - Power and Utilities',
  RESEARCH: 'Other',
  RESTAURANTS: 'Hospitality',
  RETAIL: 'Retail',
  SECURITY_AND_INVESTIGATIONS: 'Professional Services',
  SEMICONDUCTORS: 'Computers and Electronics',
  SHIPBUILDING: 'Manufacturing',
  SPORTING_GOODS: 'Consumer Goods',
  SPORTS: 'Media and Entertainment',
  STAFFING_AND_RECRUITING: 'Professional Services',
  SUPERMARKETS: 'Retail',
  TELECOMMUNICATIONS: 'Telecommunications',
  TEXTILES: 'Manufacturing',
  THINK_TANKS: 'Non-Profit Organization',
  TOBACCO: 'Consumer Goods',
  TRANSLATION_AND_LOCALIZATION: 'Professional Services',
  TRANSPORTATION_TRUCKING_RAILROAD: 'Transportation and Logistics',
  UTILITIES: 'Energy - Power and Utilities',
  VENTURE_CAPITAL_PRIVATE_EQUITY: 'Financial Services',
  VETERINARY: 'Healthcare',
  WAREHOUSING: 'Transportation and Logistics',
  WHOLESALE: 'Wholesale and Distribution',
  WINE_AND_SPIRITS: 'Consumer Goods',
  WIRELESS: 'Telecommunications',
  WRITING_AND_EDITING: 'Media and Entertainment',
};

/** HubSpot's labels of the industries ACE has no match for, sent as `OtherIndustry`. */
export const otherIndustryLabels: Readonly<Record<string, string>> = { RESEARCH: 'Research' };

/** `OtherIndustry`'s limit in the model. */
const otherIndustryMax = 255;

/**
 * The ACE industry of a HubSpot `industry` value: the mapped one, or `Other` with HubSpot's
 * label (or the value as keyed, for a portal's own option) as `OtherIndustry`; `undefined` when
 * HubSpot has none, for the caller to say so rather than invent one.
 */
export function aceIndustryOf(
  hubSpotIndustry: string | null,
): { readonly Industry: AceIndustry; readonly OtherIndustry?: string } | undefined {
  const value = hubSpotIndustry?.trim() ?? '';
  if (value === '') return undefined;
  const code = value.toUpperCase();
  const known = hubSpotIndustries[code];
  if (known === undefined)
    return { Industry: 'Other', OtherIndustry: [...value].slice(0, otherIndustryMax).join('') };
  return known === 'Other'
    ? { Industry: 'Other', OtherIndustry: otherIndustryLabels[code] ?? value }
    : { Industry: known };
}

/**
 * ACE's `StateOrRegion` values for the United States ("Address", AWS Partner Central API
 * reference), keyed by USPS code, so a HubSpot `state` keyed as `CA` or `California` becomes
 * `California`.
 */
export const aceUsStates: Readonly<Record<string, string>> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AS: 'American Samoa',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'Dist. of Columbia',
  FM: 'Federated States of Micronesia',
  FL: 'Florida',
  GA: 'Georgia',
  GU: 'Guam',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MH: 'Marshall Islands',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  MP: 'Northern Mariana Islands',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PW: 'Palau',
  PA: 'Pennsylvania',
  PR: 'Puerto Rico',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  VI: 'Virgin Islands',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  AA: 'AFO/FPO',
  AE: 'APO/AE',
  AP: 'FPO, AP',
};

/** The ACE US state of a HubSpot `state` (code or name, any case), if it names one. */
export function aceUsStateOf(state: string | null): string | undefined {
  const value = state?.trim() ?? '';
  if (value === '') return undefined;
  const byCode = aceUsStates[value.toUpperCase()];
  if (byCode !== undefined) return byCode;
  const wanted = value.toLowerCase();
  return Object.values(aceUsStates).find((name) => name.toLowerCase() === wanted);
}

/**
 * The countries whose addresses have no postal code, for which Partner Central asks for none: AWS's
 * list "Countries without Postal Code" (aws-samples/partner-crm-integration-samples,
 * `opportunity-samples/CountriesWithoutPostalCode.csv`), by their codes in the model's CountryCode
 * enum (Hong Kong HK, Qatar QA, the United Arab Emirates AE, …).
 */
export const countriesWithoutPostalCode: ReadonlySet<string> = new Set([
  'AE',
  'AG',
  'AN',
  'AO',
  'AW',
  'BF',
  'BI',
  'BJ',
  'BO',
  'BQ',
  'BS',
  'BW',
  'BZ',
  'CF',
  'CG',
  'CI',
  'CK',
  'CM',
  'CW',
  'DJ',
  'DM',
  'ER',
  'FJ',
  'GD',
  'GH',
  'GM',
  'GQ',
  'GY',
  'HK',
  'HM',
  'KI',
  'KM',
  'KN',
  'LY',
  'ML',
  'MO',
  'MR',
  'MW',
  'NR',
  'NU',
  'QA',
  'RW',
  'SB',
  'SC',
  'SH',
  'SL',
  'SR',
  'ST',
  'SY',
  'TF',
  'TG',
  'TK',
  'TL',
  'TO',
  'TV',
  'UG',
  'VU',
  'YE',
  'ZW',
]);
