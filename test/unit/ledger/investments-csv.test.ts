import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { parseInvestmentsCsv } from '#use-cases/ledger-import-investments.ts';

const header = 'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt';
const good = 'inv-1,MDF,camp-a,partner-1,25000.00,USD,1,2026-07-01';
const types = loadPolicy({}).policy.reporting.investmentTypes;

function problemsOf(...rows: string[]) {
  return parseInvestmentsCsv([header, ...rows].join('\n'), 'test', types).problems;
}

describe('investments CSV', () => {
  it('turns each valid line into an investment entry on its campaign chain, amounts frozen in USD', () => {
    const { inputs, problems } = parseInvestmentsCsv(
      [header, good, 'inv-2,events,camp-b,,1000,JPY,0.0067,2026-07-02T09:00:00+09:00'].join('\n'),
      'finance@vendor.example',
      types,
    );

    expect(problems).toEqual([]);
    expect(inputs).toEqual([
      expect.objectContaining({
        type: 'InvestmentRecorded',
        opportunityId: 'campaign:camp-a',
        investmentId: 'inv-1',
        recordedBy: 'finance@vendor.example',
        amount: { amountMinor: 2_500_000, currency: 'USD', usdRate: '1', usdMinor: 2_500_000 },
      }),
      expect.objectContaining({
        opportunityId: 'campaign:camp-b',
        effectiveAt: '2026-07-02T09:00:00+09:00',
        amount: { amountMinor: 1000, currency: 'JPY', usdRate: '0.0067', usdMinor: 670 },
      }),
    ]);
    expect(inputs[1]).not.toHaveProperty('partnerId');
  });

  it('names every problem of every bad line, by file line and column, blank lines counted', () => {
    const problems = problemsOf(
      good,
      '',
      'inv-2,MDF,,partner-1,abc,usd,0,2026-13-01',
      'inv-3,MDF,camp-a,partner-1,100,XYZ,1.2,2026-07-01',
      'inv-1,SPIFF,camp-c,partner-2,10,USD,1,2026-07-03',
      'inv-4,MDF,camp-a,partner-1,5.5,JPY,0.0067,2026-07-01',
    );

    expect(problems).toEqual([
      { line: 4, column: 'campaignId', message: 'is empty' },
      { line: 4, column: 'amount', message: 'is not an amount such as 1250.50' },
      { line: 4, column: 'currency', message: 'is not an ISO 4217 code such as USD' },
      { line: 4, column: 'usdRate', message: 'a rate must be greater than zero' },
      { line: 4, column: 'effectiveAt', message: 'is not a date (YYYY-MM-DD) or an ISO instant' },
      { line: 5, column: 'currency', message: 'is not a currency in ISO 4217' },
      { line: 6, column: 'investmentId', message: 'inv-1 is already on line 2' },
      { line: 7, column: 'amount', message: '"5.5" has more than 0 decimals for JPY' },
    ]);
  });

  it('refuses an amount of 0 or below and a date no quarter’s spend can have, naming line, column and value', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const { inputs, problems } = parseInvestmentsCsv(
      [
        header,
        'inv-1,MDF,camp-a,partner-1,0,USD,1,2026-07-01',
        'inv-2,MDF,camp-a,partner-1,-250.00,USD,1,2026-07-01',
        'inv-3,MDF,camp-a,partner-1,0.00,EUR,1.08,2026-07-01',
        'inv-4,MDF,camp-a,partner-1,100,USD,1,9999-12-31',
        'inv-5,MDF,camp-a,partner-1,100,USD,1,1999-12-31',
        'inv-6,MDF,camp-a,partner-1,100,USD,1,2027-12-07',
        'inv-7,MDF,camp-a,partner-1,100,USD,1,2000-01-01',
      ].join('\n'),
      'test',
      types,
      { now },
    );

    const range = 'an investment is dated from 2000-01-01 to one year after today (2027-12-07)';
    expect(problems).toEqual([
      { line: 2, column: 'amount', message: 'is 0; an investment amount must be more than 0' },
      { line: 3, column: 'amount', message: 'is -250.00; an investment amount must be more than 0' },
      { line: 4, column: 'amount', message: 'is 0.00; an investment amount must be more than 0' },
      { line: 5, column: 'effectiveAt', message: `is 9999-12-31; ${range}` },
      { line: 6, column: 'effectiveAt', message: `is 1999-12-31; ${range}` },
    ]);
    expect(inputs.map((input) => (input.type === 'InvestmentRecorded' ? input.investmentId : ''))).toEqual([
      'inv-6',
      'inv-7',
    ]);
  });

  it('names every problem of a line of well-formed values, not only the first, so one fix makes the file pass', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const { inputs, problems } = parseInvestmentsCsv(
      [
        header,
        'inv-1,Golf,camp-a,partner-1,0,USD,2,9999-12-31',
        'inv-2,events,camp-a,partner-1,-5,EUR,1.08,1999-01-01',
        'inv-1,MDF,camp-b,partner-1,0,USD,1,2026-07-01',
      ].join('\n'),
      'test',
      types,
      { now },
    );

    const range = 'an investment is dated from 2000-01-01 to one year after today (2027-12-07)';
    expect(problems).toEqual([
      {
        line: 2,
        column: 'investmentType',
        message:
          '"Golf" is not an investment type of the policy (reporting.investmentTypes: MDF, co-marketing, events, SPIFF, enablement)',
      },
      { line: 2, column: 'amount', message: 'is 0; an investment amount must be more than 0' },
      { line: 2, column: 'effectiveAt', message: `is 9999-12-31; ${range}` },
      { line: 2, column: 'usdRate', message: 'is 2, but an amount in USD has the USD rate 1' },
      { line: 3, column: 'amount', message: 'is -5; an investment amount must be more than 0' },
      { line: 3, column: 'effectiveAt', message: `is 1999-01-01; ${range}` },
      { line: 4, column: 'investmentId', message: 'inv-1 is already on line 2' },
      { line: 4, column: 'amount', message: 'is 0; an investment amount must be more than 0' },
    ]);
    expect(inputs).toEqual([]);
  });

  it('names a line with too few or too many fields and still checks the others', () => {
    const problems = problemsOf(
      'inv-1,MDF,camp-a,partner-1,100,USD,1',
      'inv-2,MDF,camp-a,partner-1,100,USD,1,2026-07-01,extra,more',
      'inv-3,MDF,camp-a,partner-1,100,USD,one,2026-07-01',
    );

    expect(problems).toEqual([
      { line: 2, column: '', message: 'has 7 fields, the header has 8' },
      { line: 3, column: '', message: 'has 10 fields, the header has 8' },
      { line: 4, column: 'usdRate', message: 'expected a decimal rate such as 1.0842' },
    ]);
  });

  it('refuses a header without a required column or with an unknown one', () => {
    const { problems } = parseInvestmentsCsv(
      'investmentId,investmentType,campaignId,amount,currency,effectiveAt,budgetOwner\ninv-1,MDF,c,1,USD,2026-07-01,me',
      'test',
      types,
    );

    expect(problems).toEqual([
      { line: 1, column: 'usdRate', message: 'column is missing' },
      { line: 1, column: 'budgetOwner', message: expect.stringMatching(/^unknown column/) },
    ]);
  });

  it('names the line where the CSV itself breaks, and a file without rows', () => {
    const unclosed = problemsOf(good, 'inv-2,MDF,"camp-a,partner-1,100,USD,1,2026-07-01');
    const empty = parseInvestmentsCsv(`${header}\n`, 'test', types).problems;

    expect(unclosed).toEqual([
      { line: 3, column: '', message: expect.stringMatching(/^not valid CSV: Quote Not Closed/) },
    ]);
    expect(empty).toEqual([{ line: 1, column: '', message: 'the file has no investment rows' }]);
  });

  it('refuses an investment type the policy does not list, naming the line and the types it does', () => {
    // "Mdf" is MDF in another case: accepted and recorded as the policy spells it.
    const { inputs, problems } = parseInvestmentsCsv(
      [
        header,
        'inv-1,Mdf,camp-a,,100,USD,1,2026-07-01',
        'inv-2,Sponsorship,camp-a,,100,USD,1,2026-07-01',
      ].join('\n'),
      'test',
      types,
    );

    expect(problems).toEqual([
      {
        line: 3,
        column: 'investmentType',
        message:
          '"Sponsorship" is not an investment type of the policy (reporting.investmentTypes: MDF, co-marketing, events, SPIFF, enablement)',
      },
    ]);
    expect(inputs).toEqual([expect.objectContaining({ investmentId: 'inv-1', investmentType: 'MDF' })]);
  });

  it('names an investment type the policy does not list beside the other problems of its line', () => {
    expect(problemsOf('inv-3,Sponsorship,camp-a,,lots,USD,1,2026-07-01')).toEqual([
      { line: 2, column: 'amount', message: expect.any(String) },
      {
        line: 2,
        column: 'investmentType',
        message:
          '"Sponsorship" is not an investment type of the policy (reporting.investmentTypes: MDF, co-marketing, events, SPIFF, enablement)',
      },
    ]);
  });

  it('names a campaign id that cannot key a ledger chain under its own column, as a campaign id', () => {
    const problems = problemsOf('inv-1,MDF,camp a!,partner-1,100,USD,1,2026-07-01');

    expect(problems).toEqual([
      { line: 2, column: 'campaignId', message: 'expected a campaign id (letters, digits, : _ . -)' },
    ]);
  });

  it('refuses a USD amount whose USD rate is not 1, which would count the investment at another value', () => {
    expect(
      problemsOf('inv-1,MDF,camp-a,,1000,USD,1.5,2026-07-01', 'inv-2,MDF,camp-a,,1000,USD,1.000,2026-07-01'),
    ).toEqual([{ line: 2, column: 'usdRate', message: 'is 1.5, but an amount in USD has the USD rate 1' }]);
  });

  it('names an amount too large to record in a sentence, not a list of schema issues', () => {
    const problems = problemsOf(
      'inv-1,MDF,camp-a,,999999999999999,USD,1,2026-07-01',
      'inv-2,MDF,camp-a,,99999999999999,IDR,999999999,2026-07-01',
    );

    expect(problems).toEqual([
      { line: 2, column: 'amount', message: 'is too large to record (999999999999999 USD)' },
      {
        line: 3,
        column: 'amount',
        message: 'is too large to record in USD (99999999999999 IDR at the USD rate 999999999)',
      },
    ]);
  });

  it('says a JSON file is not the CSV it reads, and which columns the CSV needs', () => {
    const { problems } = parseInvestmentsCsv(
      '[{"investmentId":"inv-1","investmentType":"MDF","campaignId":"camp-a","amount":"100"}]\n',
      'test',
      types,
    );

    expect(problems).toEqual([
      {
        line: 1,
        column: '',
        message:
          'the file is JSON, not CSV: give a CSV file whose header row names the columns investmentId, investmentType, campaignId, partnerId, amount, currency, usdRate, effectiveAt, opportunityId',
      },
    ]);
  });

  it('says a file saved as UTF-16 is not the UTF-8 text it reads, instead of naming every column unknown', () => {
    const utf16 = Buffer.from(`\uFEFF${header}\r\n${good}\r\n`, 'utf16le').toString('utf8');

    const { inputs, problems } = parseInvestmentsCsv(utf16, 'test', types);

    expect(inputs).toEqual([]);
    expect(problems).toEqual([
      {
        line: 1,
        column: '',
        message:
          'the file is not UTF-8 text (it holds NUL characters, as a file saved as UTF-16 "Unicode Text" does): save it as "CSV UTF-8 (Comma delimited)"',
      },
    ]);
  });

  it('says a file separated by semicolons or tabs is not comma-separated, instead of every column missing', () => {
    const semicolons = [header, good].map((row) => row.replaceAll(',', ';')).join('\r\n');
    const tabs = [header, good].map((row) => row.replaceAll(',', '\t')).join('\n');

    for (const [text, separator] of [
      [semicolons, 'semicolons'],
      [`\uFEFF${tabs}`, 'tabs'],
    ] as const) {
      expect(parseInvestmentsCsv(text, 'test', types).problems).toEqual([
        {
          line: 1,
          column: '',
          message: `the header row is separated by ${separator}, not commas: save the file comma-separated, with the columns investmentId, investmentType, campaignId, partnerId, amount, currency, usdRate, effectiveAt, opportunityId`,
        },
      ]);
    }
  });

  it('reads quoted fields, a byte order mark and Windows line ends as the values they hold', () => {
    const text = `\uFEFF${header}\r\n"inv-9","co-marketing","camp-q","","1250.50","EUR","1.0842","2026-07-01"\r\n`;

    const { inputs, problems } = parseInvestmentsCsv(text, 'test', types);

    expect(problems).toEqual([]);
    expect(inputs).toEqual([
      expect.objectContaining({
        investmentId: 'inv-9',
        campaignId: 'camp-q',
        amount: { amountMinor: 125_050, currency: 'EUR', usdRate: '1.0842', usdMinor: 135_579 },
      }),
    ]);
    expect(inputs[0]).not.toHaveProperty('partnerId');
  });

  it('names a header column without a name by its position rather than as an unknown column ""', () => {
    const { problems } = parseInvestmentsCsv(`${header},\n${good},\n`, 'test', types);

    expect(problems).toEqual([
      {
        line: 1,
        column: '',
        message:
          'column 9 has no name in the header row (a comma too many at its end?); name it or remove it',
      },
    ]);
  });
});
