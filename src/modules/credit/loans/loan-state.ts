// A loan's running balances and what one calendar day does to them: interest on the principal not
// yet due, penalty interest on the overdue principal, the due date's rounding and what falls due,
// days past due and the provision the bucket calls for. Pure: the step turns the change into transfers.
import { addDays } from '../../fund/fund-calendar.ts';
import { accrueDay, DAILY_RATE_PPM, type Owed, penaltyRatePpm, type Product, provisionFor, settleCarry } from './loan-math.ts';
import { daysBetween, type Instalment } from './loan-schedule.ts';

export type LoanStatus = 'active' | 'overdue' | 'repaid' | 'written_off';

export interface LoanState {
  readonly product: Product;
  readonly schedule: readonly Instalment[];
  readonly status: LoanStatus;
  readonly outstandingPrincipal: bigint;
  readonly overduePrincipal: bigint;
  /** Interest booked and unpaid, the overdue part included. */
  readonly accruedInterest: bigint;
  readonly overdueInterest: bigint;
  readonly penaltyInterest: bigint;
  readonly interestCarry: bigint;
  readonly penaltyCarry: bigint;
  /** The first due date with something still unpaid ('' when nothing is). */
  readonly oldestUnpaidDue: string;
  readonly daysPastDue: number;
  readonly everLate: boolean;
  readonly provision: bigint;
  readonly servicedThrough: string;
}

/** What a day booked: each becomes one ledger transfer when it is not zero. */
export interface DayBookings {
  readonly interest: bigint;
  readonly penalty: bigint;
  /** Positive raises the provision, negative releases it. */
  readonly provision: bigint;
}

export function owedOf(state: LoanState): Owed {
  return {
    penaltyInterest: state.penaltyInterest,
    overdueInterest: state.overdueInterest,
    overduePrincipal: state.overduePrincipal,
    interest: state.accruedInterest - state.overdueInterest,
    principal: state.outstandingPrincipal - state.overduePrincipal,
  };
}

/** Principal that must be repaid by `date`: whatever exceeds what the later instalments still plan. */
function principalDueBy(state: LoanState, date: string): bigint {
  const later = state.schedule.filter((i) => i.dueDate > date).reduce((sum, i) => sum + i.principal, 0n);
  const due = state.outstandingPrincipal - later;
  return due > 0n ? due : 0n;
}

export function serviceDay(state: LoanState, date: string): { state: LoanState; booked: DayBookings } {
  const current = state.outstandingPrincipal - state.overduePrincipal;
  const interest = accrueDay(current, DAILY_RATE_PPM[state.product], state.interestCarry);
  const penalty = accrueDay(state.overduePrincipal, penaltyRatePpm(state.product), state.penaltyCarry);
  let next: LoanState = {
    ...state,
    accruedInterest: state.accruedInterest + interest.booked,
    interestCarry: interest.carry,
    penaltyInterest: state.penaltyInterest + penalty.booked,
    penaltyCarry: penalty.carry,
    servicedThrough: date,
  };
  let interestBooked = interest.booked;
  if (state.schedule.some((i) => i.dueDate === date)) {
    const rounding = settleCarry(next.interestCarry);
    interestBooked += rounding;
    const accrued = next.accruedInterest + rounding;
    const overduePrincipal = principalDueBy(next, date);
    const fallsDue = overduePrincipal > 0n || accrued > 0n;
    next = {
      ...next,
      accruedInterest: accrued,
      interestCarry: 0n,
      overdueInterest: accrued,
      overduePrincipal,
      oldestUnpaidDue: next.oldestUnpaidDue || (fallsDue ? date : ''),
    };
  }
  const daysPastDue = next.oldestUnpaidDue === '' ? 0 : daysBetween(next.oldestUnpaidDue, date);
  const provision = provisionFor(next.outstandingPrincipal, daysPastDue);
  next = { ...next, daysPastDue, everLate: next.everLate || daysPastDue > 0, status: daysPastDue > 0 ? 'overdue' : 'active', provision };
  return { state: next, booked: { interest: interestBooked, penalty: penalty.booked, provision: provision - state.provision } };
}

/** After a repayment: the balances less what was applied, the loan repaid when nothing is owed. */
export function applyRepayment(state: LoanState, applied: Owed): LoanState {
  const next = {
    ...state,
    penaltyInterest: state.penaltyInterest - applied.penaltyInterest,
    overdueInterest: state.overdueInterest - applied.overdueInterest,
    accruedInterest: state.accruedInterest - applied.overdueInterest - applied.interest,
    overduePrincipal: state.overduePrincipal - applied.overduePrincipal,
    outstandingPrincipal: state.outstandingPrincipal - applied.overduePrincipal - applied.principal,
  };
  const overdue = next.penaltyInterest + next.overdueInterest + next.overduePrincipal;
  const cleared = overdue === 0n ? { oldestUnpaidDue: '', daysPastDue: 0, status: 'active' as const } : {};
  const repaid = next.outstandingPrincipal === 0n && next.accruedInterest === 0n && next.penaltyInterest === 0n;
  return { ...next, ...cleared, ...(repaid ? { status: 'repaid' as const, interestCarry: 0n, penaltyCarry: 0n } : {}) };
}

/** The days a loan still has to be serviced for, up to and including `today`. */
export function daysToService(state: LoanState, today: string): string[] {
  const days: string[] = [];
  for (let d = addDays(state.servicedThrough, 1); d <= today; d = addDays(d, 1)) days.push(d);
  return days;
}
