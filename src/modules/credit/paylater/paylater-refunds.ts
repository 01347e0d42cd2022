// A refund of a trade paid with pay later pays down what the buyer still owes for that purchase
// before anything reaches the wallet (decision 30): its unbilled amount, or its part of the
// statement it was billed on that is still unpaid. Only what is beyond that (the buyer already repaid
// it) stays in the wallet the refund went to. One step per refund, keyed by the refund's request id:
// the purchase and statement rows change in the same commit as the wallet-to-receivable transfer.
import type { SqlExecutor } from '../../../store/sql.ts';
import type { RefundMade } from '../../trade/trade.ts';
import { creditAccountId, derivedId, TransferCode, walletAccountId } from '../../books/chart.ts';
import { moveEvents } from '../../books/moves.ts';
import { PLATFORM_CURRENCY } from '../../books/platform-currency.ts';
import { ledgerVerdict, type Step } from '../../books/step-runner.ts';
import type { PlanInstalment } from './paylater-math.ts';
import { owedOn, planToText, type Statement } from './paylater-statement.ts';
import { readStatement } from './paylater-steps.ts';

/** A refund the trade service made to the buyer's wallet. */
export type TradeRefund = RefundMade;

interface PurchaseRow extends Record<string, unknown> {
  request_id: string;
  amount: bigint;
  month: string;
}

/** What the refund paid down: on the purchase's statement (`month`) or, with month '', while unbilled. */
interface Paydown {
  readonly requestId: string;
  readonly month: string;
  readonly amount: bigint;
  /** The statement before, to restore if the wallet no longer holds the refund. */
  readonly statement?: Statement;
}

export interface RefundPaydownEnd {
  /** Paid down on the line; the rest of the refund stays in the wallet. */
  readonly paidDown: bigint;
  readonly month: string;
}

const minOf = (a: bigint, b: bigint) => (a < b ? a : b);

/** The plan less `amount` of principal, taken from the last instalment backwards: what is left is due as planned. */
export function trimPlan(plan: readonly PlanInstalment[], amount: bigint): PlanInstalment[] {
  let left = amount;
  const trimmed = [...plan];
  for (let k = trimmed.length - 1; k >= 0 && left > 0n; k--) {
    const cut = minOf(trimmed[k].principal, left);
    trimmed[k] = { ...trimmed[k], principal: trimmed[k].principal - cut };
    left -= cut;
  }
  return trimmed;
}

/** Lowers a statement's total by `amount` (relative: other steps of the same write group may have changed it) with its plan as given. */
async function lowerBilled(tx: SqlExecutor, s: Statement, amount: bigint, plan: readonly PlanInstalment[]): Promise<void> {
  await tx.run('UPDATE paylater_statements SET total = total - ?, plan = ? WHERE user_id = ? AND month = ?', [
    amount,
    plan.length === 0 ? '' : planToText(plan),
    s.userId,
    s.month,
  ]);
}

/** A purchase's amount is what it still draws on the line: less what refunds paid down. */
async function addToPurchase(tx: SqlExecutor, userId: string, requestId: string, amount: bigint): Promise<void> {
  await tx.run('UPDATE paylater_purchases SET amount = amount + ? WHERE user_id = ? AND request_id = ?', [amount, userId, requestId]);
}

/** Claims the paydown: lowers the purchase (and its statement's total and plan) by what the refund pays down. */
async function claimPaydown(tx: SqlExecutor, r: TradeRefund, purchase: PurchaseRow): Promise<Paydown> {
  const amount = BigInt(purchase.amount);
  const statement = purchase.month === '' ? undefined : await readStatement(tx, r.buyerUserId, purchase.month);
  const owed = statement ? minOf(amount, owedOn(statement).principal) : amount;
  const paid = minOf(r.refundMinor, owed);
  if (paid > 0n) {
    await addToPurchase(tx, r.buyerUserId, purchase.request_id, -paid);
    if (statement) await lowerBilled(tx, statement, paid, trimPlan(statement.plan, paid));
  }
  return { requestId: purchase.request_id, month: purchase.month, amount: paid, statement };
}

/**
 * Pays down the purchase a refunded trade was paid with, from the wallet the refund reached; null
 * when the trade was not paid with pay later. A replay of the refund's request id pays nothing again.
 */
export function refundPaydownStep(r: TradeRefund, nowMs: number): Step<Paydown | null, RefundPaydownEnd | null> {
  const key = [r.buyerUserId, r.tradeNo, r.outRequestNo] as const;
  return {
    name: 'paylater.refund',
    maxEvents: 1,
    async claim(tx) {
      const purchase = await tx.get<PurchaseRow>(
        'SELECT request_id, amount, month FROM paylater_purchases WHERE user_id = ? AND trade_no = ? ORDER BY created_at LIMIT 1',
        [r.buyerUserId, r.tradeNo],
      );
      if (!purchase) return null;
      const inserted = await tx.run(
        `INSERT INTO paylater_refunds (user_id, trade_no, out_request_no, refund, paid_down, month, status, created_at)
         VALUES (?, ?, ?, ?, 0, '', 'claimed', ?) ON CONFLICT (user_id, trade_no, out_request_no) DO NOTHING`,
        [...key, r.refundMinor, nowMs],
      );
      if (inserted.changes === 0) return null;
      return claimPaydown(tx, r, purchase);
    },
    plan: (p) =>
      p
        ? moveEvents(
            [
              {
                id: derivedId('pl_rfd', ...key),
                debit: walletAccountId(r.buyerUserId),
                credit: creditAccountId('receivable', PLATFORM_CURRENCY.code),
                amount: p.amount,
                code: TransferCode.loanPrincipalRepayment,
              },
            ],
            `paylater:${r.buyerUserId}`,
          )
        : [],
    async record(tx, p, outcomes) {
      if (!p) return storedPaydown(tx, key);
      // The buyer spent the refund before it could pay the line down: the purchase stays owed, as before.
      const applied = ledgerVerdict(outcomes).applied;
      if (!applied && p.amount > 0n) {
        await addToPurchase(tx, r.buyerUserId, p.requestId, p.amount);
        if (p.statement) await lowerBilled(tx, p.statement, -p.amount, p.statement.plan);
      }
      const end = { paidDown: applied ? p.amount : 0n, month: p.month };
      await tx.run('UPDATE paylater_refunds SET paid_down = ?, month = ?, status = ? WHERE user_id = ? AND trade_no = ? AND out_request_no = ?', [
        end.paidDown,
        end.month,
        applied ? 'applied' : 'refused',
        ...key,
      ]);
      return end;
    },
  };
}

/** A replay's answer: what the first run paid down (null when the trade was not paid with pay later). */
async function storedPaydown(tx: SqlExecutor, key: readonly [string, string, string]): Promise<RefundPaydownEnd | null> {
  const row = await tx.get<{ paid_down: bigint; month: string }>(
    'SELECT paid_down, month FROM paylater_refunds WHERE user_id = ? AND trade_no = ? AND out_request_no = ?',
    key,
  );
  return row ? { paidDown: BigInt(row.paid_down), month: row.month } : null;
}
