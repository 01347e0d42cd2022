// Amounts are integer counts of minor units (bigint), tagged with their currency. Decimal strings
// are the only way amounts enter or leave Formica; floats never touch money.
import { type Currency, findCurrency } from './currency.ts';
import { MoneyError } from './money-errors.ts';

/** The largest amount any balance can hold: it must fit a signed 64-bit column in every store. */
export const MAX_AMOUNT_MINOR = (1n << 63n) - 1n;

export interface Money {
  readonly currency: Currency;
  readonly minor: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export function requireCurrency(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) throw new MoneyError('currency_unknown', `unknown currency '${code}'`);
  return currency;
}

/** Parses "12.34" into minor units of the currency, refusing anything not exact. */
export function parseAmount(text: string, currencyCode: string): Money {
  const currency = requireCurrency(currencyCode);
  return { currency, minor: parseMinor(text, currency) };
}

export function parseMinor(text: string, currency: Currency): bigint {
  if (typeof text !== 'string') throw new MoneyError('amount_malformed', 'an amount must be a decimal string');
  // Strict: " 1.00" is not an amount, so what was signed or shown is exactly what is parsed.
  if (text.startsWith('-')) throw new MoneyError('amount_negative', `amount '${text}' is negative`);
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError('amount_malformed', `amount '${text}' is not a decimal number like "12.34"`);
  const [, whole, fraction = ''] = match;
  if (fraction.length > currency.scale) {
    throw new MoneyError('amount_too_many_decimals', `amount '${text}' has more than ${currency.scale} decimal places for ${currency.code}`);
  }
  const minor = BigInt(whole + fraction.padEnd(currency.scale, '0'));
  if (minor > MAX_AMOUNT_MINOR) throw new MoneyError('amount_out_of_range', `amount '${text}' is too large`);
  return minor;
}

/** Formats minor units as a decimal string with exactly the currency's scale ("12.30"). */
export function formatMinor(minor: bigint, currency: Currency): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(currency.scale + 1, '0');
  const cut = digits.length - currency.scale;
  const text = currency.scale === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

export function formatMoney(money: Money): string {
  return formatMinor(money.minor, money.currency);
}
