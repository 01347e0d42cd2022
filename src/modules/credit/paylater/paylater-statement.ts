// A pay-later statement as stored, and what follows from it on a given day: what is owed, what is
// overdue and for how long, the day's interest, and the status the buyer sees. Pure.
import { addDays } from '../../fund/fund-calendar.ts';
import { accrueDay } from '../loans/loan-math.ts';
import { daysBetween } from '../loans/loan-schedule.ts';
import { dueDate, minimumPayment, PAYLATER_DAILY_PPM, type PlanInstalment, statementDate } from './paylater-math.ts';

export interface Statement {
  readonly userId: string;
  readonly month: string;
  readonly total: bigint;
  readonly paidPrincipal: bigint;
  /** Interest and fee paid. */
  readonly paidCharges: bigint;
  readonly interest: bigint;
  readonly interestCarry: bigint;
  readonly fee: bigint;
  readonly plan: readonly PlanInstalment[];
  readonly servicedThrough: string;
}

export type StatementStatus = 'pending' | 'issued' | 'paid' | 'revolving' | 'instalments' | 'overdue';

export interface StatementRow extends Record<string, unknown> {
  user_id: string;
  month: string;
  total: bigint;
  paid_principal: bigint;
  paid_charges: bigint;
  interest: bigint;
  interest_carry: bigint;
  fee: bigint;
  plan: string;
  serviced_through: string;
}

export function statementFromRow(row: StatementRow): Statement {
  const plan =
    row.plan === ''
      ? []
      : (JSON.parse(row.plan) as { due_date: string; principal: string; fee: string }[]).map((i) => ({
          dueDate: i.due_date,
          principal: BigInt(i.principal),
          fee: BigInt(i.fee),
        }));
  return {
    userId: row.user_id,
    month: row.month,
    total: BigInt(row.total),
    paidPrincipal: BigInt(row.paid_principal),
    paidCharges: BigInt(row.paid_charges),
    interest: BigInt(row.interest),
    interestCarry: BigInt(row.interest_carry),
    fee: BigInt(row.fee),
    plan,
    servicedThrough: row.serviced_through,
  };
}

export function planToText(plan: readonly PlanInstalment[]): string {
  return JSON.stringify(plan.map((i) => ({ due_date: i.dueDate, principal: i.principal.toString(), fee: i.fee.toString() })));
}

export interface StatementOwed {
  /** Interest and fee booked and unpaid: repaid first. */
  readonly charges: bigint;
  readonly principal: bigint;
}

export function owedOn(s: Statement): StatementOwed {
  return { charges: s.interest + s.fee - s.paidCharges, principal: s.total - s.paidPrincipal };
}

/** Principal (and fee) that should have been paid before `date`, and the first due date it is late from. */
function lateSince(s: Statement, date: string): string {
  if (date <= dueDate(s.month)) return '';
  if (s.plan.length === 0) return s.paidPrincipal + s.paidCharges >= minimumPayment(s.total) || owedOn(s).principal === 0n ? '' : dueDate(s.month);
  let due = 0n;
  for (const i of s.plan) {
    if (i.dueDate >= date) break;
    due += i.principal + i.fee;
    if (due > s.paidPrincipal + s.paidCharges) return i.dueDate;
  }
  return '';
}

/** Days past due on `date`: from the day after the first missed due date. */
export function daysOverdue(s: Statement, date: string): number {
  const since = lateSince(s, date);
  return since === '' ? 0 : daysBetween(since, date);
}

export function statusOn(s: Statement, today: string): StatementStatus {
  if (today < statementDate(s.month)) return 'pending';
  const owed = owedOn(s);
  if (owed.principal === 0n && owed.charges <= 0n) return 'paid';
  if (daysOverdue(s, today) > 0) return 'overdue';
  if (s.plan.length > 0) return 'instalments';
  return today <= dueDate(s.month) ? 'issued' : 'revolving';
}

/**
 * One day after the due date: without a plan the unpaid principal accrues 0.05%; with one, only the
 * principal of missed instalments does. Paid in full by the due date, nothing accrues.
 */
export function serviceStatementDay(s: Statement, date: string): { next: Statement; interest: bigint } {
  let base = 0n;
  if (date > dueDate(s.month)) {
    if (s.plan.length === 0) base = owedOn(s).principal;
    else {
      const duePrincipal = s.plan.filter((i) => i.dueDate < date).reduce((sum, i) => sum + i.principal, 0n);
      base = duePrincipal > s.paidPrincipal ? duePrincipal - s.paidPrincipal : 0n;
    }
  }
  const day = accrueDay(base, PAYLATER_DAILY_PPM, s.interestCarry);
  return { next: { ...s, interest: s.interest + day.booked, interestCarry: day.carry, servicedThrough: date }, interest: day.booked };
}

export function daysToServiceStatement(s: Statement, today: string): string[] {
  const days: string[] = [];
  for (let d = addDays(s.servicedThrough, 1); d <= today; d = addDays(d, 1)) days.push(d);
  return days;
}
