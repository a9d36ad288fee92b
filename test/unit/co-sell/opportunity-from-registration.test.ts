import {
  Channel,
  CountryCode,
  CurrencyCode,
  DeliveryModel,
  PrimaryNeedFromAws,
  ReviewStatus,
  SalesActivity,
  SalesInvolvementType,
  Stage,
  Visibility,
} from '@aws-sdk/client-partnercentral-selling';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customerSpendCurrencies,
  deliveryModels,
  marketingChannels,
  opportunityStages,
  opportunityVisibilities,
  primaryNeedsFromAws,
  reviewStatuses,
  salesActivities,
  salesInvolvementTypes,
} from '#domain/co-sell/ace-vocabulary.ts';
import { coSellOpportunityDraftSchema } from '#domain/co-sell/co-sell-opportunity.ts';
import {
  coSellClientToken,
  coSellOpportunityFor,
  pastTargetCloseDate,
} from '#domain/co-sell/opportunity-from-registration.ts';
import { countryCode } from '#domain/country.ts';
import { normaliseCompanyName } from '#domain/normalise.ts';
import { shapeProblems } from '#local/partner-central/service-model.ts';
import { awsFundedCampaign, coSellDefaults, storedRegistration } from '#test/support/co-sell.ts';

/** The CreateOpportunity request the adapter sends for a draft, checked against the SDK's model. */
function modelProblems(draft: object) {
  return shapeProblems('CreateOpportunityRequest', { ...draft, Catalog: 'Sandbox', ClientToken: 't' }, 'sdk');
}

