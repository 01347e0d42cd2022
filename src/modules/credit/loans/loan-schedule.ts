// Repayment schedules in integer fen. A short loan is one payment at maturity with its interest rounded
// once; an instalment loan pays monthly, equal principal or (annuity) equal totals, with interest on the
// outstanding principal for the actual days of each month and the last instalment absorbing rounding.
import { Decimal } from 'decimal.js';
import { addDays } from '../../fund/fund-calendar.ts';
import { DAILY_RATE_PPM, RATE_SCALE, roundHalfUp } from './loan-math.ts';

export interface Instalment {
  readonly dueDate: string;
  readonly principal: bigint;
  readonly interest: bigint;
}

export type RepaymentMethod = 'equal_principal' | 'annuity';
export const SHORT_DAYS = { min: 5, max: 45 } as const;
export const INSTALMENT_MONTHS = [3, 6, 9, 12] as const;

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The same day k months later, or the month's last day when it has no such day (Jan 31 + 1 = Feb 28). */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(day, lastDay));
  return first.toISOString().slice(0, 10);
}

export function shortSchedule(principal: bigint, startDate: string, days: number): Instalment[] {
  return [{ dueDate: addDays(startDate, days), principal, interest: roundHalfUp(principal * DAILY_RATE_PPM.short * BigInt(days), RATE_SCALE) }];
}

/** Interest for one period, as the daily accrual books it: the exact amount rounded half-up once. */
function periodInterest(outstanding: bigint, from: string, to: string): bigint {
  return roundHalfUp(outstanding * DAILY_RATE_PPM.instalment * BigInt(daysBetween(from, to)), RATE_SCALE);
}

export function instalmentSchedule(principal: bigint, startDate: string, months: number, method: RepaymentMethod): Instalment[] {
  const payment = method === 'annuity' ? annuityPayment(principal, months) : 0n;
  const schedule: Instalment[] = [];
  let outstanding = principal;
  let from = startDate;
  for (let k = 1; k <= months; k++) {
    const dueDate = addMonths(startDate, k);
    const interest = periodInterest(outstanding, from, dueDate);
    const planned = method === 'annuity' ? payment - interest : principal / BigInt(months);
    const part = k === months ? outstanding : planned < 0n ? 0n : planned > outstanding ? outstanding : planned;
    schedule.push({ dueDate, principal: part, interest });
    outstanding -= part;
    from = dueDate;
  }
  return schedule;
}

/** The level monthly total at a 30-day month's rate: P r (1+r)^n / ((1+r)^n - 1), rounded half-up to the fen. */
function annuityPayment(principal: bigint, months: number): bigint {
  const rate = new Decimal(DAILY_RATE_PPM.instalment.toString()).mul(30).div(RATE_SCALE.toString());
  const growth = rate.plus(1).pow(months);
  const payment = new Decimal(principal.toString()).mul(rate).mul(growth).div(growth.minus(1));
  return BigInt(payment.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
}
