// The trade module's shapes: the public ones (re-exported by trade.ts, the seam the merchant API
// codes against) and TradeRecord, a trade's whole state as the store maps it from its row, which
// commands and plans decide on. Money is bigint minor units; times epoch ms.
import type { TradeStatus } from './trade-states.ts';

export type { TradeStatus } from './trade-states.ts';

export type ProductCode = 'FAST_INSTANT_TRADE_PAY' | 'ESCROW_TRADE_PAY';
export type LogisticsType = 'EXPRESS' | 'POST' | 'VIRTUAL' | 'NONE';

export interface MerchantInfo {
  merchantId: string;
  feeBps: number;
  notifyUrl?: string;
  settlementAccountId: string;
  /** Sent as app_id in notifications when known. */
  appId?: string;
}

export interface MerchantLookup {
  merchant(merchantId: string): Promise<MerchantInfo | undefined>;
}

/**
 * How a notification is worded, signed and encoded when it is sent: the merchant protocol's form
 * body (merchant/notification-wire.ts, given by app.ts). Trade stores neutral events and never
 * formats a protocol field itself.
 */
export type NotificationEncoder = (n: NotificationRecord) => string;

/** One of the two: Formica's trade number or the merchant's own. */
export interface TradeRef {
  tradeNo?: string;
  outTradeNo?: string;
}

export interface Trade {
  tradeNo: string;
  merchantId: string;
  outTradeNo: string;
  subject: string;
  body: string;
  totalAmountMinor: bigint;
  currency: 'CNY';
  productCode: ProductCode;
  status: TradeStatus;
  buyerUserId?: string;
  /** The buyer's phone, masked (139****1234). */
  buyerLogonId?: string;
  paidAtMs?: number;
  closedAtMs?: number;
  refundedMinor: bigint;
  /** What the platform charged the merchant so far, net of fees given back. */
  feeMinor: bigint;
  notifyUrl?: string;
  createdAtMs: number;
  /** When it closes unless paid. */
  timeoutAtMs: number;
  shippedAtMs?: number;
  logisticsType?: LogisticsType;
  waybillNo?: string;
  /** When it settles by itself; absent while paused (open dispute) or not shipped. */
  confirmDueAtMs?: number;
  extended: boolean;
  settledAtMs?: number;
  /** What reached the seller when the trade settled (refunds before settlement never did). */
  settledAmountMinor: bigint;
  finishDueAtMs?: number;
  /** Where the payment came from, once paid: the wallet balance or a bound card. */
  fundingSource?: FundingSource;
  /** The merchant's own text, given back in notifications. */
  passbackParams?: string;
  /** An in-store payment waiting for its buyer to confirm it with the payment PIN (the API's 10003). */
  awaitingBuyer: boolean;
}

export type FundingSource = 'wallet' | 'card';

export interface Refund {
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  refundAmountMinor: bigint;
  /** 'Y' when this call moved money, 'N' on a replay. */
  fundChange: 'Y' | 'N';
  refundedTotalMinor: bigint;
  gmtRefundMs: number;
}

export type DisputeStatus = 'open' | 'answered' | 'refunded' | 'released';

export interface Dispute {
  tradeNo: string;
  buyerUserId: string;
  merchantId: string;
  reason: string;
  answer?: string;
  status: DisputeStatus;
  operatorNote?: string;
  createdAtMs: number;
  decidedAtMs?: number;
}

/** A refund that reached the buyer, as other modules are told of it (a refund part's claim). */
export interface RefundMade {
  readonly tradeNo: string;
  readonly buyerUserId: string;
  readonly outRequestNo: string;
  readonly refundMinor: bigint;
}

/** The merchant console's filter of its trades. */
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

/** One trade as its merchant follows it: what happened and when, its refunds, its dispute, every notification. */
export interface TradeTimeline {
  readonly trade: Trade;
  readonly events: TimelineEvent[];
  readonly refunds: RefundEntry[];
  readonly dispute?: Dispute;
  readonly notifications: NotificationRecord[];
}

/** A trade's whole state, typed: the public Trade plus what the platform keeps to itself. */
export interface TradeRecord {
  readonly tradeNo: string;
  readonly merchantId: string;
  readonly outTradeNo: string;
  readonly subject: string;
  readonly body: string;
  readonly totalMinor: bigint;
  readonly productCode: ProductCode;
  readonly status: TradeStatus;
  readonly feeBps: bigint;
  readonly settlementAccountId: string;
  readonly notifyUrl?: string;
  readonly appId?: string;
  readonly timeoutAtMs: number;
  readonly createdAtMs: number;
  readonly buyerUserId?: string;
  readonly buyerLogonId?: string;
  readonly payRequestId?: string;
  readonly paidAtMs?: number;
  readonly closedAtMs?: number;
  readonly shippedAtMs?: number;
  readonly logisticsType?: LogisticsType;
  readonly waybillNo?: string;
  readonly confirmDueAtMs?: number;
  /** What was left of the confirm timer when a dispute paused it. */
  readonly confirmLeftMs?: number;
  readonly extended: boolean;
  readonly settledAtMs?: number;
  readonly finishDueAtMs?: number;
  /** Held in escrow, settled to the seller (net of refunds), and what reached the seller at settlement. */
  readonly heldMinor: bigint;
  readonly settledMinor: bigint;
  readonly settledAmountMinor: bigint;
  readonly feeMinor: bigint;
  readonly refundedMinor: bigint;
  /** The pending transfer that holds the escrow. */
  readonly holdId?: string;
  /** The step claimed and not yet recorded (as stored: the JSON of its Op), and when it was claimed. */
  readonly pendingOp?: string;
  readonly opAtMs?: number;
  readonly fundingSource?: FundingSource;
  readonly fundingCardId?: string;
  readonly passbackParams?: string;
  /** An in-store payment above the PIN threshold waits for this buyer. */
  readonly awaitingBuyerId?: string;
}

