// A loan as stored in credit_loans, and the conversion to and from the pure LoanState.
import type { SqlExecutor } from '../../../store/sql.ts';
import type { Product } from './loan-math.ts';
import type { Instalment, RepaymentMethod } from './loan-schedule.ts';
import type { LoanState, LoanStatus } from './loan-state.ts';

export interface LoanRow extends Record<string, unknown> {
  loan_id: string;
  user_id: string;
  request_id: string;
  decision_id: string;
  merchant_id: string;
  product: string;
  method: string;
  term: bigint;
  currency: string;
  principal: bigint;
  start_date: string;
  schedule: string;
  status: string;
  outstanding_principal: bigint;
  overdue_principal: bigint;
  accrued_interest: bigint;
  overdue_interest: bigint;
  penalty_interest: bigint;
  interest_carry: bigint;
  penalty_carry: bigint;
  oldest_unpaid_due: string;
  days_past_due: bigint;
  ever_late: bigint;
  provision: bigint;
  repaid_principal: bigint;
  written_off_principal: bigint;
  serviced_through: string;
  disbursed_at: bigint;
  sales_share_bps: bigint;
  sales_swept_through: string;
}

export interface Loan {
  readonly loanId: string;
  readonly userId: string;
  /** The merchant whose line the loan drew on; '' for the user's own. */
  readonly merchantId: string;
  readonly product: Product;
  readonly method: RepaymentMethod | 'single';
  readonly principal: bigint;
  readonly startDate: string;
  readonly disbursedAt: number;
  readonly repaidPrincipal: bigint;
  readonly writtenOffPrincipal: bigint;
  /** The share of each day's settlements the merchant agreed to divert to the loan, in basis points (0: none). */
  readonly salesShareBps: bigint;
  /** The last day whose settlements were shared ('' before the first). */
  readonly salesSweptThrough: string;
  readonly state: LoanState;
}

export function scheduleToText(schedule: readonly Instalment[]): string {
  return JSON.stringify(schedule.map((i) => ({ due_date: i.dueDate, principal: i.principal.toString(), interest: i.interest.toString() })));
}

function scheduleFromText(text: string): Instalment[] {
  return (JSON.parse(text) as { due_date: string; principal: string; interest: string }[]).map((i) => ({
    dueDate: i.due_date,
    principal: BigInt(i.principal),
    interest: BigInt(i.interest),
  }));
}

export function loanFromRow(row: LoanRow): Loan {
  return {
    loanId: row.loan_id,
    userId: row.user_id,
    merchantId: row.merchant_id,
    product: row.product as Product,
    method: row.method as Loan['method'],
    principal: BigInt(row.principal),
    startDate: row.start_date,
    disbursedAt: Number(row.disbursed_at),
    repaidPrincipal: BigInt(row.repaid_principal),
    writtenOffPrincipal: BigInt(row.written_off_principal),
    salesShareBps: BigInt(row.sales_share_bps),
    salesSweptThrough: row.sales_swept_through,
    state: {
      product: row.product as Product,
      schedule: scheduleFromText(row.schedule),
      status: row.status as LoanStatus,
      outstandingPrincipal: BigInt(row.outstanding_principal),
      overduePrincipal: BigInt(row.overdue_principal),
      accruedInterest: BigInt(row.accrued_interest),
      overdueInterest: BigInt(row.overdue_interest),
      penaltyInterest: BigInt(row.penalty_interest),
      interestCarry: BigInt(row.interest_carry),
      penaltyCarry: BigInt(row.penalty_carry),
      oldestUnpaidDue: row.oldest_unpaid_due,
      daysPastDue: Number(row.days_past_due),
      everLate: Number(row.ever_late) === 1,
      provision: BigInt(row.provision),
      servicedThrough: row.serviced_through,
    },
  };
}

export async function readLoan(tx: SqlExecutor, loanId: string): Promise<Loan | undefined> {
  const row = await tx.get<LoanRow>('SELECT * FROM credit_loans WHERE loan_id = ?', [loanId]);
  return row ? loanFromRow(row) : undefined;
}

/** Writes a loan's running balances (and what it has repaid and written off) back. */
export async function writeLoanState(
  tx: SqlExecutor,
  loanId: string,
  s: LoanState,
  totals: { repaidPrincipal: bigint; writtenOffPrincipal: bigint },
): Promise<void> {
  await tx.run(
    `UPDATE credit_loans SET status = ?, outstanding_principal = ?, overdue_principal = ?, accrued_interest = ?, overdue_interest = ?,
       penalty_interest = ?, interest_carry = ?, penalty_carry = ?, oldest_unpaid_due = ?, days_past_due = ?, ever_late = ?,
       provision = ?, serviced_through = ?, repaid_principal = ?, written_off_principal = ? WHERE loan_id = ?`,
    [
      s.status,
      s.outstandingPrincipal,
      s.overduePrincipal,
      s.accruedInterest,
      s.overdueInterest,
      s.penaltyInterest,
      s.interestCarry,
      s.penaltyCarry,
      s.oldestUnpaidDue,
      s.daysPastDue,
      s.everLate ? 1 : 0,
      s.provision,
      s.servicedThrough,
      totals.repaidPrincipal,
      totals.writtenOffPrincipal,
      loanId,
    ],
  );
}

export function isLive(status: string): boolean {
  return status === 'active' || status === 'overdue';
}
