// Credit's money moves as steps: a disbursement, a day of servicing, a repayment and a write-off.
// Each claims its loan row in the write group, plans its transfers purely from the claimed state,
// and commits with them. Transfer ids derive from the loan and the day or request, so a replay meets
// `exists` instead of moving money twice.
import { type CreditAccount, creditAccountId, derivedId, TransferCode, walletAccountId } from '../../books/chart.ts';
import { type Move, moveEvents } from '../../books/moves.ts';
import { PLATFORM_CURRENCY } from '../../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../../books/step-runner.ts';
import { CreditError } from '../credit-errors.ts';
import { allocateRepayment, type Owed, provisionFor, roundHalfUp, smaller, totalOwed } from './loan-math.ts';
import { isLive, type Loan, readLoan, scheduleToText, writeLoanState } from './loan-row.ts';
import type { Instalment, RepaymentMethod } from './loan-schedule.ts';
import { applyRepayment, type LoanState, owedOf, serviceDay } from './loan-state.ts';

const account = (purpose: CreditAccount) => creditAccountId(purpose, PLATFORM_CURRENCY.code);

function provisionMove(id: string, delta: bigint): Move {
  return delta >= 0n
    ? { id, debit: account('provision_expense'), credit: account('provision_allowance'), amount: delta, code: TransferCode.provisionCharge }
    : { id, debit: account('provision_allowance'), credit: account('provision_expense'), amount: -delta, code: TransferCode.provisionRelease };
}

function mustApply(step: string, outcomes: Parameters<typeof ledgerVerdict>[0]): void {
  const verdict = ledgerVerdict(outcomes);
  if (!verdict.applied) throw new Error(`${step}: the ledger refused a move between credit's own accounts (${verdict.result})`);
}

export interface NewLoan {
  readonly loanId: string;
  readonly userId: string;
  /** The merchant whose line it draws on; '' for the user's own. */
  readonly merchantId: string;
  readonly requestId: string;
  readonly decisionId: string;
  readonly product: 'short' | 'instalment';
  readonly method: RepaymentMethod | 'single';
  readonly term: number;
  readonly principal: bigint;
  readonly startDate: string;
  readonly schedule: readonly Instalment[];
  readonly disbursedAt: number;
  /** The borrower's credit line: the principal outstanding after this loan may not exceed it. */
  readonly limit: bigint;
  /** The merchant's consent: this share of each day's settlements repays the loan (basis points, 0: none). */
  readonly salesShareBps: bigint;
}

/** What a line has lent and not been repaid: a merchant's loans, or a person's own ones. */
export function usedSql(merchantId: string): string {
  const scope = merchantId ? 'merchant_id = ?' : "user_id = ? AND merchant_id = ''";
  return `SELECT SUM(outstanding_principal) AS used FROM credit_loans WHERE ${scope} AND status IN ('active', 'overdue')`;
}

