// Trades and refunds as the public trade API writes them: snake_case, money as decimal yuan, times
// as China Standard Time text. Fields without a value are left out, as the public API does.
import { formatMinor } from '../../money/amount.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { formatChinaTime } from './protocol/china-time.ts';
import type { Refund, Trade } from './trade-port.ts';

export const yuan = (minor: bigint): string => formatMinor(minor, PLATFORM_CURRENCY);

type Wire = Record<string, string>;

function compact(fields: Record<string, string | undefined>): Wire {
  const out: Wire = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

const time = (ms: number | undefined) => (ms === undefined ? undefined : formatChinaTime(ms));

/** Paid amounts appear once the buyer has paid, whatever happened after. */
function paidFields(trade: Trade): Record<string, string | undefined> {
  if (trade.paidAtMs === undefined) return {};
  const total = yuan(trade.totalAmountMinor);
  return { receipt_amount: total, buyer_pay_amount: total, invoice_amount: total, gmt_payment: time(trade.paidAtMs), send_pay_date: time(trade.paidAtMs) };
}

/** alipay.trade.query and the other answers that describe a whole trade. */
export function tradeToWire(trade: Trade): Wire {
  return compact({
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    trade_status: trade.status,
    total_amount: yuan(trade.totalAmountMinor),
    subject: trade.subject,
    product_code: trade.productCode,
    buyer_user_id: trade.buyerUserId,
    buyer_logon_id: trade.buyerLogonId,
    refund_fee: trade.refundedMinor > 0n ? yuan(trade.refundedMinor) : undefined,
    gmt_close: time(trade.closedAtMs),
    ...paidFields(trade),
  });
}

/** alipay.trade.refund: refund_fee is the trade's refunded total, fund_change whether this call moved money. */
export function refundToWire(refund: Refund, trade: Trade | undefined): Wire {
  return compact({
    trade_no: refund.tradeNo,
    out_trade_no: refund.outTradeNo,
    out_request_no: refund.outRequestNo,
    buyer_logon_id: trade?.buyerLogonId,
    buyer_user_id: trade?.buyerUserId,
    fund_change: refund.fundChange,
    refund_fee: yuan(refund.refundedTotalMinor),
    send_back_fee: yuan(refund.refundAmountMinor),
    gmt_refund_pay: time(refund.gmtRefundMs),
  });
}

/** alipay.trade.fastpay.refund.query: a found refund is a successful one (refunds are synchronous). */
export function refundQueryToWire(refund: Refund, trade: Trade): Wire {
  return compact({
    trade_no: refund.tradeNo,
    out_trade_no: refund.outTradeNo,
    out_request_no: refund.outRequestNo,
    total_amount: yuan(trade.totalAmountMinor),
    refund_amount: yuan(refund.refundAmountMinor),
    refund_status: 'REFUND_SUCCESS',
    gmt_refund_pay: time(refund.gmtRefundMs),
  });
}
