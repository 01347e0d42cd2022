// The fund's income arithmetic, exact and pure. The manager publishes R, the day's income per
// 10,000 shares in CNY to 4 decimals, held here as an integer of 0.0001 CNY (`rE4`). A holding of
// s fen of shares earns s x rE4 / 10^8 fen that day, exactly: amounts below are kept in units of
// 10^-8 fen ("e8") so nothing is ever rounded before the fen is cut.
//
// Rounding (the spec's): each holder is paid the day's exact income plus what it carried, cut to the
// fen; the cut-off fraction is carried to the holder's next day. The fund declares its own income
// the same way over all holders together, carrying its own fraction. Because the floor of a sum is
// never below the sum of the floors, what the fund declares over time is never less than what its
// holders are paid; the difference (the holders' carried fractions, cut) stays on the fund's income
// account, so the ledger balances to the fen.
import { Decimal } from 'decimal.js';
import { FundError } from './fund-errors.ts';

/** 10^-8 fen per fen: the scale of exact income (shares in fen x R in 0.0001 CNY per 10,000 shares). */
export const E8_PER_FEN = 100_000_000n;
const INCOME_TEXT = /^(\d{1,6})\.(\d{4})$/;
const DAYS_PER_YEAR = 365;
export const YIELD_WINDOW_DAYS = 7;

/** "1.2345" (CNY per 10,000 shares, exactly 4 decimals) -> 12345n. */
export function parseIncomePer10k(text: string): bigint {
  const match = INCOME_TEXT.exec(text);
  if (!match) throw new FundError('invalid_income', `income_per_10k must be a decimal with 4 places like "1.2345", not '${text}'`);
  return BigInt(match[1] + match[2]);
}

export function formatIncomePer10k(rE4: bigint): string {
  const digits = rE4.toString().padStart(5, '0');
  return `${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

export interface Accrued {
  /** Whole fen paid today. */
  readonly paidMinor: bigint;
  /** The fraction of a fen carried to the next day, in 10^-8 fen (0 <= carry < 10^8). */
  readonly carryE8: bigint;
}

/** A day's income on `sharesMinor` shares at `rE4`, with the fraction carried in: cut to the fen. */
export function accrue(sharesMinor: bigint, rE4: bigint, carryE8: bigint): Accrued {
  const exact = sharesMinor * rE4 + carryE8;
  return { paidMinor: exact / E8_PER_FEN, carryE8: exact % E8_PER_FEN };
}

/**
 * The 7-day annualized yield, daily compounding, as a percent string with 3 decimals:
 * ((prod (1 + R_i / 10000)) ^ (365/7) - 1) x 100. `rE4s` are the last 7 calendar days' R.
 */
export function sevenDayYield(rE4s: readonly bigint[]): string {
  if (rE4s.length !== YIELD_WINDOW_DAYS) throw new Error(`the 7-day yield needs ${YIELD_WINDOW_DAYS} days, got ${rE4s.length}`);
  const Exact = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP });
  // R_i / 10000 with R_i = rE4 / 10^4 CNY: the day's return per share is rE4 / 10^8.
  const growth = rE4s.reduce((product, r) => product.times(new Exact(r.toString()).dividedBy(1e8).plus(1)), new Exact(1));
  const annual = growth.pow(new Exact(DAYS_PER_YEAR).dividedBy(YIELD_WINDOW_DAYS)).minus(1);
  return annual.times(100).toFixed(3, Decimal.ROUND_HALF_UP);
}