/** Pays a new loan out: the funding to the wallet, and the receivable booked against the funding. */
export function disbursementStep(loan: NewLoan): Step<{ fresh: boolean }, { fresh: boolean }> {
  return {
    name: 'credit.disburse',
    maxEvents: 2,
    async claim(tx) {
      const inserted = await tx.run(
        `INSERT INTO credit_loans (loan_id, user_id, request_id, decision_id, product, method, term, currency, principal, start_date, schedule,
           status, outstanding_principal, overdue_principal, accrued_interest, overdue_interest, penalty_interest, interest_carry, penalty_carry,
           oldest_unpaid_due, days_past_due, ever_late, provision, repaid_principal, written_off_principal, serviced_through, disbursed_at, merchant_id,
           sales_share_bps)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, 0, 0, 0, 0, 0, 0, '', 0, 0, 0, 0, 0, ?, ?, ?, ?) ON CONFLICT (user_id, request_id) DO NOTHING`,
        [
          loan.loanId,
          loan.userId,
          loan.requestId,
          loan.decisionId,
          loan.product,
          loan.method,
          loan.term,
          PLATFORM_CURRENCY.code,
          loan.principal,
          loan.startDate,
          scheduleToText(loan.schedule),
          loan.principal,
          loan.startDate,
          loan.disbursedAt,
          loan.merchantId,
          loan.salesShareBps,
        ],
      );
      if (inserted.changes === 0) return { fresh: false };
      const used = await tx.get<{ used: bigint | null }>(usedSql(loan.merchantId), [loan.merchantId || loan.userId]);
      if (BigInt(used?.used ?? 0n) > loan.limit)
        throw new CreditError('exceeds_line', 'the loan would take the principal outstanding beyond the credit line', { limit: loan.limit.toString() });
      return { fresh: true };
    },
    plan: ({ fresh }) =>
      fresh
        ? moveEvents(
            [
              {
                id: derivedId('crd_out', loan.loanId),
                debit: account('funding'),
                credit: walletAccountId(loan.userId),
                amount: loan.principal,
                code: TransferCode.loanDisbursement,
              },
              {
                id: derivedId('crd_rcv', loan.loanId),
                debit: account('receivable'),
                credit: account('funding'),
                amount: loan.principal,
                code: TransferCode.loanReceivableBooked,
              },
            ],
            loan.loanId,
            true,
          )
        : [],
    async record(_tx, claimed, outcomes) {
      if (claimed.fresh) mustApply('credit.disburse', outcomes);
      return claimed;
    },
  };
}

/** One calendar day of a loan: the interest and penalty booked, the provision moved to its bucket's. */
export function serviceDayStep(
  loanId: string,
  date: string,
): Step<{ loan: Loan; next: LoanState; booked: ReturnType<typeof serviceDay>['booked'] } | null, LoanState | null> {
  return {
    name: 'credit.service-day',
    maxEvents: 3,
    async claim(tx) {
      const loan = await readLoan(tx, loanId);
      if (!loan || !isLive(loan.state.status) || loan.state.servicedThrough >= date) return null;
      const { state: next, booked } = serviceDay(loan.state, date);
      await writeLoanState(tx, loanId, next, loan);
      return { loan, next, booked };
    },
    plan: (claimed) =>
      claimed
        ? moveEvents(
            [
              {
                id: derivedId('crd_int', loanId, date),
                debit: account('interest'),
                credit: account('income'),
                amount: claimed.booked.interest,
                code: TransferCode.interestAccrual,
              },
              {
                id: derivedId('crd_pen', loanId, date),
                debit: account('interest'),
                credit: account('income'),
                amount: claimed.booked.penalty,
                code: TransferCode.penaltyAccrual,
              },
              provisionMove(derivedId('crd_prv', loanId, date), claimed.booked.provision),
            ],
            loanId,
            false,
          )
        : [],
    async record(_tx, claimed, outcomes) {
      if (!claimed) return null;
      mustApply('credit.service-day', outcomes);
      return claimed.next;
    },
  };
}

export interface RepaymentEnd {
  readonly verdict: LedgerVerdict;
  readonly applied: Owed;
  /** The early-repayment fee paid on top of the amount (policy; none by default). */
  readonly fee: bigint;
  readonly outstandingPrincipal: bigint;
}

interface RepaymentClaim {
  readonly loan: Loan;
  readonly applied: Owed;
  readonly fee: bigint;
  readonly next: LoanState;
  readonly provisionDelta: bigint;
  /** The outcome stored for this request id by an earlier call. */
  readonly replay: RepaymentEnd | null;
}

const ZERO_OWED: Owed = { penaltyInterest: 0n, overdueInterest: 0n, overduePrincipal: 0n, interest: 0n, principal: 0n };

function owedToText(owed: Owed): string {
  return JSON.stringify(Object.fromEntries(Object.entries(owed).map(([k, v]) => [k, v.toString()])));
}

function owedFromText(text: string): Owed {
  return Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, string>).map(([k, v]) => [k, BigInt(v)])) as unknown as Owed;
}

/**
 * How much a repayment pays: `exact` is the borrower's own amount (refused beyond what is owed);
 * `overdue` pays what is overdue, up to `upTo` (the due-date collection the borrower consented to);
 * `owed` pays anything owed in the spec's order, up to `upTo` (the consented share of a day's sales).
 */
