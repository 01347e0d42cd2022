// Refunds: idempotent on (trade, out_request_no). The claim records the refund and counts it on the
// trade in one transaction, with a check that refunds never add up past the total; the ledger step
// then moves the money (from the hold, or back from the seller with its share of the fee), and a
// card-paid trade's refund is paid out to the card after.
import type { CardFundings } from './trade-card-funding.ts';
import { busy, statusError, type TradeCore } from './trade-core.ts';
import { TradeError } from './trade-errors.ts';
import { nextStatus, type TradeStatus } from './trade-states.ts';
import type { Refund, TradeRef, TradeRow } from './trade-types.ts';

export interface RefundRow extends Record<string, unknown> {
  trade_no: string;
  out_request_no: string;
  refund_minor: bigint;
  status: string;
  refunded_total_minor: bigint;
  gmt_refund: bigint | null;
  payout_card_id: string | null;
  reason: string;
  created_at: bigint;
}

export class TradeRefunds {
  constructor(
    private readonly core: TradeCore,
    private readonly fundings: CardFundings,
  ) {}

  async refund(merchantId: string, ref: TradeRef, input: { refundAmountMinor: bigint; outRequestNo?: string; reason?: string }): Promise<Refund> {
    const found = await this.core.find(merchantId, ref);
    if (input.outRequestNo === undefined && input.refundAmountMinor !== BigInt(found.total_minor)) {
      throw new TradeError('REFUND_AMT_NOT_EQUAL_TOTAL', 'without out_request_no the refund must be the full amount');
    }
    return this.core.locked(found.trade_no, (row) =>
      this.refundLocked(row, input.outRequestNo ?? row.out_trade_no, input.refundAmountMinor, input.reason ?? ''),
    );
  }

  async refundQuery(merchantId: string, ref: TradeRef, outRequestNo: string): Promise<Refund | undefined> {
    const row = await this.core.find(merchantId, ref);
    const refund = await this.refundRow(row.trade_no, outRequestNo);
    return refund?.status === 'done' ? toRefund(row, refund, 'Y') : undefined;
  }

  /** Refunds whatever is not refunded yet (cancel, a dispute decided for the buyer). Under the trade's lock. */
  async refundRest(row: TradeRow, outRequestNo: string, reason: string): Promise<void> {
    const left = BigInt(row.total_minor) - BigInt(row.refunded_minor);
    if (left > 0n) await this.refundLocked(row, outRequestNo, left, reason);
  }

  /** A merchant's refunds done in [from, to), oldest first. */
  doneBetween(merchantId: string, from: bigint, to: bigint): Promise<RefundRow[]> {
    return this.core.db.all<RefundRow>(
      "SELECT * FROM trade_refunds WHERE merchant_id = ? AND status = 'done' AND gmt_refund >= ? AND gmt_refund < ? ORDER BY gmt_refund",
      [merchantId, from, to],
    );
  }

  /** Every refund of a trade, done or not, oldest first. */
  ofTrade(tradeNo: string): Promise<RefundRow[]> {
    return this.core.db.all<RefundRow>('SELECT * FROM trade_refunds WHERE trade_no = ? ORDER BY created_at, out_request_no', [tradeNo]);
  }

  private async refundLocked(row: TradeRow, outRequestNo: string, amount: bigint, reason: string): Promise<Refund> {
    const previous = await this.refundRow(row.trade_no, outRequestNo);
    if (previous) return replayRefund(row, previous, amount);
    if (amount <= 0n) throw new TradeError('INVALID_PARAMETER', 'refund_amount must be greater than zero');
    refundableOrThrow(row, this.core.clock.now());
    if (BigInt(row.refunded_minor) + amount > BigInt(row.total_minor)) throw exceeds();
    const after = await this.run(row, outRequestNo, amount, reason);
    if (!after) return replayRefund(row, (await this.refundRow(row.trade_no, outRequestNo))!, amount);
    const refund = (await this.refundRow(row.trade_no, outRequestNo))!;
    // Card money goes back to the card; if the payout cannot be made now, the timers make it later.
    if (refund.payout_card_id !== null)
      await this.fundings.payOut({ ...refund, payout_card_id: refund.payout_card_id }, after.buyer_user_id!).catch(() => undefined);
    return toRefund(after, refund, 'Y');
  }

