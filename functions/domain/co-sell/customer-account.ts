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
 * ACE has no matching industry; the HubSpot label is then sent as `OtherIndustry`.
 */
export const hubSpotIndustries: Readonly<
  Record<string, { readonly label: string; readonly ace: AceIndustry }>
> = {
  ACCOUNTING: { label: 'Accounting', ace: 'Professional Services' },
  AIRLINES_AVIATION: { label: 'Airlines/Aviation', ace: 'Transportation and Logistics' },
  ALTERNATIVE_DISPUTE_RESOLUTION: { label: 'Alternative Dispute Resolution', ace: 'Professional Services' },
  ALTERNATIVE_MEDICINE: { label: 'Alternative Medicine', ace: 'Healthcare' },
  ANIMATION: { label: 'Animation', ace: 'Media and Entertainment' },
  APPAREL_FASHION: { label: 'Apparel & Fashion', ace: 'Consumer Goods' },
  ARCHITECTURE_PLANNING: { label: 'Architecture & Planning', ace: 'Real Estate and Construction' },
  ARTS_AND_CRAFTS: { label: 'Arts and Crafts', ace: 'Consumer Goods' },
  AUTOMOTIVE: { label: 'Automotive', ace: 'Automotive' },
  AVIATION_AEROSPACE: { label: 'Aviation & Aerospace', ace: 'Aerospace' },
  BANKING: { label: 'Banking', ace: 'Financial Services' },
  BIOTECHNOLOGY: { label: 'Biotechnology', ace: 'Life Sciences' },
  BROADCAST_MEDIA: { label: 'Broadcast Media', ace: 'Media and Entertainment' },
  BUILDING_MATERIALS: { label: 'Building Materials', ace: 'Real Estate and Construction' },
  BUSINESS_SUPPLIES_AND_EQUIPMENT: {
    label: 'Business Supplies and Equipment',
    ace: 'Wholesale and Distribution',
  },
  CAPITAL_MARKETS: { label: 'Capital Markets', ace: 'Financial Services' },
  CHEMICALS: { label: 'Chemicals', ace: 'Manufacturing' },
  CIVIC_SOCIAL_ORGANIZATION: { label: 'Civic & Social Organization', ace: 'Non-Profit Organization' },
  CIVIL_ENGINEERING: { label: 'Civil Engineering', ace: 'Real Estate and Construction' },
  COMMERCIAL_REAL_ESTATE: { label: 'Commercial Real Estate', ace: 'Real Estate and Construction' },
  COMPUTER_NETWORK_SECURITY: { label: 'Computer & Network Security', ace: 'Software and Internet' },
  COMPUTER_GAMES: { label: 'Computer Games', ace: 'Gaming' },
  COMPUTER_HARDWARE: { label: 'Computer Hardware', ace: 'Computers and Electronics' },
  COMPUTER_NETWORKING: { label: 'Computer Networking', ace: 'Computers and Electronics' },
  COMPUTER_SOFTWARE: { label: 'Computer Software', ace: 'Software and Internet' },
  INTERNET: { label: 'Internet', ace: 'Software and Internet' },
  CONSTRUCTION: { label: 'Construction', ace: 'Real Estate and Construction' },
  CONSUMER_ELECTRONICS: { label: 'Consumer Electronics', ace: 'Computers and Electronics' },
  CONSUMER_GOODS: { label: 'Consumer Goods', ace: 'Consumer Goods' },
  CONSUMER_SERVICES: { label: 'Consumer Services', ace: 'Professional Services' },
  COSMETICS: { label: 'Cosmetics', ace: 'Consumer Goods' },
  DAIRY: { label: 'Dairy', ace: 'Agriculture' },
  DEFENSE_SPACE: { label: 'Defense & Space', ace: 'Aerospace' },
  DESIGN: { label: 'Design', ace: 'Professional Services' },
  EDUCATION_MANAGEMENT: { label: 'Education Management', ace: 'Education' },
  E_LEARNING: { label: 'E-Learning', ace: 'Education' },
  ELECTRICAL_ELECTRONIC_MANUFACTURING: {
    label: 'Electrical/Electronic Manufacturing',
    ace: 'Computers and Electronics',
  },
  ENTERTAINMENT: { label: 'Entertainment', ace: 'Media and Entertainment' },
  ENVIRONMENTAL_SERVICES: { label: 'Environmental Services', ace: 'Energy - Power and Utilities' },
  EVENTS_SERVICES: { label: 'Events Services', ace: 'Hospitality' },
  EXECUTIVE_OFFICE: { label: 'Executive Office', ace: 'Government' },
  FACILITIES_SERVICES: { label: 'Facilities Services', ace: 'Professional Services' },
  FARMING: { label: 'Farming', ace: 'Agriculture' },
  FINANCIAL_SERVICES: { label: 'Financial Services', ace: 'Financial Services' },
  FINE_ART: { label: 'Fine Art', ace: 'Media and Entertainment' },
  FISHERY: { label: 'Fishery', ace: 'Agriculture' },
  FOOD_BEVERAGES: { label: 'Food & Beverages', ace: 'Consumer Goods' },
  FOOD_PRODUCTION: { label: 'Food Production', ace: 'Consumer Goods' },
  FUND_RAISING: { label: 'Fund-Raising', ace: 'Non-Profit Organization' },
  FURNITURE: { label: 'Furniture', ace: 'Consumer Goods' },
  GAMBLING_CASINOS: { label: 'Gambling & Casinos', ace: 'Gaming' },
  GLASS_CERAMICS_CONCRETE: { label: 'Glass, Ceramics & Concrete', ace: 'Manufacturing' },
  GOVERNMENT_ADMINISTRATION: { label: 'Government Administration', ace: 'Government' },
  GOVERNMENT_RELATIONS: { label: 'Government Relations', ace: 'Government' },
  GRAPHIC_DESIGN: { label: 'Graphic Design', ace: 'Marketing and Advertising' },
  HEALTH_WELLNESS_AND_FITNESS: { label: 'Health, Wellness and Fitness', ace: 'Healthcare' },
  HIGHER_EDUCATION: { label: 'Higher Education', ace: 'Education' },
  HOSPITAL_HEALTH_CARE: { label: 'Hospital & Health Care', ace: 'Healthcare' },
  HOSPITALITY: { label: 'Hospitality', ace: 'Hospitality' },
  HUMAN_RESOURCES: { label: 'Human Resources', ace: 'Professional Services' },
  IMPORT_AND_EXPORT: { label: 'Import and Export', ace: 'Wholesale and Distribution' },
  INDIVIDUAL_FAMILY_SERVICES: { label: 'Individual & Family Services', ace: 'Non-Profit Organization' },
  INDUSTRIAL_AUTOMATION: { label: 'Industrial Automation', ace: 'Manufacturing' },
  INFORMATION_SERVICES: { label: 'Information Services', ace: 'Software and Internet' },
  INFORMATION_TECHNOLOGY_AND_SERVICES: {
    label: 'Information Technology and Services',
    ace: 'Software and Internet',
  },
  INSURANCE: { label: 'Insurance', ace: 'Financial Services' },
  INTERNATIONAL_AFFAIRS: { label: 'International Affairs', ace: 'Government' },
  INTERNATIONAL_TRADE_AND_DEVELOPMENT: {
    label: 'International Trade and Development',
    ace: 'Wholesale and Distribution',
  },
  INVESTMENT_BANKING: { label: 'Investment Banking', ace: 'Financial Services' },
  INVESTMENT_MANAGEMENT: { label: 'Investment Management', ace: 'Financial Services' },
  JUDICIARY: { label: 'Judiciary', ace: 'Government' },
  LAW_ENFORCEMENT: { label: 'Law Enforcement', ace: 'Government' },
  LAW_PRACTICE: { label: 'Law Practice', ace: 'Professional Services' },
  LEGAL_SERVICES: { label: 'Legal Services', ace: 'Professional Services' },
  LEGISLATIVE_OFFICE: { label: 'Legislative Office', ace: 'Government' },
  LEISURE_TRAVEL_TOURISM: { label: 'Leisure, Travel & Tourism', ace: 'Travel' },
  LIBRARIES: { label: 'Libraries', ace: 'Education' },
  LOGISTICS_AND_SUPPLY_CHAIN: { label: 'Logistics and Supply Chain', ace: 'Transportation and Logistics' },
  LUXURY_GOODS_JEWELRY: { label: 'Luxury Goods & Jewelry', ace: 'Consumer Goods' },
  MACHINERY: { label: 'Machinery', ace: 'Manufacturing' },
  MANAGEMENT_CONSULTING: { label: 'Management Consulting', ace: 'Professional Services' },
  MARITIME: { label: 'Maritime', ace: 'Transportation and Logistics' },
  MARKET_RESEARCH: { label: 'Market Research', ace: 'Marketing and Advertising' },
  MARKETING_AND_ADVERTISING: { label: 'Marketing and Advertising', ace: 'Marketing and Advertising' },
  MECHANICAL_OR_INDUSTRIAL_ENGINEERING: {
    label: 'Mechanical or Industrial Engineering',
    ace: 'Manufacturing',
  },
  MEDIA_PRODUCTION: { label: 'Media Production', ace: 'Media and Entertainment' },
  MEDICAL_DEVICES: { label: 'Medical Devices', ace: 'Life Sciences' },
  MEDICAL_PRACTICE: { label: 'Medical Practice', ace: 'Healthcare' },
  MENTAL_HEALTH_CARE: { label: 'Mental Health Care', ace: 'Healthcare' },
  MILITARY: { label: 'Military', ace: 'Government' },
  MINING_METALS: { label: 'Mining & Metals', ace: 'Mining' },
  MOTION_PICTURES_AND_FILM: { label: 'Motion Pictures and Film', ace: 'Media and Entertainment' },
  MUSEUMS_AND_INSTITUTIONS: { label: 'Museums and Institutions', ace: 'Non-Profit Organization' },
  MUSIC: { label: 'Music', ace: 'Media and Entertainment' },
  NANOTECHNOLOGY: { label: 'Nanotechnology', ace: 'Computers and Electronics' },
  NEWSPAPERS: { label: 'Newspapers', ace: 'Media and Entertainment' },
  NON_PROFIT_ORGANIZATION_MANAGEMENT: {
    label: 'Non-Profit Organization Management',
    ace: 'Non-Profit Organization',
  },
  OIL_ENERGY: { label: 'Oil & Energy', ace: 'Energy - Oil and Gas' },
  ONLINE_MEDIA: { label: 'Online Media', ace: 'Media and Entertainment' },
  OUTSOURCING_OFFSHORING: { label: 'Outsourcing/Offshoring', ace: 'Professional Services' },
  PACKAGE_FREIGHT_DELIVERY: { label: 'Package/Freight Delivery', ace: 'Transportation and Logistics' },
  PACKAGING_AND_CONTAINERS: { label: 'Packaging and Containers', ace: 'Manufacturing' },
  PAPER_FOREST_PRODUCTS: { label: 'Paper & Forest Products', ace: 'Manufacturing' },
  PERFORMING_ARTS: { label: 'Performing Arts', ace: 'Media and Entertainment' },
  PHARMACEUTICALS: { label: 'Pharmaceuticals', ace: 'Life Sciences' },
  PHILANTHROPY: { label: 'Philanthropy', ace: 'Non-Profit Organization' },
  PHOTOGRAPHY: { label: 'Photography', ace: 'Media and Entertainment' },
  PLASTICS: { label: 'Plastics', ace: 'Manufacturing' },
  POLITICAL_ORGANIZATION: { label: 'Political Organization', ace: 'Non-Profit Organization' },
  PRIMARY_SECONDARY_EDUCATION: { label: 'Primary/Secondary Education', ace: 'Education' },
  PRINTING: { label: 'Printing', ace: 'Manufacturing' },
  PROFESSIONAL_TRAINING_COACHING: { label: 'Professional Training & Coaching', ace: 'Education' },
  PROGRAM_DEVELOPMENT: { label: 'Program Development', ace: 'Software and Internet' },
  PUBLIC_POLICY: { label: 'Public Policy', ace: 'Government' },
  PUBLIC_RELATIONS_AND_COMMUNICATIONS: {
    label: 'Public Relations and Communications',
    ace: 'Marketing and Advertising',
  },
  PUBLIC_SAFETY: { label: 'Public Safety', ace: 'Government' },
  PUBLISHING: { label: 'Publishing', ace: 'Media and Entertainment' },
  RAILROAD_MANUFACTURE: { label: 'Railroad Manufacture', ace: 'Manufacturing' },
  RANCHING: { label: 'Ranching', ace: 'Agriculture' },
  REAL_ESTATE: { label: 'Real Estate', ace: 'Real Estate and Construction' },
  RECREATIONAL_FACILITIES_AND_SERVICES: { label: 'Recreational Facilities and Services', ace: 'Hospitality' },
  RELIGIOUS_INSTITUTIONS: { label: 'Religious Institutions', ace: 'Non-Profit Organization' },
  RENEWABLES_ENVIRONMENT: { label: 'Renewables & Environment', ace: 'Energy - Power and Utilities' },
  RESEARCH: { label: 'Research', ace: 'Other' },
  RESTAURANTS: { label: 'Restaurants', ace: 'Hospitality' },
  RETAIL: { label: 'Retail', ace: 'Retail' },
  SECURITY_AND_INVESTIGATIONS: { label: 'Security and Investigations', ace: 'Professional Services' },
  SEMICONDUCTORS: { label: 'Semiconductors', ace: 'Computers and Electronics' },
  SHIPBUILDING: { label: 'Shipbuilding', ace: 'Manufacturing' },
  SPORTING_GOODS: { label: 'Sporting Goods', ace: 'Consumer Goods' },
  SPORTS: { label: 'Sports', ace: 'Media and Entertainment' },
  STAFFING_AND_RECRUITING: { label: 'Staffing and Recruiting', ace: 'Professional Services' },
  SUPERMARKETS: { label: 'Supermarkets', ace: 'Retail' },
  TELECOMMUNICATIONS: { label: 'Telecommunications', ace: 'Telecommunications' },
  TEXTILES: { label: 'Textiles', ace: 'Manufacturing' },
  THINK_TANKS: { label: 'Think Tanks', ace: 'Non-Profit Organization' },
  TOBACCO: { label: 'Tobacco', ace: 'Consumer Goods' },
  TRANSLATION_AND_LOCALIZATION: { label: 'Translation and Localization', ace: 'Professional Services' },
  TRANSPORTATION_TRUCKING_RAILROAD: {
    label: 'Transportation/Trucking/Railroad',
    ace: 'Transportation and Logistics',
  },
  UTILITIES: { label: 'Utilities', ace: 'Energy - Power and Utilities' },
  VENTURE_CAPITAL_PRIVATE_EQUITY: { label: 'Venture Capital & Private Equity', ace: 'Financial Services' },
  VETERINARY: { label: 'Veterinary', ace: 'Healthcare' },
  WAREHOUSING: { label: 'Warehousing', ace: 'Transportation and Logistics' },
  WHOLESALE: { label: 'Wholesale', ace: 'Wholesale and Distribution' },
  WINE_AND_SPIRITS: { label: 'Wine and Spirits', ace: 'Consumer Goods' },
  WIRELESS: { label: 'Wireless', ace: 'Telecommunications' },
  WRITING_AND_EDITING: { label: 'Writing and Editing', ace: 'Media and Entertainment' },
};

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
  const known = hubSpotIndustries[value.toUpperCase()];
  if (known === undefined)
    return { Industry: 'Other', OtherIndustry: [...value].slice(0, otherIndustryMax).join('') };
  return known.ace === 'Other' ? { Industry: 'Other', OtherIndustry: known.label } : { Industry: known.ace };
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
