import { describe, expect, it } from 'vitest';
import { annualSpendInUsdMinor } from '#use-cases/review-aws-referral.ts';

const monthly = (amount: string, currencyCode: string) => ({
  amount,
  currencyCode,
  frequency: 'Monthly',
  targetCompany: 'AWS',
});

describe("an AWS referral's expected spend a year, in US cents", () => {
  it('is the monthly USD spend times 12', () => {
    expect(annualSpendInUsdMinor({ expectedSpend: [monthly('2500', 'USD')] })).toBe(3_000_000);
    expect(annualSpendInUsdMinor({ expectedSpend: [monthly('1234.56', 'USD')] })).toBe(1_481_472);
  });

  it('converts EUR, which Partner Central takes beside USD, at the configured rate', () => {
    // EUR 10,000 a month at 1.08 USD per EUR: USD 129,600 a year.
    expect(annualSpendInUsdMinor({ expectedSpend: [monthly('10000', 'EUR')] }, { EUR: '1.08' })).toBe(
      12_960_000,
    );
  });

  it('adds entries in different currencies, each at its rate', () => {
    expect(
      annualSpendInUsdMinor(
        { expectedSpend: [monthly('1000', 'USD'), monthly('1000.50', 'EUR')] },
        { EUR: '1.1' },
      ),
    ).toBe(1_200_000 + 1_320_660);
  });

  it('counts an entry in a currency without a rate, or without a readable amount, as nothing', () => {
    expect(annualSpendInUsdMinor({ expectedSpend: [monthly('10000', 'EUR')] }, {})).toBe(0);
    expect(
      annualSpendInUsdMinor({
        expectedSpend: [monthly('12.345', 'USD'), { ...monthly('1', 'USD'), amount: undefined }],
      }),
    ).toBe(0);
  });
});