export type RepaymentAmount = { readonly kind: 'exact'; readonly amount: bigint } | { readonly kind: 'overdue' | 'owed'; readonly upTo: bigint };

/** What a repayment applies now: the amount split in the spec's order, or null when there is nothing to take. */
export function plannedRepayment(state: LoanState, amount: RepaymentAmount): Owed | null {
  const owed = owedOf(state);
  const overdue = owed.penaltyInterest + owed.overdueInterest + owed.overduePrincipal;
  const wanted = amount.kind === 'exact' ? amount.amount : smaller(amount.upTo, amount.kind === 'overdue' ? overdue : totalOwed(owed));
  if (wanted <= 0n) return null;
  if (wanted > totalOwed(owed))
    throw new CreditError('repayment_exceeds_owed', 'the repayment is more than the loan owes', { owed: totalOwed(owed).toString() });
  return allocateRepayment(wanted, owed);
}

/** The early-repayment fee on the principal repaid before it falls due: rate in basis points, rounded half-up to the fen. */
export function earlyRepaymentFee(applied: Owed, feeBps: bigint): bigint {
  return roundHalfUp(applied.principal * feeBps, 10_000n);
}

/**
 * A repayment, split in the spec's order, from the borrower's wallet or `payerAccountId` (a merchant
 * loan's settlement account). The early-repayment fee (`earlyFeeBps`, the borrower's own repayments
 * only) is paid on top, to income.
 */
export function repaymentStep(input: {
  loanId: string;
  userId: string;
  requestId: string;
  amount: RepaymentAmount;
  earlyFeeBps?: bigint;
  payerAccountId?: string;
  nowMs: number;
}): Step<RepaymentClaim | null, RepaymentEnd | null> {
  return {
    name: 'credit.repay',
    maxEvents: 4,
    async claim(tx) {
      const loan = await readLoan(tx, input.loanId);
      if (!loan || loan.userId !== input.userId) throw new CreditError('loan_not_found', 'no such loan of yours');
      const stored = await tx.get<{ amount: bigint; applied: string; status: string; fee: bigint }>(
        'SELECT amount, applied, status, fee FROM credit_repayments WHERE loan_id = ? AND request_id = ?',
        [input.loanId, input.requestId],
      );
      if (stored) {
        if (input.amount.kind === 'exact' && BigInt(stored.amount) !== input.amount.amount)
          throw new CreditError('request_id_reused', 'this request id was used for another repayment');
        const verdict: LedgerVerdict =
          stored.status === 'applied' ? { applied: true } : { applied: false, reason: 'insufficient_funds', result: 'exceeds_credits' };
        const applied = owedFromText(stored.applied);
        const fee = BigInt(stored.fee);
        return {
          loan,
          applied,
          fee,
          next: loan.state,
          provisionDelta: 0n,
          replay: { verdict, applied, fee, outstandingPrincipal: loan.state.outstandingPrincipal },
        };
      }
      if (!isLive(loan.state.status)) throw new CreditError('loan_closed', `the loan is ${loan.state.status}`);
      const applied = plannedRepayment(loan.state, input.amount);
      if (!applied) return null;
      const fee = earlyRepaymentFee(applied, input.earlyFeeBps ?? 0n);
      const repaid = applyRepayment(loan.state, applied);
      const provision = provisionFor(repaid.outstandingPrincipal, repaid.daysPastDue);
      const next = { ...repaid, provision };
      await writeLoanState(tx, loan.loanId, next, {
        repaidPrincipal: loan.repaidPrincipal + applied.overduePrincipal + applied.principal,
        writtenOffPrincipal: loan.writtenOffPrincipal,
      });
      await tx.run("INSERT INTO credit_repayments (loan_id, request_id, amount, applied, status, created_at, fee) VALUES (?, ?, ?, ?, 'applied', ?, ?)", [
        loan.loanId,
        input.requestId,
        totalOwed(applied),
        owedToText(applied),
        input.nowMs,
        fee,
      ]);
      return { loan, applied, fee, next, provisionDelta: provision - loan.state.provision, replay: null };
    },
    plan(claimed) {
      if (!claimed || claimed.replay) return [];
      const { applied } = claimed;
      const payer = input.payerAccountId ?? walletAccountId(input.userId);
      return moveEvents(
        [
          {
            id: derivedId('crd_rpi', input.loanId, input.requestId),
            debit: payer,
            credit: account('interest'),
            amount: applied.penaltyInterest + applied.overdueInterest + applied.interest,
            code: TransferCode.loanInterestRepayment,
          },
          {
            id: derivedId('crd_rpp', input.loanId, input.requestId),
            debit: payer,
            credit: account('receivable'),
            amount: applied.overduePrincipal + applied.principal,
            code: TransferCode.loanPrincipalRepayment,
          },
          {
            id: derivedId('crd_rpf', input.loanId, input.requestId),
            debit: payer,
            credit: account('income'),
            amount: claimed.fee,
            code: TransferCode.earlyRepaymentFee,
          },
          provisionMove(derivedId('crd_rpv', input.loanId, input.requestId), claimed.provisionDelta),
        ],
        input.loanId,
        true,
      );
    },
    async record(tx, claimed, outcomes) {
      if (!claimed) return null;
      if (claimed.replay) return claimed.replay;
      const verdict = ledgerVerdict(outcomes);
      if (!verdict.applied) {
        // The payer could not pay: the loan is as it was, and the request is remembered as refused.
        await writeLoanState(tx, claimed.loan.loanId, claimed.loan.state, claimed.loan);
        await tx.run("UPDATE credit_repayments SET status = 'refused', applied = ?, fee = 0 WHERE loan_id = ? AND request_id = ?", [
          owedToText(ZERO_OWED),
          input.loanId,
          input.requestId,
        ]);
        return { verdict, applied: ZERO_OWED, fee: 0n, outstandingPrincipal: claimed.loan.state.outstandingPrincipal };
      }
      return { verdict, applied: claimed.applied, fee: claimed.fee, outstandingPrincipal: claimed.next.outstandingPrincipal };
    },
  };
}

