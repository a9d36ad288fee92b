import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freezeAmount, freezeMoney, parseDecimalAmount } from '#domain/money.ts';

describe('ledger money', () => {
  it('freezes an amount to USD cents with exact decimal arithmetic', () => {
    expect(freezeMoney(5_000_000, 'EUR', '1.0842')).toEqual({
      amountMinor: 5_000_000,
      currency: 'EUR',
      usdRate: '1.0842',
      usdMinor: 5_421_000,
    });
    expect(freezeMoney(1_000_000, 'JPY', '0.0067')).toMatchObject({ usdMinor: 670_000 });
    expect(freezeMoney(1, 'USD', '0.5')).toMatchObject({ usdMinor: 1 });
  });

  it('keeps USD amounts unchanged at rate 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 1000) }), (amountMinor) => {
        expect(freezeMoney(amountMinor, 'USD', '1').usdMinor).toBe(amountMinor);
      }),
    );
  });

  it('parses decimal amounts into minor units of the currency, refusing extra decimals', () => {
    expect(parseDecimalAmount('25000.5', 'USD')).toBe(2_500_050);
    expect(parseDecimalAmount('1200', 'JPY')).toBe(1200);
    expect(() => parseDecimalAmount('12.345', 'USD')).toThrow(/more than 2 decimals/);
    expect(() => parseDecimalAmount('1,200', 'USD')).toThrow(/not an amount/);
    expect(() => parseDecimalAmount('5.5', 'JPY')).toThrow(/more than 0 decimals/);
  });

  it('refuses a rate that is not a positive decimal', () => {
    expect(() => freezeMoney(100, 'EUR', '0')).toThrow(/greater than zero/);
    expect(() => freezeMoney(100, 'EUR', '1e3')).toThrow(/decimal rate/);
  });

  it('refuses a well-formed code that is not a currency', () => {
    expect(() => freezeMoney(100, 'XYZ', '1')).toThrow(/unknown currency XYZ/);
    expect(() => parseDecimalAmount('100', 'ABC')).toThrow(/unknown currency ABC/);
  });

  it('freezes a CRM amount at the configured rate, USD at 1, and says why when it cannot', () => {
    const rates = { EUR: '1.08' };

    expect(freezeAmount('1250.5', 'EUR', rates)).toEqual({
      money: { amountMinor: 125_050, currency: 'EUR', usdRate: '1.08', usdMinor: 135_054 },
    });
    expect(freezeAmount('99', 'USD', {})).toEqual({
      money: { amountMinor: 9_900, currency: 'USD', usdRate: '1', usdMinor: 9_900 },
    });
    expect(freezeAmount('10', 'GBP', rates)).toEqual({
      problem: 'no USD rate is configured for GBP (setting dealreg:usdRates)',
    });
    expect(freezeAmount('1.234', 'EUR', rates)).toEqual({
      problem: 'amount "1.234": "1.234" has more than 2 decimals for EUR',
    });
  });
});
