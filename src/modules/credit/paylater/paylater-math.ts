// The pay-later cycle in fen: a month's purchases are billed on the statement of the 1st of the next
// month, due on the 10th; paid in full by then costs nothing; the minimum is 10%; after the due date
// the unpaid rest accrues 0.05% a day; a statement may instead be split into 3-12 monthly
// instalments for a total fee of 2.5-8.8%, charged evenly. Pure functions, property-tested.
import { roundHalfUp } from '../loans/loan-math.ts';
import { addMonths } from '../loans/loan-schedule.ts';

export const STATEMENT_DAY = '01';
export const DUE_DAY = '10';
export const MINIMUM_PERCENT = 10n;
/** 0.05% a day, in parts per million. */
export const PAYLATER_DAILY_PPM = 500n;
export const SUSPEND_AFTER_DAYS = 7;
/** Total fee by number of instalments, in basis points (2.5%, 4.5%, 6.5%, 8.8%). */
export const INSTALMENT_FEE_BPS: Readonly<Record<number, bigint>> = { 3: 250n, 6: 450n, 9: 650n, 12: 880n };

/** The statement a purchase made on `date` lands on: the next month's, as 'YYYY-MM'. */
export function statementMonthOf(date: string): string {
  return addMonths(`${date.slice(0, 7)}-01`, 1).slice(0, 7);
}

export function statementDate(month: string): string {
  return `${month}-${STATEMENT_DAY}`;
}

export function dueDate(month: string): string {
  return `${month}-${DUE_DAY}`;
}

export function minimumPayment(total: bigint): bigint {
  return roundHalfUp(total * MINIMUM_PERCENT, 100n);
}

export interface PlanInstalment {
  readonly dueDate: string;
  readonly principal: bigint;
  readonly fee: bigint;
}

/** Equal principal and an equal share of the fee each month; the last instalment takes the rounding. */
export function instalmentPlan(amount: bigint, month: string, months: number): { fee: bigint; plan: PlanInstalment[] } {
  const bps = INSTALMENT_FEE_BPS[months];
  if (bps === undefined) throw new RangeError(`instalments are 3, 6, 9 or 12 months, not ${months}`);
  const fee = roundHalfUp(amount * bps, 10_000n);
  const n = BigInt(months);
  const plan = Array.from({ length: months }, (_, k) => {
    const last = k === months - 1;
    return {
      dueDate: addMonths(dueDate(month), k),
      principal: last ? amount - (amount / n) * (n - 1n) : amount / n,
      fee: last ? fee - (fee / n) * (n - 1n) : fee / n,
    };
  });
  return { fee, plan };
}