describe('the co-sell opportunity of an approved registration', () => {
  it('fills customer, project, life cycle and marketing from the registration and its AWS-funded campaign', () => {
    const registration = storedRegistration();

    const mapping = coSellOpportunityFor({
      registration,
      campaign: awsFundedCampaign,
      defaults: coSellDefaults,
      usdRates: {},
    });

    expect(mapping).toEqual({
      ok: true,
      draft: {
        PartnerOpportunityIdentifier: registration.registrationId,
        OpportunityType: 'Net New Business',
        Origin: 'Partner Referral',
        PrimaryNeedsFromAws: ['Co-Sell - Deal Support'],
        Customer: {
          Account: {
            CompanyName: 'Contoso Ltd.',
            WebsiteUrl: 'https://contoso.com',
            Address: { CountryCode: 'US' },
          },
        },
        Project: {
          Title: 'Contoso Ltd.: Platform, Analytics',
          CustomerBusinessProblem: 'Migration of the data platform',
          // 120,000.50 USD over 12 months
          ExpectedCustomerSpend: [
            { Amount: '10000.04', CurrencyCode: 'USD', Frequency: 'Monthly', TargetCompany: 'AWS' },
          ],
          DeliveryModels: ['SaaS or PaaS'],
          SalesActivities: ['Initialized discussions with customer'],
        },
        LifeCycle: { Stage: 'Prospect', TargetCloseDate: '2027-03-31' },
        Marketing: {
          Source: 'Marketing Activity',
          AwsFundingUsed: 'Yes',
          CampaignName: 'Q1 data platform migration webinar series',
          Channels: ['Virtual Event', 'Email'],
        },
        OpportunityTeam: [
          { Email: 'alex.alliances@northwind-partners.com', FirstName: 'Alex', LastName: 'Alliances' },
        ],
      },
    });
    expect(mapping.ok && modelProblems(mapping.draft)).toEqual([]);
  });

  it('says no marketing activity when the registration came from no campaign', () => {
    const mapping = coSellOpportunityFor({
      registration: storedRegistration({ campaign_id: undefined }),
      defaults: coSellDefaults,
      usdRates: {},
    });

    expect(mapping.ok && mapping.draft.Marketing).toEqual({ Source: 'None', AwsFundingUsed: 'No' });
  });

  it('says AWS funding was not used for a campaign the partner paid for', () => {
    const mapping = coSellOpportunityFor({
      registration: storedRegistration(),
      campaign: { ...awsFundedCampaign, awsFunded: false, channels: [] },
      defaults: coSellDefaults,
      usdRates: {},
    });

    expect(mapping.ok && mapping.draft.Marketing).toEqual({
      Source: 'Marketing Activity',
      AwsFundingUsed: 'No',
      CampaignName: awsFundedCampaign.name,
    });
  });

  it('writes a business problem of at least 20 characters when the description is short or missing', () => {
    for (const description of ['POC', undefined]) {
      const mapping = coSellOpportunityFor({
        registration: storedRegistration({ deal_description: description }),
        defaults: coSellDefaults,
        usdRates: {},
        campaign: awsFundedCampaign,
      });

      const problem = mapping.ok ? mapping.draft.Project.CustomerBusinessProblem : '';
      expect(problem.length).toBeGreaterThanOrEqual(20);
      expect(problem).toContain('Contoso Ltd. (contoso.com) is evaluating Platform, Analytics');
    }
  });

  it('keeps EUR and converts other currencies to USD at the configured rate', () => {
    const inEuros = coSellOpportunityFor({
      registration: storedRegistration({ currency: 'EUR', estimated_amount: '24000' }),
      defaults: coSellDefaults,
      usdRates: {},
    });
    const inPounds = coSellOpportunityFor({
      registration: storedRegistration({ currency: 'GBP', estimated_amount: '24000' }),
      defaults: coSellDefaults,
      usdRates: { GBP: '1.25' },
    });

    expect(inEuros.ok && inEuros.draft.Project.ExpectedCustomerSpend[0]).toMatchObject({
      Amount: '2000.00',
      CurrencyCode: 'EUR',
    });
    expect(inPounds.ok && inPounds.draft.Project.ExpectedCustomerSpend[0]).toMatchObject({
      Amount: '2500.00',
      CurrencyCode: 'USD',
    });
  });

  it('names what is missing instead of guessing', () => {
    const noRate = coSellOpportunityFor({
      registration: storedRegistration({ currency: 'GBP' }),
      defaults: coSellDefaults,
      usdRates: {},
    });
    const otherCampaign = coSellOpportunityFor({
      registration: storedRegistration(),
      campaign: { ...awsFundedCampaign, campaignId: 'cmp-other' },
      defaults: coSellDefaults,
      usdRates: {},
    });
    const { details: _, ...rejected } = storedRegistration();

    expect(noRate).toEqual({
      ok: false,
      problems: [
        'Partner Central takes spend in USD or EUR, and no USD rate is configured for GBP (setting dealreg:usdRates)',
      ],
    });
    expect(otherCampaign).toEqual({
      ok: false,
      problems: ["the campaign given (cmp-other) is not the registration's (cmp-aws-q1)"],
    });
    expect(
      coSellOpportunityFor({ registration: rejected, defaults: coSellDefaults, usdRates: {} }),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('has no validated details')],
    });
  });

  it('leaves the country out of a registration stored with a name rather than a two-letter code', () => {
    // Intake reads a typed name as its code now; registrations stored before kept the name.
    const typed = storedRegistration({ customer_country: 'Germany' });
    expect(
      coSellOpportunityFor({ registration: typed, defaults: coSellDefaults, usdRates: {} }),
    ).toMatchObject({ ok: true, draft: { Customer: { Account: { Address: { CountryCode: 'DE' } } } } });
    const storedBefore =
      typed.details === undefined
        ? typed
        : { ...typed, details: { ...typed.details, customerCountry: 'Germany' } };
    const mapping = coSellOpportunityFor({
      registration: storedBefore,
      defaults: coSellDefaults,
      usdRates: {},
    });

    expect(mapping.ok && mapping.draft.Customer.Account).not.toHaveProperty('Address');
  });

  it("sends a country code from the model's CountryCode enum for every country intake reads, or none", () => {
    // Intake reads CLDR's regions; some (Canary Islands IC, Kosovo XK, Sark CQ, …) are not among
    // the CountryCode values CreateOpportunity takes ("Address", AWS Partner Central API reference).
    const sent = new Map<string, string | undefined>();
    for (let first = 65; first <= 90; first++) {
      for (let second = 65; second <= 90; second++) {
        const code = countryCode(String.fromCharCode(first, second));
        if (code === undefined || sent.has(code)) continue;
        const mapping = coSellOpportunityFor({
          registration: storedRegistration({ customer_country: code }),
          defaults: coSellDefaults,
          usdRates: {},
        });
        expect(mapping.ok).toBe(true);
        if (!mapping.ok) continue;
        sent.set(code, mapping.draft.Customer.Account.Address?.CountryCode);
        expect(modelProblems(mapping.draft)).toEqual([]);
      }
    }
    expect(Object.values(CountryCode)).toEqual(expect.arrayContaining([...sent.values()].filter(Boolean)));
    // A region ACE names by the country it belongs to is sent as that country.
    expect(sent.get('IC')).toBe('ES');
    expect(sent.get('EA')).toBe('ES');
    expect(sent.get('CQ')).toBe('GG');
    expect(sent.get('DE')).toBe('DE');
  });

  it('cuts a long name at a whole character, counted as the model counts (Unicode code points)', () => {
    // Smithy's length trait counts a string's Unicode scalar values, not UTF-16 code units.
    // Intake takes up to 200 UTF-16 code units; U+20BB7 takes two.
    const fits = `${'A'.repeat(100)}${'\u{20BB7}'.repeat(20)}`;
    const tooLong = `${'A'.repeat(118)}${'\u{20BB7}'.repeat(10)}`;
    const draftOf = (name: string) => {
      const mapping = coSellOpportunityFor({
        registration: storedRegistration({ customer_company_name: name }),
        defaults: coSellDefaults,
        usdRates: {},
      });
      if (!mapping.ok) throw new Error(mapping.problems.join('; '));
      return mapping.draft;
    };

    expect(draftOf(fits).Customer.Account.CompanyName).toBe(fits);
    expect(modelProblems(draftOf(fits))).toEqual([]);
    const cut = draftOf(tooLong).Customer.Account.CompanyName;
    expect(cut.isWellFormed()).toBe(true);
    expect([...cut]).toHaveLength(120);
    expect(cut).toBe(`${'A'.repeat(118)}\u{20BB7}…`);
    expect(draftOf(tooLong).Project.Title.isWellFormed()).toBe(true);
  });

  it('gives a draft the service model accepts for any registration intake accepts', () => {
    const text = (max: number) =>
      fc
        .string({ minLength: 1, maxLength: max })
        .map((s) => s.replaceAll(';', ' '))
        // Intake refuses a name with nothing to match customers by.
        .filter((s) => normaliseCompanyName(s) !== '');
    fc.assert(
      fc.property(
        text(200),
        fc.option(fc.string({ maxLength: 3000 }), { nil: undefined }),
        fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,40}$/), { maxLength: 40 }),
        fc.integer({ min: 1, max: 10_000_000_000 }),
        (company, description, products, amount) => {
          const registration = storedRegistration({
            customer_company_name: company,
            deal_description: description,
            products: products.join(';'),
            estimated_amount: String(amount),
          });
          const mapping = coSellOpportunityFor({
            registration,
            campaign: awsFundedCampaign,
            defaults: coSellDefaults,
            usdRates: {},
          });
          expect(mapping.ok).toBe(true);
          if (!mapping.ok) return;
          expect(coSellOpportunityDraftSchema.safeParse(mapping.draft).success).toBe(true);
          expect(modelProblems(mapping.draft)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('client tokens', () => {
  it('are the same for the same registration and step, and differ between steps', () => {
    expect(coSellClientToken('DR-0123456789ABCDEF', 'create')).toBe('dealreg-create-DR-0123456789ABCDEF');
    expect(coSellClientToken('DR-0123456789ABCDEF', 'submit')).toBe('dealreg-submit-DR-0123456789ABCDEF');
  });

  it('stay within the model limits for an unusually long or non-ASCII registration id', () => {
    const token = coSellClientToken(`DR-${'é'.repeat(80)}`, 'submit');

    expect(token).toMatch(/^[!-~]{1,64}$/);
    expect(token).toBe(coSellClientToken(`DR-${'é'.repeat(80)}`, 'submit'));
  });
});

describe('the Partner Central vocabulary the domain writes out', () => {
  it.each([
    ['opportunityStages', opportunityStages, Stage],
    ['reviewStatuses', reviewStatuses, ReviewStatus],
    ['primaryNeedsFromAws', primaryNeedsFromAws, PrimaryNeedFromAws],
    ['deliveryModels', deliveryModels, DeliveryModel],
    ['salesActivities', salesActivities, SalesActivity],
    ['marketingChannels', marketingChannels, Channel],
    ['salesInvolvementTypes', salesInvolvementTypes, SalesInvolvementType],
    ['opportunityVisibilities', opportunityVisibilities, Visibility],
  ] as const)('%s is exactly the SDK enum', (_name, ours, theirs) => {
    expect([...ours].sort()).toEqual(Object.values(theirs).sort());
  });

  it('takes only spend currencies the SDK knows', () => {
    for (const currency of customerSpendCurrencies) expect(Object.values(CurrencyCode)).toContain(currency);
  });
});

describe('a target close date Partner Central would refuse as past', () => {
  const draftClosing = (date: string) => {
    const mapping = coSellOpportunityFor({
      registration: storedRegistration({ expected_close_date: '2027-03-31' }),
      defaults: coSellDefaults,
      usdRates: {},
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    return { ...mapping.draft, LifeCycle: { ...mapping.draft.LifeCycle, TargetCloseDate: date } };
  };

  it('is one before the date everywhere on Earth (UTC−12), not one that is still today somewhere', () => {
    const at = new Date('2027-04-01T11:00:00Z'); // still 2027-03-31 at UTC−12
    expect(pastTargetCloseDate(draftClosing('2027-03-31'), at)).toBeUndefined();
    expect(pastTargetCloseDate(draftClosing('2027-03-31'), new Date('2027-04-01T12:00:00Z'))).toContain(
      "the registration's expected close date 2027-03-31 has passed (it is 2027-04-01 or later everywhere)",
    );
    expect(pastTargetCloseDate(draftClosing('2027-06-30'), at)).toBeUndefined();
  });
});