  /** Records the refund and runs its step, in one commit; null when a concurrent twin recorded it first. */
  private run(row: TradeRow, outRequestNo: string, amount: bigint, reason: string): Promise<TradeRow | null> {
    const op = { kind: 'refund' as const, outRequestNo, amountMinor: amount.toString() };
    // The claim and the amount check are one statement: refunds can never add up past the total.
    const set = { refunded_minor: BigInt(row.refunded_minor) + amount };
    return this.core.steps.run(
      { ...row },
      op,
      set,
      async (tx) => {
        const inserted = await tx.run(
          `INSERT INTO trade_refunds (trade_no, out_request_no, merchant_id, out_trade_no, refund_minor, status, reason, created_at)
         VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?) ON CONFLICT (trade_no, out_request_no) DO NOTHING`,
          [row.trade_no, outRequestNo, row.merchant_id, row.out_trade_no, amount, reason, BigInt(this.core.clock.now())],
        );
        if (inserted.changes === 0) return false;
        await this.fundings.owePayout(tx, row.trade_no, outRequestNo, row.funding_source === 'card' ? row.funding_card_id : null);
        return true;
      },
      async (tx) => {
        const check = await tx.get<{ ok: bigint }>('SELECT COUNT(*) AS ok FROM trades WHERE trade_no = ? AND refunded_minor <= total_minor', [row.trade_no]);
        if (BigInt(check?.ok ?? 0) !== 1n) throw exceeds();
      },
    );
  }

  private refundRow(tradeNo: string, outRequestNo: string): Promise<RefundRow | undefined> {
    return this.core.db.get<RefundRow>('SELECT * FROM trade_refunds WHERE trade_no = ? AND out_request_no = ?', [tradeNo, outRequestNo]);
  }
}

export function toRefund(row: TradeRow, r: RefundRow, fundChange: 'Y' | 'N'): Refund {
  return {
    tradeNo: row.trade_no,
    outTradeNo: row.out_trade_no,
    outRequestNo: r.out_request_no,
    refundAmountMinor: BigInt(r.refund_minor),
    fundChange,
    refundedTotalMinor: BigInt(r.refunded_total_minor),
    gmtRefundMs: Number(r.gmt_refund ?? 0n),
  };
}

function refundableOrThrow(row: TradeRow, nowMs: number): void {
  const status = row.status as TradeStatus;
  if (status === 'WAIT_BUYER_PAY') throw statusError(row, 'the trade is not paid');
  if (status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
  const windowOver = status === 'TRADE_SUCCESS' && row.finish_due_at !== null && BigInt(row.finish_due_at) <= BigInt(nowMs);
  if (status === 'TRADE_FINISHED' || windowOver) throw new TradeError('TRADE_NOT_ALLOW_REFUND', 'the refund window is over');
  if (nextStatus(status, 'refund_partial') === undefined) throw statusError(row, 'the trade cannot be refunded now');
}

function replayRefund(row: TradeRow, refund: RefundRow, amount: bigint): Refund {
  if (BigInt(refund.refund_minor) !== amount)
    throw new TradeError('CONTEXT_INCONSISTENT', `out_request_no '${refund.out_request_no}' was used for another amount`);
  if (refund.status === 'failed') throw new TradeError('SELLER_BALANCE_NOT_ENOUGH', 'this refund was refused: the merchant balance was not enough');
  if (refund.status !== 'done') throw busy();
  return toRefund(row, refund, 'N');
}

const exceeds = () => new TradeError('REFUND_AMT_EXCEED', 'the refunds would exceed the amount paid');
