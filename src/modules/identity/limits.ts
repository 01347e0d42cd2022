// The limits on balance payments: by real-name level (lifetime for I, per calendar year for II
// and III) and per day by authentication strength. Pure policy: usage is counted by the wallet.
import type { Level } from './identity-levels.ts';

export type Period = 'lifetime' | 'year' | 'day';

export interface Limit {
  /** Stable name reported on refusals, e.g. `level_I_lifetime`, `daily_one_factor`. */
  readonly name: string;
  readonly period: Period;
  readonly limitMinor: bigint;
}

/** How strongly the payer authenticated this payment. */
export type AuthStrength = 'one_factor' | 'two_factor' | 'two_factor_certificate';

export interface LimitPolicy {
  readonly levelILifetimeMinor: bigint;
  readonly levelIIYearlyMinor: bigint;
  readonly levelIIIYearlyMinor: bigint;
  readonly dailyOneFactorMinor: bigint;
  readonly dailyTwoFactorMinor: bigint;
  /** "By agreement": configurable; the default is the level's yearly limit, i.e. no extra cap. */
  readonly dailyCertificateMinor: bigint | null;
}

/** Policy defaults of spec/wallet.md, in fen. */
export const DEFAULT_LIMIT_POLICY: LimitPolicy = {
  levelILifetimeMinor: 1_000_00n,
  levelIIYearlyMinor: 100_000_00n,
  levelIIIYearlyMinor: 200_000_00n,
  dailyOneFactorMinor: 1_000_00n,
  dailyTwoFactorMinor: 5_000_00n,
  dailyCertificateMinor: null,
};

/** The limits a payment must fit; empty for `none` (the caller refuses unverified payers first). */
export function limitsFor(level: Level, strength: AuthStrength, policy: LimitPolicy = DEFAULT_LIMIT_POLICY): Limit[] {
  const limits: Limit[] = [];
  if (level === 'I') limits.push({ name: 'level_I_lifetime', period: 'lifetime', limitMinor: policy.levelILifetimeMinor });
  if (level === 'II') limits.push({ name: 'level_II_yearly', period: 'year', limitMinor: policy.levelIIYearlyMinor });
  if (level === 'III') limits.push({ name: 'level_III_yearly', period: 'year', limitMinor: policy.levelIIIYearlyMinor });
  const daily = dailyLimit(strength, policy);
  if (daily) limits.push(daily);
  return limits;
}

function dailyLimit(strength: AuthStrength, policy: LimitPolicy): Limit | null {
  if (strength === 'one_factor') return { name: 'daily_one_factor', period: 'day', limitMinor: policy.dailyOneFactorMinor };
  if (strength === 'two_factor') return { name: 'daily_two_factor', period: 'day', limitMinor: policy.dailyTwoFactorMinor };
  if (policy.dailyCertificateMinor === null) return null;
  return { name: 'daily_certificate', period: 'day', limitMinor: policy.dailyCertificateMinor };
}

/** China Standard Time has no daylight saving: a fixed +8 hours decides the day and the year. */
const CST_OFFSET_MS = 8 * 3600 * 1000;

/** The counter key of a period at `nowMs`: `lifetime`, `Y2026`, `D2026-01-31`. */
export function periodKey(period: Period, nowMs: number): string {
  if (period === 'lifetime') return 'lifetime';
  const date = new Date(nowMs + CST_OFFSET_MS).toISOString();
  return period === 'year' ? `Y${date.slice(0, 4)}` : `D${date.slice(0, 10)}`;
}
