import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CountryCode, Industry } from '@aws-sdk/client-partnercentral-selling';
import { describe, expect, it } from 'vitest';
import { aceIndustries } from '#domain/co-sell/ace-vocabulary.ts';
import {
  aceIndustryOf,
  aceUsStateOf,
  aceUsStates,
  countriesWithoutPostalCode,
  hubSpotIndustries,
  otherIndustryLabels,
} from '#domain/co-sell/customer-account.ts';
import { coSellOpportunityFor, submissionGaps } from '#domain/co-sell/opportunity-from-registration.ts';
import { shapeProblems } from '#local/partner-central/service-model.ts';
import { coSellDefaults, customerCompany, storedRegistration } from '#test/support/co-sell.ts';

/** The US `StateOrRegion` values the SDK documents on `Address` ("Address", API reference). */
function sdkUsStates(): string[] {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@aws-sdk/client-partnercentral-selling/package.json'));
  const text = readFileSync(join(root, 'dist-types/models/models_0.d.ts'), 'utf8');
  const listed =
    /state or region associated with the <code>Opportunity<\/code>\.<\/p> <p>Valid values: <code>([^<]*)<\/code>/.exec(
      text,
    );
  if (listed?.[1] === undefined) throw new Error('the SDK no longer documents StateOrRegion values');
  // `FPO, AP` holds a comma but no bar: split on bars only.
  return listed[1].split(' | ').map((value) => value.trim());
}

describe("HubSpot's company industry in ACE's words", () => {
  it('writes out exactly the SDK Industry enum', () => {
    expect([...aceIndustries].sort()).toEqual(Object.values(Industry).sort());
  });

  it("maps each of HubSpot's 147 industries to an ACE Industry the SDK knows", () => {
    const values = Object.keys(hubSpotIndustries);
    expect(values).toHaveLength(147);
    expect(new Set(values).size).toBe(values.length);
    for (const value of values) {
      const mapped = aceIndustryOf(value);
      expect(Object.values(Industry), value).toContain(mapped?.Industry);
      // `Other` always names the industry, as AWS requires then.
      if (mapped?.Industry === 'Other') expect(mapped.OtherIndustry, value).toBe(otherIndustryLabels[value]);
      else expect(mapped?.OtherIndustry, value).toBeUndefined();
    }
    for (const value of Object.keys(otherIndustryLabels)) expect(hubSpotIndustries[value]).toBe('Other');
  });

  it.each([
    ['COMPUTER_SOFTWARE', { Industry: 'Software and Internet' }],
    ['HOSPITAL_HEALTH_CARE', { Industry: 'Healthcare' }],
    ['BANKING', { Industry: 'Financial Services' }],
    ['OIL_ENERGY', { Industry: 'Energy - Oil and Gas' }],
    ['AVIATION_AEROSPACE', { Industry: 'Aerospace' }],
    ['NON_PROFIT_ORGANIZATION_MANAGEMENT', { Industry: 'Non-Profit Organization' }],
    ['computer_games', { Industry: 'Gaming' }],
    ['RESEARCH', { Industry: 'Other', OtherIndustry: 'Research' }],
    ['Space tourism', { Industry: 'Other', OtherIndustry: 'Space tourism' }],
  ])('maps %s', (hubSpot, ace) => {
    expect(aceIndustryOf(hubSpot)).toEqual(ace);
  });

  it('invents none when HubSpot has no industry', () => {
    expect(aceIndustryOf(null)).toBeUndefined();
    expect(aceIndustryOf('  ')).toBeUndefined();
  });
});

describe("HubSpot's state in ACE's words", () => {
  it('names only states the SDK documents, every one of them', () => {
    expect(Object.values(aceUsStates).sort()).toEqual(sdkUsStates().sort());
  });

  it('reads a USPS code or a name in any case', () => {
    expect(aceUsStateOf('WA')).toBe('Washington');
    expect(aceUsStateOf('dc')).toBe('Dist. of Columbia');
    expect(aceUsStateOf('new york')).toBe('New York');
    expect(aceUsStateOf('Bavaria')).toBeUndefined();
    expect(aceUsStateOf(null)).toBeUndefined();
  });
});

describe("the customer's account on the opportunity", () => {
  const registration = storedRegistration();

  it("carries the HubSpot company's industry, website and address, valid for the model, with nothing missing for submission", () => {
    const mapping = coSellOpportunityFor({
      registration,
      defaults: coSellDefaults,
      usdRates: {},
      customer: customerCompany,
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    expect(mapping.draft.Customer.Account).toMatchObject({
      Industry: 'Software and Internet',
      WebsiteUrl: 'https://www.contoso.com',
      Address: { City: 'Redmond', PostalCode: '98052', StateOrRegion: 'Washington', CountryCode: 'US' },
    });
    expect(submissionGaps(mapping.draft)).toEqual([]);
    expect(
      shapeProblems(
        'CreateOpportunityRequest',
        { ...mapping.draft, Catalog: 'Sandbox', ClientToken: 't' },
        'sdk',
      ),
    ).toEqual([]);
  });

  it('says what AWS requires that HubSpot lacks, without inventing it', () => {
    const mapping = coSellOpportunityFor({
      registration,
      defaults: coSellDefaults,
      usdRates: {},
      customer: { ...customerCompany, industry: null, zip: null, state: 'Bavaria', website: null },
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    expect(mapping.draft.Customer.Account.Industry).toBeUndefined();
    // The website falls back to the registered domain's.
    expect(mapping.draft.Customer.Account.WebsiteUrl).toMatch(/^https:\/\//);
    expect(submissionGaps(mapping.draft).map((gap) => gap.split(':')[0])).toEqual([
      'Customer.Account.Industry',
      'Customer.Account.Address.PostalCode',
      'Customer.Account.Address.StateOrRegion',
    ]);
  });
});

describe('a customer in a country without postal codes', () => {
  const inCountry = (country: string) => {
    const mapping = coSellOpportunityFor({
      registration: storedRegistration({ customer_country: country }),
      defaults: coSellDefaults,
      usdRates: {},
      customer: { ...customerCompany, zip: null, state: null, city: 'Hong Kong', country },
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    return mapping.draft;
  };

  it('lacks no postal code for submission (Hong Kong, Qatar, the United Arab Emirates)', () => {
    for (const country of ['HK', 'QA', 'AE']) {
      const draft = inCountry(country);
      expect(draft.Customer.Account.Address?.CountryCode).toBe(country);
      expect(draft.Customer.Account.Address?.PostalCode).toBeUndefined();
      expect(submissionGaps(draft)).toEqual([]);
    }
  });

  it('still lacks one in a country that has postal codes', () => {
    expect(submissionGaps(inCountry('GB')).map((gap) => gap.split(':')[0])).toEqual([
      'Customer.Account.Address.PostalCode',
    ]);
  });

  it("names AWS's 59 countries, each by a code of the model's CountryCode enum, as the stand-in does", () => {
    expect(countriesWithoutPostalCode.size).toBe(59);
    const known = new Set<string>(Object.values(CountryCode));
    expect([...countriesWithoutPostalCode].filter((code) => !known.has(code))).toEqual([]);
  });
});
