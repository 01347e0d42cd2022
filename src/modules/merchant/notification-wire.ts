// How trade notifications are worded on the wire (trade_status_sync): the protocol's field names,
// amounts in yuan, China time, and the signed form body. The trade module queues neutral events;
// they are worded here when sent, and when merchants or the console read the outbox.
import { formatMinor } from '../../money/amount.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { NotificationEncoder, NotificationEvent, NotificationRecord } from '../trade/trade.ts';
import type { NotificationSigner } from './platform-keys.ts';
import { formatChinaTime } from './protocol/china-time.ts';
import { notificationFormBody } from './protocol/notify.ts';

/** The fields of a queued notification as merchants get them, before signing; empty ones are left out. */
export function notificationFields(n: NotificationRecord): Record<string, string> {
  return n.content.kind === 'event' ? eventFields(n.notifyId, n.content.event) : { ...n.content.fields };
}

/** The fields that report `e`, in the protocol's order. */
function eventFields(notifyId: string, e: NotificationEvent): Record<string, string> {
  const money = (minor: bigint | undefined) => (minor === undefined ? undefined : formatMinor(minor, PLATFORM_CURRENCY));
  const time = (at: number | undefined) => (at === undefined ? undefined : formatChinaTime(at));
  const fields: Record<string, string | undefined> = {
    notify_type: 'trade_status_sync',
    notify_id: notifyId,
    notify_time: formatChinaTime(e.atMs),
    charset: 'utf-8',
    version: '1.0',
    app_id: e.appId,
    auth_app_id: e.appId,
    trade_no: e.tradeNo,
    out_trade_no: e.outTradeNo,
    seller_id: e.merchantId,
    buyer_id: e.buyerUserId,
    buyer_logon_id: e.buyerLogonId,
    trade_status: e.status,
    subject: e.subject,
    body: e.body,
    total_amount: money(e.totalMinor),
    receipt_amount: money(e.paidMinor),
    invoice_amount: money(e.paidMinor),
    buyer_pay_amount: money(e.paidMinor),
    refund_fee: e.refundedMinor > 0n ? money(e.refundedMinor) : undefined,
    passback_params: e.passbackParams,
    gmt_create: formatChinaTime(e.createdAtMs),
    gmt_payment: time(e.paidAtMs),
    gmt_refund: time(e.refundAtMs),
    gmt_close: time(e.closedAtMs),
  };
  return Object.fromEntries(Object.entries(fields).filter((f): f is [string, string] => f[1] !== undefined && f[1] !== ''));
}

/** How the outbox's notifications are sent by a platform that signs with `sign` (Formica's private key). */
export function notificationEncoder(sign: NotificationSigner): NotificationEncoder {
  return (n) => notificationFormBody(sign(notificationFields(n)));
}
