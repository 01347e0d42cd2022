// How trade notifications are worded on the wire (trade_status_sync): the protocol's field names,
// amounts in yuan, China time, and the signed form body. The trade module stores and retries what
// this returns; the wording is the merchant protocol's, so it lives here.
import { formatMinor } from '../../money/amount.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { NotificationSigner, NotificationWire, Trade } from '../trade/trade-types.ts';
import { formatChinaTime } from './protocol/china-time.ts';
import { notificationFormBody } from './protocol/notify.ts';

/** The fields of a notification about `trade` as it is now; empty ones are left out. */
export function notificationFields(trade: Trade, notifyId: string, nowMs: number, appId: string | undefined, refundAtMs?: number): Record<string, string> {
  const money = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
  const time = (at: number | undefined) => (at === undefined ? undefined : formatChinaTime(at));
  const fields: Record<string, string | undefined> = {
    notify_type: 'trade_status_sync',
    notify_id: notifyId,
    notify_time: formatChinaTime(nowMs),
    charset: 'utf-8',
    version: '1.0',
    app_id: appId,
    auth_app_id: appId,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    seller_id: trade.merchantId,
    buyer_id: trade.buyerUserId,
    buyer_logon_id: trade.buyerLogonId,
    trade_status: trade.status,
    subject: trade.subject,
    body: trade.body,
    total_amount: money(trade.totalAmountMinor),
    receipt_amount: trade.paidAtMs === undefined ? undefined : money(trade.totalAmountMinor),
    invoice_amount: trade.paidAtMs === undefined ? undefined : money(trade.totalAmountMinor),
    buyer_pay_amount: trade.paidAtMs === undefined ? undefined : money(trade.totalAmountMinor),
    refund_fee: trade.refundedMinor > 0n ? money(trade.refundedMinor) : undefined,
    passback_params: trade.passbackParams,
    gmt_create: formatChinaTime(trade.createdAtMs),
    gmt_payment: time(trade.paidAtMs),
    gmt_refund: time(refundAtMs),
    gmt_close: time(trade.closedAtMs),
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** The wire of a platform that signs with `sign` (Formica's private key). */
export function notificationWire(sign: NotificationSigner): NotificationWire {
  return { fields: notificationFields, encode: (fields) => notificationFormBody(sign(fields)) };
}
