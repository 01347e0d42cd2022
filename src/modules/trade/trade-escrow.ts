// The escrow's middle: the seller ships, which starts the buyer's confirm timer (by logistics); the
// buyer confirms, which settles to the seller, or extends the timer once. An open dispute pauses
// the timer, keeping what was left of it instead of a due time. A seller who never ships does not
// hold the buyer's money forever: past the ship-by policy the buyer may cancel for a full refund.
import { TradeError } from './trade-errors.ts';
import type { TradeRefunds } from './trade-refunds.ts';
import type { SqlParam } from '../../store/sql.ts';
import { statusError, type TradeCore } from './trade-core.ts';
import type { TradeDisputes } from './trade-disputes.ts';
import { BUYER_MAY_CANCEL_UNSHIPPED_MS, CONFIRM_EXTENSION_MS, confirmTimeoutMs, type LogisticsType } from './trade-timeouts.ts';
import { type Trade, type TradeRef, toTrade } from './trade-types.ts';

/** The request id of the refund a ship-by timeout makes (by the buyer or by itself): one per trade. */
export const UNSHIPPED_REFUND_REQUEST = 'UNSHIPPED_REFUND';

export class TradeEscrow {
  constructor(
    private readonly core: TradeCore,
    private readonly disputes: TradeDisputes,
    private readonly refunds: TradeRefunds,
  ) {}

  /** The buyer cancels an escrow trade the seller has not shipped in time: everything is refunded. */
  async cancelUnshipped(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.core.buyerLocked(buyerUserId, tradeNo, async (row) => {
      if (row.status !== 'WAIT_SELLER_SEND_GOODS') throw statusError(row, 'only a paid escrow trade not shipped yet can be cancelled');
      const mayCancelAt = Number(row.paid_at) + BUYER_MAY_CANCEL_UNSHIPPED_MS;
      if (this.core.clock.now() < mayCancelAt) {
        throw new TradeError('TRADE_STATUS_ERROR', `the seller has until ${new Date(mayCancelAt).toISOString()} to ship`, {
          may_cancel_at: String(mayCancelAt),
        });
      }
      await this.refunds.refundRest(row, UNSHIPPED_REFUND_REQUEST, 'not shipped in time: cancelled by the buyer');
      return toTrade(await this.core.reload(tradeNo));
    });
  }

  async ship(merchantId: string, ref: TradeRef, input: { logisticsType: LogisticsType; waybillNo?: string }): Promise<Trade> {
    return this.core.merchantLocked(merchantId, ref, async (row) => {
      if (row.product_code !== 'ESCROW_TRADE_PAY') throw statusError(row, 'only escrow trades are shipped');
      // The same shipment sent again answers as before; any other is a second shipment, refused.
      const same = row.logistics_type === input.logisticsType && (row.waybill_no ?? undefined) === input.waybillNo;
      if (row.status === 'WAIT_BUYER_CONFIRM_GOODS' && same) return toTrade(row);
      if (row.status !== 'WAIT_SELLER_SEND_GOODS') throw statusError(row, 'the trade is not waiting for shipment');
      const now = this.core.clock.now();
      const timeout = BigInt(confirmTimeoutMs(input.logisticsType));
      const paused = await this.disputes.isOpen(row.trade_no);
      const set = {
        shipped_at: BigInt(now),
        logistics_type: input.logisticsType,
        waybill_no: input.waybillNo ?? null,
        confirm_due_at: paused ? null : BigInt(now) + timeout,
        confirm_left_ms: paused ? timeout : null,
      };
      return this.core.commitOrRetry(row, { event: 'ship', set });
    });
  }

  /** The buyer has the goods: the escrow settles to the seller. Confirming again answers again. */
  async confirm(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.core.buyerLocked(buyerUserId, tradeNo, async (row) => {
      if (row.product_code === 'ESCROW_TRADE_PAY' && row.settled_at !== null && row.status !== 'TRADE_CLOSED') return toTrade(row);
      if (row.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(row, 'only a shipped escrow trade can be confirmed');
      if (await this.disputes.isOpen(tradeNo)) throw statusError(row, 'the trade has an open dispute');
      return this.core.settle(row);
    });
  }

  /** Extends the confirm timer once by CONFIRM_EXTENSION_MS. */
  async extend(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.core.buyerLocked(buyerUserId, tradeNo, async (row) => {
      if (row.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(row, 'only a shipped escrow trade can be extended');
      if (BigInt(row.extended) === 1n) throw statusError(row, 'the confirm timeout was already extended once');
      const ext = BigInt(CONFIRM_EXTENSION_MS);
      const set: Record<string, SqlParam> =
        row.confirm_due_at === null
          ? { extended: 1n, confirm_left_ms: BigInt(row.confirm_left_ms ?? 0n) + ext }
          : { extended: 1n, confirm_due_at: BigInt(row.confirm_due_at) + ext };
      return this.core.commitOrRetry(row, { set });
    });
  }
}
