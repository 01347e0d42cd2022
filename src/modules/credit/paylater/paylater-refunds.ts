// A refund of a trade paid with pay later pays down what the buyer still owes for that purchase
// before anything reaches the wallet (decision 30): its unbilled amount, or its part of the
// statement it was billed on that is still unpaid. Only what is beyond that (the buyer already repaid
// it) stays in the wallet the refund went to. It is a part of the refund's own step (the trade
// module's RefundPart, added at the composition root): the purchase and statement rows change, and
// the wallet-to-receivable transfer is chained after the refund's, in the refund's one commit.
import type { SqlExecutor } from '../../../store/sql.ts';
import type { RefundMade, RefundPart } from '../../trade/trade.ts';
import { creditAccountId, derivedId, TransferCode, walletAccountId } from '../../books/chart.ts';
import { moveEvents } from '../../books/moves.ts';
import { PLATFORM_CURRENCY } from '../../books/platform-currency.ts';
import type { PlanInstalment } from './paylater-math.ts';
import { owedOn, planToText, type Statement } from './paylater-statement.ts';
import { readStatement } from './paylater-steps.ts';

/** A refund the trade service makes to the buyer's wallet. */
export type TradeRefund = RefundMade;

interface PurchaseRow extends Record<string, unknown> {
  request_id: string;
  amount: bigint;
  month: string;
}

/** What the refund pays down: on the purchase's statement (`month`) or, with month '', while unbilled. */
export interface Paydown {
  readonly refund: TradeRefund;
  readonly requestId: string;
  readonly month: string;
  readonly amount: bigint;
  /** The statement before, to restore if the refund is refused. */
  readonly statement?: Statement;
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
  return { refund: r, requestId: purchase.request_id, month: purchase.month, amount: paid, statement };
}

/** The key of a refund's paydown row. */
const keyOf = (r: TradeRefund) => [r.buyerUserId, r.tradeNo, r.outRequestNo] as const;

/**
 * Pay later's part of every refund's step: pays down the purchase the refunded trade was paid with,
 * from the wallet the refund reaches in the same chain; null (nothing) when the trade was not paid
 * with pay later. A refund's request id is paid down once (`paylater_refunds`).
 */
export const refundPaydownPart: RefundPart<Paydown | null> = {
  name: 'paylater.refund',
  maxEvents: 1,
  async claim(tx, r, nowMs) {
    const purchase = await tx.get<PurchaseRow>(
      'SELECT request_id, amount, month FROM paylater_purchases WHERE user_id = ? AND trade_no = ? ORDER BY created_at LIMIT 1',
      [r.buyerUserId, r.tradeNo],
    );
    if (!purchase) return null;
    const inserted = await tx.run(
      `INSERT INTO paylater_refunds (user_id, trade_no, out_request_no, refund, paid_down, month, status, created_at)
       VALUES (?, ?, ?, ?, 0, '', 'claimed', ?) ON CONFLICT (user_id, trade_no, out_request_no) DO NOTHING`,
      [...keyOf(r), r.refundMinor, nowMs],
    );
    if (inserted.changes === 0) return null;
    return claimPaydown(tx, r, purchase);
  },
  plan: (p) =>
    p
      ? moveEvents(
          [
            {
              id: derivedId('pl_rfd', ...keyOf(p.refund)),
              debit: walletAccountId(p.refund.buyerUserId),
              credit: creditAccountId('receivable', PLATFORM_CURRENCY.code),
              amount: p.amount,
              code: TransferCode.loanPrincipalRepayment,
            },
          ],
          `paylater:${p.refund.buyerUserId}`,
        )
      : [],
  async record(tx, p, applied) {
    if (!p) return;
    if (!applied) {
      // The refund itself was refused: nothing was paid down, and the purchase stays owed as it was.
      if (p.amount > 0n) {
        await addToPurchase(tx, p.refund.buyerUserId, p.requestId, p.amount);
        if (p.statement) await lowerBilled(tx, p.statement, -p.amount, p.statement.plan);
      }
      await tx.run('DELETE FROM paylater_refunds WHERE user_id = ? AND trade_no = ? AND out_request_no = ?', [...keyOf(p.refund)]);
      return;
    }
    await tx.run("UPDATE paylater_refunds SET paid_down = ?, month = ?, status = 'applied' WHERE user_id = ? AND trade_no = ? AND out_request_no = ?", [
      p.amount,
      p.month,
      ...keyOf(p.refund),
    ]);
  },
};
