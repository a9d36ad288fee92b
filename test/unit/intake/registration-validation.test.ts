import { describe, expect, it } from 'vitest';
import { defaultFormFieldMapping, formFieldMappingSchema } from '#domain/form-field-mapping.ts';
import { formSubmissionSchema, problemsFrom } from '#domain/form-submission.ts';
import { parseAmount } from '#domain/money.ts';
import { normaliseCompanyName, registrableDomain } from '#domain/normalise.ts';
import { evaluateSubmission } from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import { formSubmission } from '#test/support/submissions.ts';

/** When Dealreg received the sample submissions: five seconds after they say they were made. */
const receivedAt = new Date('2026-11-24T09:00:05Z');

function problemsFor(fields: Record<string, string | undefined>) {
  const evaluation = evaluateSubmission(formSubmission({ fields }), defaultFormFieldMapping, receivedAt);
  return evaluation.valid ? [] : evaluation.problems.map((p) => `${p.formField}: ${p.message}`);
}

describe('registration fields', () => {
  it('normalises a clean submission', () => {
    const evaluation = evaluateSubmission(formSubmission(), defaultFormFieldMapping, receivedAt);
    expect(evaluation).toEqual({
      valid: true,
      details: {
        submitterEmail: 'pat.partner@northwind-partners.com',
        partnerDomain: 'northwind-partners.com',
        customerCompanyName: 'Contoso Ltd.',
        customerCompanyKey: 'contoso',
        customerDomain: 'contoso.com',
        customerCountry: 'US',
        estimatedAmount: { minorUnits: 12_000_050, currency: 'USD' },
        expectedCloseDate: '2027-03-31',
        products: ['Platform', 'Analytics'],
        campaignId: 'cmp-aws-q1',
        cloudMarketplace: 'aws',
        dealDescription: 'Migration of the data platform',
      },
    });
  });

  it.each([
    [{ email: undefined }, 'email: Your email is required'],
    [{ email: 'pat at northwind' }, 'email: "pat at northwind" is not an email address'],
    [{ partner_company_domain: '' }, 'partner_company_domain: Partner company domain is required'],
    [
      { partner_company_domain: 'localhost' },
      'partner_company_domain: "localhost" is not a company web domain such as example.com',
    ],
    [{ customer_company_name: '  ' }, 'customer_company_name: Customer company name is required'],
    [
      { customer_company_name: 'x'.repeat(201) },
      'customer_company_name: Customer company name is at most 200 characters (got 201)',
    ],
    [
      { customer_company_name: '...' },
      'customer_company_name: "..." has no letters or digits: enter the customer\'s company name',
    ],
    [{ customer_domain: undefined }, 'customer_domain: Customer domain is required'],
    [
      { customer_domain: '10.0.0.1' },
      'customer_domain: "10.0.0.1" is not a company web domain such as example.com',
    ],
    [
      { customer_domain: 'https://shop.northwind-partners.com' },
      "customer_domain: the customer domain is your own company's domain (northwind-partners.com)",
    ],
    [{ estimated_amount: undefined }, 'estimated_amount: Estimated amount is required'],
    [{ estimated_amount: 'about 100k' }, 'estimated_amount: Estimated amount "about 100k" is not a number'],
    [{ estimated_amount: '-500' }, 'estimated_amount: Estimated amount must not be negative'],
    [{ estimated_amount: '0' }, 'estimated_amount: Estimated amount must be more than zero'],
    [
      { estimated_amount: '10.555' },
      'estimated_amount: Estimated amount "10.555" has 3 decimals, but USD amounts have at most 2; if the "." separates thousands, write 10555',
    ],
    [{ currency: 'DOLLARS' }, 'currency: "DOLLARS" is not an ISO 4217 currency code such as USD or EUR'],
    [{ expected_close_date: undefined }, 'expected_close_date: Expected close date is required'],
    [
      { expected_close_date: '31/03/2027' },
      'expected_close_date: "31/03/2027" is not a date in the form YYYY-MM-DD',
    ],
    [
      { expected_close_date: '2027-02-30' },
      'expected_close_date: "2027-02-30" is not a date in the form YYYY-MM-DD',
    ],
    [
      { expected_close_date: '2026-11-22' },
      'expected_close_date: the expected close date 2026-11-22 is in the past (it was 2026-11-23 or later everywhere when the registration was received)',
    ],
    [{ products: `Platform;${'p'.repeat(101)}` }, 'products: each product name is at most 100 characters'],
    [{ campaign_id: 'c'.repeat(101) }, 'campaign_id: Campaign is at most 100 characters (got 101)'],
    [{ cloud_marketplace: 'oracle' }, 'cloud_marketplace: "oracle" is not one of aws, azure, gcp or none'],
    [
      { deal_description: 'd'.repeat(5001) },
      'deal_description: Deal description is at most 5000 characters (got 5001)',
    ],
    [
      { customer_domain: 'Jane.Doe@GMAIL.com' },
      'customer_domain: "Jane.Doe@GMAIL.com" is a free email provider (gmail.com), not the customer\'s company domain: enter the domain of the customer\'s website, such as example.com',
    ],
    [
      { customer_domain: 'outlook.com' },
      'customer_domain: "outlook.com" is a free email provider (outlook.com), not the customer\'s company domain: enter the domain of the customer\'s website, such as example.com',
    ],
    [
      { partner_company_domain: 'pat.partner@gmail.com' },
      'partner_company_domain: "pat.partner@gmail.com" is a free email provider (gmail.com), not your company\'s domain: enter the domain of your company\'s website, such as example.com',
    ],
    [
      { customer_domain: 'yahoo.co.uk' },
      'customer_domain: "yahoo.co.uk" is a free email provider (yahoo.co.uk), not the customer\'s company domain: enter the domain of the customer\'s website, such as example.com',
    ],
  ])('names the problem with %o', (fields, expected) => {
    expect(problemsFor(fields)).toEqual([expected]);
  });

  it.each([
    ['us', 'US'],
    [' de ', 'DE'],
    ['Germany', 'DE'],
    ['united kingdom', 'GB'],
    ['UK', 'GB'],
    ['U.K.', 'GB'],
    ['USA', 'US'],
    ['United States of America', 'US'],
    ['Côte d’Ivoire', 'CI'],
    ["Cote d'Ivoire", 'CI'],
    ['Bosnia and Herzegovina', 'BA'],
  ])('takes the customer country %o as the ISO 3166 code %s the policy’s regions use', (text, code) => {
    const evaluation = evaluateSubmission(
      formSubmission({ fields: { customer_country: text } }),
      defaultFormFieldMapping,
      receivedAt,
    );
    expect(evaluation.valid && evaluation.details.customerCountry).toBe(code);
  });

  it.each(['XX', 'Atlantis', 'EU', 'Europe'])(
    'refuses %o as the customer country, saying what to enter',
    (text) => {
      expect(problemsFor({ customer_country: text })).toEqual([
        `customer_country: "${text}" is not a country: enter its name, such as Germany, or its ISO 3166 code, such as DE`,
      ]);
    },
  );

  it('reports every problem at once and keeps a usable submitter address', () => {
    const evaluation = evaluateSubmission(
      formSubmission({ fields: { customer_domain: undefined, estimated_amount: 'lots', currency: 'XYZ1' } }),
      defaultFormFieldMapping,
      receivedAt,
    );
    expect(evaluation.valid).toBe(false);
    if (evaluation.valid) return;
    expect(evaluation.problems.map((p) => p.field)).toEqual([
      'customerDomain',
      'currency',
      'estimatedAmount',
    ]);
    expect(evaluation.submitterEmail).toBe('pat.partner@northwind-partners.com');
    expect(evaluation.problems[0]?.label).toBe('Customer domain');
  });

  it('defaults the currency to USD and the marketplace to none', () => {
    const evaluation = evaluateSubmission(
      formSubmission({ fields: { currency: '', cloud_marketplace: undefined } }),
      defaultFormFieldMapping,
      receivedAt,
    );
    expect(evaluation.valid && evaluation.details.estimatedAmount.currency).toBe('USD');
    expect(evaluation.valid && evaluation.details.cloudMarketplace).toBe('none');
  });

  it('accepts a close date listed as midnight-UTC epoch milliseconds', () => {
    const evaluation = evaluateSubmission(
      formSubmission({ fields: { expected_close_date: String(Date.UTC(2027, 2, 31)) } }),
      defaultFormFieldMapping,
      receivedAt,
    );
    expect(evaluation.valid && evaluation.details.expectedCloseDate).toBe('2027-03-31');
  });

  it('reads a close date given as a 10-digit epoch as seconds, not as a day in January 1970', () => {
    const evaluation = evaluateSubmission(
      formSubmission({ fields: { expected_close_date: String(Date.UTC(2027, 2, 31) / 1000) } }),
      defaultFormFieldMapping,
      receivedAt,
    );
    expect(evaluation.valid && evaluation.details.expectedCloseDate).toBe('2027-03-31');
  });

  it('reads a 9-digit epoch as seconds too, so a date before 2001 is refused as the date it is', () => {
    expect(problemsFor({ expected_close_date: String(Date.UTC(2001, 0, 15) / 1000) })).toEqual([
      'expected_close_date: the expected close date 2001-01-15 is in the past (it was 2026-11-23 or later everywhere when the registration was received)',
    ]);
  });

  it('joins repeated multi-select values and drops duplicates', () => {
    const submission = formSubmission();
    submission.values.push({ name: 'products', value: 'Support' }, { name: 'products', value: 'Platform' });
    const evaluation = evaluateSubmission(submission, defaultFormFieldMapping, receivedAt);
    expect(evaluation.valid && evaluation.details.products).toEqual(['Platform', 'Analytics', 'Support']);
  });

  it('reads fields through a configured mapping', () => {
    const mapping = formFieldMappingSchema.parse({ customerDomain: 'company_website' });
    const submission = formSubmission({
      fields: { customer_domain: undefined, company_website: 'fabrikam.io' },
    });
    const evaluation = evaluateSubmission(submission, mapping, receivedAt);
    expect(evaluation.valid && evaluation.details.customerDomain).toBe('fabrikam.io');
  });

  it('refuses a mapping that reads one form field twice', () => {
    const result = formFieldMappingSchema.safeParse({ customerDomain: 'email' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('form field "email" is already mapped to submitterEmail');
  });
});

describe('normalisation', () => {
  it.each([
    ['www.Example.co.uk', 'example.co.uk'],
    ['https://shop.acme.com/path?q=1', 'acme.com'],
    ['sales@acme.io', 'acme.io'],
    ['acme.com.', 'acme.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['co.uk', undefined],
    ['localhost', undefined],
    ['192.168.1.1', undefined],
    ['', undefined],
    // Customers on a hosting platform's shared domain are different customers.
    ['acme.github.io', 'acme.github.io'],
    ['https://www.acme.myshopify.com/', 'acme.myshopify.com'],
    ['contoso.azurewebsites.net', 'contoso.azurewebsites.net'],
    ['github.io', undefined],
  ])('the registrable domain of %s is %s', (input, expected) => {
    expect(registrableDomain(input)).toBe(expected);
  });

  it.each([
    ['Acme, Inc.', 'acme'],
    ['ACME Inc', 'acme'],
    ['The Acme Co., Ltd.', 'the acme'],
    ['Widgets Pty Ltd', 'widgets'],
    ['Müller GmbH & Co. KG', 'müller'],
    ['Limited', 'limited'],
    // Legal forms written with dots or a slash are the same legal forms.
    ['Acme L.L.C.', 'acme'],
    ['Acme S.A.', 'acme'],
    ['Fabbrica S.p.A.', 'fabbrica'],
    ['Tulip B.V.', 'tulip'],
    ['Maersk A/S', 'maersk'],
    ['Sakura K.K.', 'sakura'],
    ['Fromagerie S.à r.l.', 'fromagerie'],
    ['Volvo AB (publ)', 'volvo'],
    ['Airbus SE', 'airbus'],
    ['J.P. Morgan', 'jp morgan'],
  ])('the comparable company name of %s is %s', (input, expected) => {
    expect(normaliseCompanyName(input)).toBe(expected);
  });

  it.each([
    ['120000', 'USD', 12_000_000],
    ['120,000.5', 'USD', 12_000_050],
    ['$ 1 200', 'USD', 120_000],
    ['USD 99', 'USD', 9900],
    ['1,200 EUR', 'EUR', 120_000],
    ['5000', 'JPY', 5000],
    ['1.234', 'KWD', 1234],
  ])('parses %s %s into %i minor units without rounding', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, money: { minorUnits: minor, currency } });
  });

  it.each([
    [
      '12.000,50',
      'EUR',
      '"12.000,50" uses "." between thousands and "," before the decimals: write it as 12000.50',
    ],
    ['1.250.000', 'EUR', '"1.250.000" uses "." between thousands: write it as 1250000'],
    ['12,50', 'EUR', '"12,50" uses "," before the decimals: write it as 12.50'],
    ['12 000,5', 'EUR', '"12 000,5" uses "," before the decimals: write it as 12000.5'],
    [
      '12.000',
      'USD',
      '"12.000" has 3 decimals, but USD amounts have at most 2; if the "." separates thousands, write 12000',
    ],
    [
      '12.000',
      'JPY',
      '"12.000" has 3 decimals, but JPY amounts have none; if the "." separates thousands, write 12000',
    ],
  ])('names the European way of writing %s %s and how to write it', (text, currency, reason) => {
    expect(parseAmount(text, currency)).toEqual({ ok: false, reason });
  });

  it.each([
    ['€12,000', 'USD', '"€12,000" is in €, but the currency is USD: choose the currency the amount is in'],
    [
      '1,200 EUR',
      'USD',
      '"1,200 EUR" is in EUR, but the currency is USD: choose the currency the amount is in',
    ],
    ['£ 5000', 'EUR', '"£ 5000" is in £, but the currency is EUR: choose the currency the amount is in'],
    ['$900', 'CHF', '"$900" is in $, but the currency is CHF: choose the currency the amount is in'],
  ])(
    'refuses %s when the currency is %s rather than reading it in the wrong currency',
    (text, currency, reason) => {
      expect(parseAmount(text, currency)).toEqual({ ok: false, reason });
    },
  );

  it.each([
    ['€12,000', 'EUR', 1_200_000],
    ['$ 900', 'CAD', 90_000],
    ['£5,000.50', 'GBP', 500_050],
    ['¥5000', 'JPY', 5000],
  ])('reads %s as %s, the currency its symbol stands for', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, money: { minorUnits: minor, currency } });
  });

  it('names the currency a partner left at its default when the amount names another', () => {
    expect(problemsFor({ currency: undefined, estimated_amount: '45,000 EUR' })).toEqual([
      'estimated_amount: Estimated amount "45,000 EUR" is in EUR, but the currency is USD: choose the currency the amount is in',
    ]);
  });

  it('still reads three decimals of a currency that has them, and a code in lower case', () => {
    expect(parseAmount('12.000', 'BHD')).toEqual({
      ok: true,
      money: { minorUnits: 12_000, currency: 'BHD' },
    });
    expect(parseAmount('1,200 usd', 'USD')).toEqual({
      ok: true,
      money: { minorUnits: 120_000, currency: 'USD' },
    });
    expect(parseAmount('eur 99', 'EUR')).toEqual({ ok: true, money: { minorUnits: 9900, currency: 'EUR' } });
  });

  it('refuses decimals a currency does not have', () => {
    expect(parseAmount('10.5', 'JPY')).toEqual({ ok: false, reason: 'JPY amounts have no decimals' });
  });

  it('derives a stable, readable registration id from the conversion id', () => {
    expect(registrationIdFor('abc')).toBe(registrationIdFor('abc'));
    expect(registrationIdFor('abc')).not.toBe(registrationIdFor('abd'));
    expect(registrationIdFor('abc')).toMatch(/^DR-[0-9A-HJKMNP-TV-Z]{16}$/);
  });
});

