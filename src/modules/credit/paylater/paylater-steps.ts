// Pay later's money moves as steps: a purchase drawn on the line (funding to the wallet, then the
// receivable), a day's interest on a statement, the instalment fee, and a repayment (charges first,
// then principal), each committed with its rows.
import type { SqlExecutor } from '../../../store/sql.ts';
import { creditAccountId, derivedId, TransferCode, walletAccountId } from '../../books/chart.ts';
import { moveEvents } from '../../books/moves.ts';
import { PLATFORM_CURRENCY } from '../../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../../books/step-runner.ts';
import { CreditError } from '../credit-errors.ts';
import { dueDate, instalmentPlan, SUSPEND_AFTER_DAYS, statementDate, statementMonthOf } from './paylater-math.ts';
import { daysOverdue, owedOn, planToText, type Statement, type StatementRow, serviceStatementDay, statementFromRow } from './paylater-statement.ts';

const account = (purpose: 'funding' | 'receivable' | 'interest' | 'income') => creditAccountId(purpose, PLATFORM_CURRENCY.code);

export async function statementsOf(tx: SqlExecutor, userId: string): Promise<Statement[]> {
  return (await tx.all<StatementRow>('SELECT * FROM paylater_statements WHERE user_id = ? ORDER BY month', [userId])).map(statementFromRow);
}

export async function readStatement(tx: SqlExecutor, userId: string, month: string): Promise<Statement | undefined> {
  const row = await tx.get<StatementRow>('SELECT * FROM paylater_statements WHERE user_id = ? AND month = ?', [userId, month]);
  return row ? statementFromRow(row) : undefined;
}

async function writeStatement(tx: SqlExecutor, s: Statement): Promise<void> {
  await tx.run(
    'UPDATE paylater_statements SET paid_principal = ?, paid_charges = ?, interest = ?, interest_carry = ?, fee = ?, plan = ?, serviced_through = ? WHERE user_id = ? AND month = ?',
    [s.paidPrincipal, s.paidCharges, s.interest, s.interestCarry, s.fee, s.plan.length === 0 ? '' : planToText(s.plan), s.servicedThrough, s.userId, s.month],
  );
}

/** Suspended once any statement is more than 7 days overdue. */
export function isSuspended(statements: readonly Statement[], today: string): boolean {
  return statements.some((s) => daysOverdue(s, today) > SUSPEND_AFTER_DAYS);
}

export function usedOf(statements: readonly Statement[]): bigint {
  return statements.reduce((sum, s) => sum + owedOn(s).principal, 0n);
}

/** Marketplace purchases drawn on the line and not billed yet: the buyer has not confirmed receipt. */
export async function unbilledOf(tx: SqlExecutor, userId: string): Promise<bigint> {
  const row = await tx.get<{ total: bigint | null }>("SELECT SUM(amount) AS total FROM paylater_purchases WHERE user_id = ? AND month = ''", [userId]);
  return BigInt(row?.total ?? 0n);
}

/** Adds `amount` to the buyer's statement of `month`, opening it if it is the first purchase on it. */
async function addToStatement(tx: SqlExecutor, userId: string, month: string, amount: bigint): Promise<void> {
  await tx.run(
    `INSERT INTO paylater_statements (user_id, month, total, paid_principal, paid_charges, interest, interest_carry, fee, plan, serviced_through)
     VALUES (?, ?, ?, 0, 0, 0, 0, 0, '', ?) ON CONFLICT (user_id, month) DO UPDATE SET total = paylater_statements.total + ?`,
    [userId, month, amount, dueDate(month), amount],
  );
}

/** Bills a purchase that waited for receipt on `month`'s statement; false if it was billed already. */
export async function billPurchase(tx: SqlExecutor, userId: string, requestId: string, month: string): Promise<boolean> {
  const purchase = await tx.get<{ amount: bigint }>("SELECT amount FROM paylater_purchases WHERE user_id = ? AND request_id = ? AND month = ''", [
    userId,
    requestId,
  ]);
  if (!purchase) return false;
  await tx.run("UPDATE paylater_purchases SET month = ? WHERE user_id = ? AND request_id = ? AND month = ''", [month, userId, requestId]);
  // A purchase refunds paid down in full owes nothing: no statement for it.
  if (BigInt(purchase.amount) > 0n) await addToStatement(tx, userId, month, BigInt(purchase.amount));
  return true;
}

