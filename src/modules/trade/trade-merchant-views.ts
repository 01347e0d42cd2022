// What a merchant's console reads of its trades: a filtered, paged list, and one trade's timeline
// (what happened to it and when, its refunds with their reasons, its dispute and every notification
// sent about it). Another merchant's trade is indistinguishable from a missing one.
import type { SqlParam } from '../../store/sql.ts';
import type { TradeCore } from './trade-core.ts';
import type { TradeDisputes } from './trade-disputes.ts';
import type { NotificationOutbox, NotificationRecord } from './trade-notifications.ts';
import type { TradeRefunds } from './trade-refunds.ts';
import { TRADE_STATUSES, type TradeStatus } from './trade-states.ts';
import { type Dispute, type Trade, type TradeRow, toTrade } from './trade-types.ts';

const MAX_PAGE = 100;

export interface MerchantTradeFilter {
  readonly status?: TradeStatus;
  /** Created in [fromMs, toMs). */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly outTradeNo?: string;
  readonly limit: number;
  /** The last trade number of the previous page. */
  readonly after?: string;
}

export interface TimelineEvent {
  readonly at: number;
  readonly kind: 'created' | 'paid' | 'shipped' | 'disputed' | 'dispute_decided' | 'settled' | 'refunded' | 'closed';
  readonly detail: string;
}

export interface RefundEntry {
  readonly outRequestNo: string;
  readonly amountMinor: bigint;
  readonly status: string;
  readonly reason: string;
  readonly createdAt: number;
  readonly gmtRefund?: number;
}

export interface TradeTimeline {
  readonly trade: Trade;
  readonly events: TimelineEvent[];
  readonly refunds: RefundEntry[];
  readonly dispute?: Dispute;
  readonly notifications: NotificationRecord[];
}

export class MerchantTradeViews {
  constructor(
    private readonly core: TradeCore,
    private readonly refunds: TradeRefunds,
    private readonly disputes: TradeDisputes,
    private readonly notifications: NotificationOutbox,
  ) {}

  /** The merchant's trades, newest first, paged by trade number (time-sortable). */
  async list(merchantId: string, filter: MerchantTradeFilter): Promise<{ trades: Trade[]; next: string | null }> {
    const limit = Math.min(Math.max(1, Math.trunc(filter.limit)), MAX_PAGE);
    const clauses = ['merchant_id = ?'];
    const params: SqlParam[] = [merchantId];
    const add = (clause: string, value: SqlParam | undefined) => {
      if (value === undefined) return;
      clauses.push(clause);
      params.push(value);
    };
    add('status = ?', filter.status);
    add('created_at >= ?', filter.fromMs === undefined ? undefined : BigInt(filter.fromMs));
    add('created_at < ?', filter.toMs === undefined ? undefined : BigInt(filter.toMs));
    add('out_trade_no = ?', filter.outTradeNo);
    add('trade_no < ?', filter.after);
    const rows = await this.core.db.all<TradeRow>(`SELECT * FROM trades WHERE ${clauses.join(' AND ')} ORDER BY trade_no DESC LIMIT ?`, [...params, limit + 1]);
    const trades = rows.slice(0, limit).map(toTrade);
    return { trades, next: rows.length > limit ? trades[trades.length - 1].tradeNo : null };
  }

  async timeline(merchantId: string, tradeNo: string): Promise<TradeTimeline> {
    const trade = toTrade(await this.core.find(merchantId, { tradeNo }));
    const refunds = (await this.refunds.ofTrade(tradeNo)).map((r) => ({
      outRequestNo: r.out_request_no,
      amountMinor: BigInt(r.refund_minor),
      status: r.status,
      reason: r.reason,
      createdAt: Number(r.created_at),
      gmtRefund: r.gmt_refund === null ? undefined : Number(r.gmt_refund),
    }));
    const dispute = await this.disputes.find(tradeNo);
    const notifications = await this.notifications.forTrade(tradeNo);
    return { trade, events: eventsOf(trade, refunds, dispute), refunds, dispute, notifications };
  }
}

export function isTradeStatus(value: string): value is TradeStatus {
  return (TRADE_STATUSES as readonly string[]).includes(value);
}

/** The trade's moments, oldest first, from what its row and its refunds and dispute record. */
function eventsOf(trade: Trade, refunds: RefundEntry[], dispute: Dispute | undefined): TimelineEvent[] {
  const events: (TimelineEvent | undefined)[] = [
    { at: trade.createdAtMs, kind: 'created', detail: trade.productCode },
    trade.paidAtMs === undefined ? undefined : { at: trade.paidAtMs, kind: 'paid', detail: trade.fundingSource ?? '' },
    trade.shippedAtMs === undefined
      ? undefined
      : { at: trade.shippedAtMs, kind: 'shipped', detail: [trade.logisticsType, trade.waybillNo].filter(Boolean).join(' ') },
    dispute && { at: dispute.createdAtMs, kind: 'disputed', detail: dispute.reason },
    dispute?.decidedAtMs === undefined ? undefined : { at: dispute.decidedAtMs, kind: 'dispute_decided', detail: dispute.status },
    trade.settledAtMs === undefined ? undefined : { at: trade.settledAtMs, kind: 'settled', detail: '' },
    ...refunds.filter((r) => r.gmtRefund !== undefined).map((r): TimelineEvent => ({ at: r.gmtRefund as number, kind: 'refunded', detail: r.outRequestNo })),
    trade.closedAtMs === undefined ? undefined : { at: trade.closedAtMs, kind: 'closed', detail: '' },
  ];
  return events.filter((e): e is TimelineEvent => e !== undefined).sort((a, b) => a.at - b.at);
}
