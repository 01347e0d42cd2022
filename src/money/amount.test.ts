// Decimal strings in, integer minor units out, and back, with a clear refusal for anything inexact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, MAX_AMOUNT_MINOR, parseAmount, requireCurrency } from './amount.ts';
import { MoneyError } from './money-errors.ts';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MoneyError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('money', () => {
  it.each([
    ['12.34', 'CNY', 1234n],
    ['12.3', 'CNY', 1230n],
    ['12', 'CNY', 1200n],
    ['0.01', 'USD', 1n],
    ['1500', 'JPY', 1500n],
    ['1.234', 'KWD', 1234n],
    ['0', 'CNY', 0n],
  ])('parses %s %s as %s minor units', (text, currency, minor) => {
    expect(parseAmount(text, currency).minor).toBe(minor);
  });

  it.each([
    ['12.345', 'CNY', 'amount_too_many_decimals'],
    ['1.5', 'JPY', 'amount_too_many_decimals'],
    ['-1.00', 'CNY', 'amount_negative'],
    ['1e3', 'CNY', 'amount_malformed'],
    ['12.', 'CNY', 'amount_malformed'],
    ['.5', 'CNY', 'amount_malformed'],
    ['', 'CNY', 'amount_malformed'],
    ['1,000.00', 'CNY', 'amount_malformed'],
    [' 1.00', 'CNY', 'amount_malformed'],
    ['1.00\n', 'CNY', 'amount_malformed'],
    ['+1.00', 'CNY', 'amount_malformed'],
    ['92233720368547758.08', 'CNY', 'amount_out_of_range'],
    ['1.00', 'XXX', 'currency_unknown'],
  ])('refuses %s %s with %s', (text, currency, code) => {
    expect(refusal(() => parseAmount(text, currency))).toBe(code);
  });

  it('formats with exactly the currency scale', () => {
    expect(formatMinor(1234n, requireCurrency('CNY'))).toBe('12.34');
    expect(formatMinor(5n, requireCurrency('CNY'))).toBe('0.05');
    expect(formatMinor(-5n, requireCurrency('CNY'))).toBe('-0.05');
    expect(formatMinor(1500n, requireCurrency('JPY'))).toBe('1500');
    expect(formatMinor(1n, requireCurrency('KWD'))).toBe('0.001');
  });

  it('round-trips every amount in range', () => {
    const currency = fc.constantFrom('CNY', 'JPY', 'KWD', 'FMS');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }), currency, (minor, code) => {
        const c = requireCurrency(code);
        expect(parseAmount(formatMinor(minor, c), code).minor).toBe(minor);
      }),
    );
  });
});