export interface Purchase {
  readonly userId: string;
  readonly requestId: string;
  readonly tradeNo: string;
  readonly amount: bigint;
  readonly today: string;
  readonly nowMs: number;
  readonly limit: bigint;
  /** A marketplace (escrow) purchase: billed in the month after the buyer confirms receipt, not now. */
  readonly billOnReceipt: boolean;
}

/**
 * Draws a purchase on the line into the wallet, billed on next month's statement, or (`billOnReceipt`)
 * left unbilled, month '', until the buyer confirms receipt.
 */
export function purchaseStep(p: Purchase): Step<{ fresh: boolean; month: string }, { fresh: boolean; month: string }> {
  const month = p.billOnReceipt ? '' : statementMonthOf(p.today);
  return {
    name: 'paylater.purchase',
    maxEvents: 2,
    async claim(tx) {
      const inserted = await tx.run(
        'INSERT INTO paylater_purchases (user_id, request_id, trade_no, amount, month, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, request_id) DO NOTHING',
        [p.userId, p.requestId, p.tradeNo, p.amount, month, p.nowMs],
      );
      if (inserted.changes === 0) return { fresh: false, month };
      const statements = await statementsOf(tx, p.userId);
      if (isSuspended(statements, p.today)) throw new CreditError('paylater_suspended', 'pay later is suspended: a statement is more than 7 days overdue');
      // The purchase itself is already among the unbilled when it waits for receipt.
      const unbilled = (await unbilledOf(tx, p.userId)) + (p.billOnReceipt ? 0n : p.amount);
      if (usedOf(statements) + unbilled > p.limit) throw new CreditError('exceeds_line', 'the purchase is more than the pay-later line has available');
      if (!p.billOnReceipt) await addToStatement(tx, p.userId, month, p.amount);
      return { fresh: true, month };
    },
    plan: ({ fresh }) =>
      fresh
        ? moveEvents(
            [
              {
                id: derivedId('pl_out', p.userId, p.requestId),
                debit: account('funding'),
                credit: walletAccountId(p.userId),
                amount: p.amount,
                code: TransferCode.loanDisbursement,
              },
              {
                id: derivedId('pl_rcv', p.userId, p.requestId),
                debit: account('receivable'),
                credit: account('funding'),
                amount: p.amount,
                code: TransferCode.loanReceivableBooked,
              },
            ],
            `paylater:${p.userId}`,
          )
        : [],
    async record(_tx, claimed, outcomes) {
      const verdict = ledgerVerdict(outcomes);
      if (claimed.fresh && !verdict.applied) throw new Error(`paylater.purchase: the ledger refused (${verdict.result})`);
      return claimed;
    },
  };
}

/** A day of interest on a statement past its due date. */
export function statementDayStep(userId: string, month: string, date: string): Step<{ interest: bigint } | null, boolean> {
  return {
    name: 'paylater.statement-day',
    maxEvents: 1,
    async claim(tx) {
      const s = await readStatement(tx, userId, month);
      if (!s || s.servicedThrough >= date) return null;
      const { next, interest } = serviceStatementDay(s, date);
      await writeStatement(tx, next);
      return { interest };
    },
    plan: (claimed) =>
      claimed
        ? moveEvents(
            [
              {
                id: derivedId('pl_int', userId, month, date),
                debit: account('interest'),
                credit: account('income'),
                amount: claimed.interest,
                code: TransferCode.interestAccrual,
              },
            ],
            `paylater:${userId}`,
          )
        : [],
    async record(_tx, claimed, outcomes) {
      if (claimed && !ledgerVerdict(outcomes).applied) throw new Error('paylater.statement-day: the ledger refused');
      return claimed !== null;
    },
  };
}