/** A refund as recorded: claimed with its step, then done or failed by the ledger's answer. */
export interface RefundRecord {
  readonly tradeNo: string;
  readonly outRequestNo: string;
  readonly refundMinor: bigint;
  readonly status: 'claimed' | 'done' | 'failed';
  readonly reason: string;
  readonly refundedTotalMinor: bigint;
  readonly gmtRefundMs?: number;
  readonly createdAtMs: number;
  /** A refund of a card-paid trade is owed back to this card. */
  readonly payoutCardId?: string;
}

/**
 * What a notification reports, in trade's own terms: the trade as it stood when it reached
 * `status` at `atMs`. Money in minor units, times in epoch ms; the merchant module words it.
 */
export interface NotificationEvent {
  readonly atMs: number;
  readonly tradeNo: string;
  readonly outTradeNo: string;
  readonly merchantId: string;
  readonly appId?: string;
  readonly status: TradeStatus;
  readonly subject: string;
  readonly body: string;
  readonly currency: 'CNY';
  readonly totalMinor: bigint;
  /** What the buyer paid, once paid. */
  readonly paidMinor?: bigint;
  readonly refundedMinor: bigint;
  readonly buyerUserId?: string;
  readonly buyerLogonId?: string;
  readonly passbackParams?: string;
  readonly createdAtMs: number;
  readonly paidAtMs?: number;
  readonly closedAtMs?: number;
  /** When the refund this notification reports was made, if it reports one. */
  readonly refundAtMs?: number;
}

/**
 * What a queued notification holds: a neutral event, or (queued before events were neutral) the
 * wire fields as they were worded then, sent as they are.
 */
export type NotificationContent =
  | { readonly kind: 'event'; readonly event: NotificationEvent }
  | { readonly kind: 'worded'; readonly fields: Readonly<Record<string, string>> };

/** The notifications the outbox keeps (trade_status_sync), as merchants and the console see them. */
export interface NotificationRecord {
  notifyId: string;
  tradeNo: string;
  notifyUrl: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string;
  /** When a pending notification is next sent (epoch ms). */
  nextAtMs: number;
  content: NotificationContent;
}

/** The event a change of `t` reports at `atMs` (`refundAtMs`: the refund it reports). */
export function notificationEvent(t: TradeRecord, atMs: number, refundAtMs?: number): NotificationEvent {
  return {
    atMs,
    tradeNo: t.tradeNo,
    outTradeNo: t.outTradeNo,
    merchantId: t.merchantId,
    appId: t.appId,
    status: t.status,
    subject: t.subject,
    body: t.body,
    currency: 'CNY',
    totalMinor: t.totalMinor,
    paidMinor: t.paidAtMs === undefined ? undefined : t.totalMinor,
    refundedMinor: t.refundedMinor,
    buyerUserId: t.buyerUserId,
    buyerLogonId: t.buyerLogonId,
    passbackParams: t.passbackParams,
    createdAtMs: t.createdAtMs,
    paidAtMs: t.paidAtMs,
    closedAtMs: t.closedAtMs,
    refundAtMs,
  };
}

/** The public face of a trade's state. */
export function toTrade(r: TradeRecord): Trade {
  return {
    tradeNo: r.tradeNo,
    merchantId: r.merchantId,
    outTradeNo: r.outTradeNo,
    subject: r.subject,
    body: r.body,
    totalAmountMinor: r.totalMinor,
    currency: 'CNY',
    productCode: r.productCode,
    status: r.status,
    buyerUserId: r.buyerUserId,
    buyerLogonId: r.buyerLogonId,
    paidAtMs: r.paidAtMs,
    closedAtMs: r.closedAtMs,
    refundedMinor: r.refundedMinor,
    feeMinor: r.feeMinor,
    notifyUrl: r.notifyUrl,
    createdAtMs: r.createdAtMs,
    timeoutAtMs: r.timeoutAtMs,
    shippedAtMs: r.shippedAtMs,
    logisticsType: r.logisticsType,
    waybillNo: r.waybillNo,
    confirmDueAtMs: r.confirmDueAtMs,
    extended: r.extended,
    settledAtMs: r.settledAtMs,
    settledAmountMinor: r.settledAmountMinor,
    finishDueAtMs: r.finishDueAtMs,
    fundingSource: r.paidAtMs === undefined ? undefined : (r.fundingSource ?? 'wallet'),
    passbackParams: r.passbackParams,
    awaitingBuyer: r.status === 'WAIT_BUYER_PAY' && r.awaitingBuyerId !== undefined,
  };
}

/** A refund as its merchant is answered; fundChange 'Y' when this call moved the money. */
export function toRefund(trade: TradeRecord, r: RefundRecord, fundChange: 'Y' | 'N'): Refund {
  return {
    tradeNo: trade.tradeNo,
    outTradeNo: trade.outTradeNo,
    outRequestNo: r.outRequestNo,
    refundAmountMinor: r.refundMinor,
    fundChange,
    refundedTotalMinor: r.refundedTotalMinor,
    gmtRefundMs: r.gmtRefundMs ?? 0,
  };
}

/** 13912345678 -> 139****5678: enough for the merchant to recognise, not to contact. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** The trade's moments, oldest first, from what its record, its refunds and its dispute say. */
export function timelineEvents(trade: Trade, refunds: RefundEntry[], dispute: Dispute | undefined): TimelineEvent[] {
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