/** Writes a loan off: the provision raised to the whole principal and used, the unpaid interest reversed. */
export function writeOffStep(loanId: string): Step<Loan | null, boolean> {
  return {
    name: 'credit.write-off',
    maxEvents: 4,
    async claim(tx) {
      const loan = await readLoan(tx, loanId);
      if (!loan) throw new CreditError('loan_not_found', 'no such loan');
      if (!isLive(loan.state.status)) return null;
      const closed: LoanState = {
        ...loan.state,
        status: 'written_off',
        outstandingPrincipal: 0n,
        overduePrincipal: 0n,
        accruedInterest: 0n,
        overdueInterest: 0n,
        penaltyInterest: 0n,
        interestCarry: 0n,
        penaltyCarry: 0n,
        provision: 0n,
      };
      await writeLoanState(tx, loanId, closed, { repaidPrincipal: loan.repaidPrincipal, writtenOffPrincipal: loan.state.outstandingPrincipal });
      return loan;
    },
    plan: (loan) =>
      loan
        ? moveEvents(
            [
              provisionMove(derivedId('crd_wop', loanId), loan.state.outstandingPrincipal - loan.state.provision),
              {
                id: derivedId('crd_wo', loanId),
                debit: account('provision_allowance'),
                credit: account('receivable'),
                amount: loan.state.outstandingPrincipal,
                code: TransferCode.loanWriteOff,
              },
              {
                id: derivedId('crd_woi', loanId),
                debit: account('income'),
                credit: account('interest'),
                amount: loan.state.accruedInterest + loan.state.penaltyInterest,
                code: TransferCode.interestWriteOff,
              },
            ],
            loanId,
            true,
          )
        : [],
    async record(_tx, loan, outcomes) {
      if (loan) mustApply('credit.write-off', outcomes);
      return loan !== null;
    },
  };
}