/** Splits an issued statement's unpaid principal into monthly instalments; the fee is booked at once. */
export function instalmentStep(userId: string, month: string, months: number, today: string): Step<Statement, Statement> {
  return {
    name: 'paylater.instalments',
    maxEvents: 1,
    async claim(tx) {
      const s = await readStatement(tx, userId, month);
      if (!s || today < statementDate(month)) throw new CreditError('statement_not_found', 'no issued statement for that month');
      if (s.plan.length > 0) throw new CreditError('already_instalments', 'the statement is already in instalments');
      if (today > dueDate(month)) throw new CreditError('statement_past_due', 'instalments are chosen by the due date');
      const owed = owedOn(s).principal;
      if (owed === 0n) throw new CreditError('statement_paid', 'nothing is left to split');
      const { fee, plan } = instalmentPlan(owed, month, months);
      const next = { ...s, fee: s.fee + fee, plan };
      await writeStatement(tx, next);
      return next;
    },
    plan: (s) =>
      moveEvents(
        [{ id: derivedId('pl_fee', userId, month), debit: account('interest'), credit: account('income'), amount: s.fee, code: TransferCode.interestAccrual }],
        `paylater:${userId}`,
      ),
    async record(_tx, s, outcomes) {
      if (!ledgerVerdict(outcomes).applied) throw new Error('paylater.instalments: the ledger refused');
      return s;
    },
  };
}

export interface StatementRepayment {
  readonly verdict: LedgerVerdict;
  readonly charges: bigint;
  readonly principal: bigint;
}

/** A repayment of a statement from the wallet: interest and fee first, then principal. */
export function statementRepaymentStep(
  userId: string,
  month: string,
  amount: bigint,
  requestId: string,
  nowMs: number,
): Step<{ before: Statement; charges: bigint; principal: bigint; replay: boolean }, StatementRepayment> {
  return {
    name: 'paylater.repay',
    maxEvents: 2,
    async claim(tx) {
      const s = await readStatement(tx, userId, month);
      if (!s) throw new CreditError('statement_not_found', 'no statement for that month');
      const inserted = await tx.run(
        "INSERT INTO paylater_repayments (user_id, month, request_id, amount, status, created_at) VALUES (?, ?, ?, ?, 'applied', ?) ON CONFLICT (user_id, month, request_id) DO NOTHING",
        [userId, month, requestId, amount, nowMs],
      );
      if (inserted.changes === 0) return { before: s, charges: 0n, principal: 0n, replay: true };
      const owed = owedOn(s);
      const charges = owed.charges > 0n ? (amount < owed.charges ? amount : owed.charges) : 0n;
      const principal = amount - charges;
      if (principal > owed.principal)
        throw new CreditError('repayment_exceeds_owed', 'the repayment is more than the statement owes', { owed: (owed.charges + owed.principal).toString() });
      await writeStatement(tx, { ...s, paidCharges: s.paidCharges + charges, paidPrincipal: s.paidPrincipal + principal });
      return { before: s, charges, principal, replay: false };
    },
    plan: (c) =>
      c.replay
        ? []
        : moveEvents(
            [
              {
                id: derivedId('pl_rpc', userId, month, requestId),
                debit: walletAccountId(userId),
                credit: account('interest'),
                amount: c.charges,
                code: TransferCode.loanInterestRepayment,
              },
              {
                id: derivedId('pl_rpp', userId, month, requestId),
                debit: walletAccountId(userId),
                credit: account('receivable'),
                amount: c.principal,
                code: TransferCode.loanPrincipalRepayment,
              },
            ],
            `paylater:${userId}`,
          ),
    async record(tx, c, outcomes) {
      if (c.replay) {
        const stored = await tx.get<{ status: string }>('SELECT status FROM paylater_repayments WHERE user_id = ? AND month = ? AND request_id = ?', [
          userId,
          month,
          requestId,
        ]);
        const verdict: LedgerVerdict =
          stored?.status === 'applied' ? { applied: true } : { applied: false, reason: 'insufficient_funds', result: 'exceeds_credits' };
        return { verdict, charges: 0n, principal: 0n };
      }
      const verdict = ledgerVerdict(outcomes);
      if (!verdict.applied) {
        await writeStatement(tx, c.before);
        await tx.run("UPDATE paylater_repayments SET status = 'refused' WHERE user_id = ? AND month = ? AND request_id = ?", [userId, month, requestId]);
      }
      return { verdict, charges: c.charges, principal: c.principal };
    },
  };
}
