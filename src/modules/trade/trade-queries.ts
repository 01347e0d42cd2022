// Reading trades: one trade for its merchant or its buyer, a merchant's activity for the daily
// bill, and a buyer's paid trades. Reads take no turn: they answer the trade as last recorded.
import type { SqlParam } from '../../store/sql.ts';
import type { TradeCore } from './trade-core.ts';
import { type TradeRefunds, toRefund } from './trade-refunds.ts';
import { type Refund, type Trade, type TradeRef, type TradeRow, toTrade } from './trade-types.ts';

const MAX_PAGE = 100;

export class TradeQueries {
  constructor(
    private readonly core: TradeCore,
    private readonly refunds: TradeRefunds,
  ) {}

  async query(merchantId: string, ref: TradeRef): Promise<Trade> {
    return toTrade(await this.core.find(merchantId, ref));
  }

  async getForBuyer(tradeNo: string): Promise<Trade> {
    return toTrade(await this.core.reload(tradeNo));
  }

  /** How many of a buyer's or a seller's paid trades were refunded (returned): what return-shipping insurance is priced from. */
  async returnHistory(party: { buyerUserId: string } | { merchantId: string }): Promise<{ paid: number; returned: number }> {
    const [column, id] = 'buyerUserId' in party ? ['buyer_user_id', party.buyerUserId] : ['merchant_id', party.merchantId];
    const row = await this.core.db.get<{ paid: bigint; returned: bigint | null }>(
      `SELECT COUNT(*) AS paid, SUM(CASE WHEN refunded_minor > 0 THEN 1 ELSE 0 END) AS returned FROM trades WHERE ${column} = ? AND paid_at IS NOT NULL`,
      [id],
    );
    return { paid: Number(row?.paid ?? 0n), returned: Number(row?.returned ?? 0n) };
  }

  /** A merchant's trades and refunds touched in [fromMs, toMs), for the daily bill; the trades
   *  include every trade a listed refund belongs to. */
  async activity(merchantId: string, fromMs: number, toMs: number): Promise<{ trades: Trade[]; refunds: Refund[] }> {
    const [from, to] = [BigInt(fromMs), BigInt(toMs)];
    const rows = await this.core.db.all<TradeRow>(
      `SELECT * FROM trades WHERE merchant_id = ? AND ((created_at >= ? AND created_at < ?) OR (paid_at >= ? AND paid_at < ?)
         OR (settled_at >= ? AND settled_at < ?) OR (closed_at >= ? AND closed_at < ?))
       ORDER BY created_at, trade_no`,
      [merchantId, from, to, from, to, from, to, from, to],
    );
    const refunds = await this.refunds.doneBetween(merchantId, from, to);
    const byNo = new Map(rows.map((r) => [r.trade_no, r]));
    const refundList: Refund[] = [];
    for (const r of refunds) {
      let trade = byNo.get(r.trade_no);
      if (!trade) {
        trade = await this.core.reload(r.trade_no);
        byNo.set(r.trade_no, trade);
      }
      refundList.push(toRefund(trade, r, 'Y'));
    }
    return { trades: [...byNo.values()].map(toTrade), refunds: refundList };
  }

  /** The buyer's trades, newest first, paged by trade number. */
  async listForBuyer(buyerUserId: string, page: { limit: number; after?: string }): Promise<{ trades: Trade[]; next: string | null }> {
    const limit = Math.min(Math.max(1, Math.trunc(page.limit)), MAX_PAGE);
    const params: SqlParam[] = [buyerUserId];
    let where = 'buyer_user_id = ? AND paid_at IS NOT NULL';
    if (page.after) {
      where += ' AND trade_no < ?';
      params.push(page.after);
    }
    const rows = await this.core.db.all<TradeRow>(`SELECT * FROM trades WHERE ${where} ORDER BY trade_no DESC LIMIT ?`, [...params, limit + 1]);
    const more = rows.length > limit;
    const trades = rows.slice(0, limit).map(toTrade);
    return { trades, next: more ? trades[trades.length - 1].tradeNo : null };
  }
}