describe('submission envelope', () => {
  it('names each malformed part', () => {
    const result = formSubmissionSchema.safeParse({
      conversionId: '',
      submittedAt: 1764000000,
      values: [{ name: 'x' }],
    });
    expect(result.success).toBe(false);
    expect(problemsFrom(result.error ?? (undefined as never))).toEqual([
      { path: 'conversionId', message: 'conversionId must not be empty' },
      { path: 'values.0.value', message: 'every value must be a string' },
    ]);
  });

  it('keeps whatever time the submission claims, for intake to check against its receipt', () => {
    const envelope = { conversionId: 'c-1', values: [] };
    const claimed = (submittedAt: unknown) =>
      formSubmissionSchema.parse({ ...envelope, submittedAt }).submittedAt;
    expect(claimed(1764000000)).toBe(1764000000);
    expect(claimed(8.64e15 + 1)).toBe(8.64e15 + 1);
    expect(claimed('yesterday')).toBe('yesterday');
    expect(claimed(1e300)).toBe('1e+300');
    expect(claimed(undefined)).toBeUndefined();
  });

  it('judges "in the past" by the receipt, not by the time the submission claims', () => {
    // prepare: a close date of two days before, behind a claim backdated by 90 days
    const backdated = formSubmission({
      submittedAt: receivedAt.getTime() - 90 * 86_400_000,
      fields: { expected_close_date: '2026-11-22' },
    });
    // act
    const evaluation = evaluateSubmission(backdated, defaultFormFieldMapping, receivedAt);
    // assess
    expect(evaluation.valid ? [] : evaluation.problems.map((problem) => problem.message)).toEqual([
      'the expected close date 2026-11-22 is in the past (it was 2026-11-23 or later everywhere when the registration was received)',
    ]);
  });

  it('takes a close date that is still today somewhere on Earth, and refuses one that is nowhere', () => {
    // prepare: received at 09:00 UTC on 24 November, still 23:00 on the 23rd in Hawaii
    const hawaiiToday = formSubmission({ fields: { expected_close_date: '2026-11-23' } });
    const lateOnTheDay = new Date('2026-11-24T11:59:59Z');
    const nextDay = new Date('2026-11-24T12:00:00Z');
    // act
    const inHawaii = evaluateSubmission(hawaiiToday, defaultFormFieldMapping, receivedAt);
    const onBakerIsland = evaluateSubmission(hawaiiToday, defaultFormFieldMapping, lateOnTheDay);
    const nowhere = evaluateSubmission(hawaiiToday, defaultFormFieldMapping, nextDay);
    // assess
    expect(inHawaii.valid && inHawaii.details.expectedCloseDate).toBe('2026-11-23');
    expect(onBakerIsland.valid).toBe(true);
    expect(nowhere.valid ? [] : nowhere.problems.map((problem) => problem.message)).toEqual([
      'the expected close date 2026-11-23 is in the past (it was 2026-11-24 or later everywhere when the registration was received)',
    ]);
  });
});
