// The trade module's public shapes (re-exported by trade.ts, the seam the merchant API codes
// against) and the mapping from its table rows. Money is bigint minor units; times epoch ms.
import type { TradeStatus } from './trade-states.ts';
import type { LogisticsType, ProductCode } from './trade-timeouts.ts';

export type { TradeStatus } from './trade-states.ts';
export type { LogisticsType, ProductCode } from './trade-timeouts.ts';

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

/** Adds sign_type and sign (the platform's key) to a notification's fields. */
export type NotificationSigner = (fields: Record<string, string>) => Record<string, string>;

/**
 * How a trade's notification is worded and sent on the wire: the merchant module's protocol (its
 * field names, amounts in yuan, China time, the signed form body). Trade hands it the trade as it
 * is and stores what it returns; it never formats a protocol field itself.
 */
export interface NotificationWire {
  fields(trade: Trade, notifyId: string, nowMs: number, appId: string | undefined, refundAtMs?: number): Record<string, string>;
  /** The signed request body of stored fields. */
  encode(fields: Record<string, string>): string;
}

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

export interface TradeRow extends Record<string, unknown> {
  trade_no: string;
  merchant_id: string;
  out_trade_no: string;
  subject: string;
  body: string;
  total_minor: bigint;
  currency: string;
  product_code: string;
  status: string;
  fee_bps: bigint;
  settlement_account_id: string;
  notify_url: string | null;
  app_id: string | null;
  timeout_at: bigint;
  created_at: bigint;
  buyer_user_id: string | null;
  buyer_logon_id: string | null;
  pay_request_id: string | null;
  paid_at: bigint | null;
  closed_at: bigint | null;
  shipped_at: bigint | null;
  logistics_type: string | null;
  waybill_no: string | null;
  confirm_due_at: bigint | null;
  confirm_left_ms: bigint | null;
  extended: bigint;
  settled_at: bigint | null;
  finish_due_at: bigint | null;
  held_minor: bigint;
  settled_minor: bigint;
  settled_amount_minor: bigint;
  fee_minor: bigint;
  refunded_minor: bigint;
  hold_id: string | null;
  pending_op: string | null;
  op_at: bigint | null;
  funding_source: string | null;
  funding_card_id: string | null;
  passback_params: string | null;
  awaiting_buyer_id: string | null;
}

const ms = (v: bigint | null): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const opt = (v: string | null): string | undefined => v ?? undefined;

export function toTrade(r: TradeRow): Trade {
  return {
    tradeNo: r.trade_no,
    merchantId: r.merchant_id,
    outTradeNo: r.out_trade_no,
    subject: r.subject,
    body: r.body,
    totalAmountMinor: BigInt(r.total_minor),
    currency: 'CNY',
    productCode: r.product_code as ProductCode,
    status: r.status as TradeStatus,
    buyerUserId: opt(r.buyer_user_id),
    buyerLogonId: opt(r.buyer_logon_id),
    paidAtMs: ms(r.paid_at),
    closedAtMs: ms(r.closed_at),
    refundedMinor: BigInt(r.refunded_minor),
    feeMinor: BigInt(r.fee_minor),
    notifyUrl: opt(r.notify_url),
    createdAtMs: Number(r.created_at),
    timeoutAtMs: Number(r.timeout_at),
    shippedAtMs: ms(r.shipped_at),
    logisticsType: opt(r.logistics_type) as LogisticsType | undefined,
    waybillNo: opt(r.waybill_no),
    confirmDueAtMs: ms(r.confirm_due_at),
    extended: BigInt(r.extended) === 1n,
    settledAtMs: ms(r.settled_at),
    settledAmountMinor: BigInt(r.settled_amount_minor),
    finishDueAtMs: ms(r.finish_due_at),
    fundingSource: r.paid_at === null ? undefined : ((r.funding_source ?? 'wallet') as FundingSource),
    passbackParams: opt(r.passback_params),
    awaitingBuyer: r.status === 'WAIT_BUYER_PAY' && r.awaiting_buyer_id !== null && r.awaiting_buyer_id !== undefined,
  };
}

/** 13912345678 -> 139****5678: enough for the merchant to recognise, not to contact. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
