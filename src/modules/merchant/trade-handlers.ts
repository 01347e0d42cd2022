// The merchant API's methods over the trade service: each handler reads and checks its business
// fields, calls the service as the authenticated app's merchant, and answers in the public fields.
// Trade and buyer-wallet refusals become 40004 with their ACQ sub_code; field problems 40001/40002;
// nothing else is caught.
import { optionalChoice, optionalText, requiredAmount, requiredChoice, requiredText, requiredTradeRef, FieldFailure } from './biz-fields.ts';
import type { BillLinks } from './bill-links.ts';
import type { ApiCallContext, BizParams, TradeApiHandler, TradeApiHandlers, TradeApiResult } from './gateway-types.ts';
import type { MerchantService } from './merchant-apps.ts';
import { parseChinaTime } from './protocol/china-time.ts';
import { businessFailure, CODES, GATEWAY_SUB_CODES, invalidArgument, tradeSubCode } from './protocol/errors.ts';
import { type ProductCode, TradeError, type TradeService, WalletError } from './trade-port.ts';
import { refundQueryToWire, refundToWire, tradeToWire } from './trade-wire.ts';
import { walletSubCode } from './wallet-refusals.ts';

const PRODUCT_CODES: readonly ProductCode[] = ['FAST_INSTANT_TRADE_PAY', 'ESCROW_TRADE_PAY'];
/** The public API's names of an instant payment from a phone browser and from an app: instant trades here. */
const PHONE_PRODUCT_CODES = ['QUICK_WAP_WAY', 'QUICK_MSECURITY_PAY'];
const LOGISTICS_TYPES = ['EXPRESS', 'POST', 'VIRTUAL', 'NONE'] as const;
/** Daily trade bills only: the public API's `signcustomer` (fund movements) is the same file here. */
const BILL_TYPES = ['trade', 'signcustomer'] as const;

type MerchantCall = (merchantId: string, biz: BizParams, context: ApiCallContext) => Promise<TradeApiResult>;

const ok = (body: Record<string, unknown>): TradeApiResult => ({ ok: true, body });

/** Version 2 sends notify_url as a public parameter; version 3 inside the body. */
function notifyUrl(biz: BizParams, context: ApiCallContext): string | undefined {
  const url = context.notifyUrl ?? optionalText(biz, 'notify_url', 256);
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
    throw new FieldFailure(invalidArgument(GATEWAY_SUB_CODES.invalidParameter, 'notify_url must be an http(s) URL'));
  }
  return url;
}

/** A "yyyy-MM-dd HH:mm:ss" China time field as epoch ms (the trade module speaks ms only). */
function chinaTime(biz: BizParams, key: string): number | undefined {
  const text = optionalText(biz, key, 32);
  if (text === undefined || text === '') return undefined;
  const ms = parseChinaTime(text);
  if (ms === undefined) throw new TradeError('INVALID_PARAMETER', `${key} '${text}' must be a time written yyyy-MM-dd HH:mm:ss (China time)`);
  return ms;
}

function orderFields(biz: BizParams, context: ApiCallContext) {
  return {
    outTradeNo: requiredText(biz, 'out_trade_no', 64),
    subject: requiredText(biz, 'subject', 256),
    totalAmountMinor: requiredAmount(biz, 'total_amount'),
    productCode: PHONE_PRODUCT_CODES.includes(String(biz.product_code)) ? 'FAST_INSTANT_TRADE_PAY' : optionalChoice(biz, 'product_code', PRODUCT_CODES),
    timeoutExpress: optionalText(biz, 'timeout_express', 16),
    timeExpireMs: chinaTime(biz, 'time_expire'),
    passbackParams: optionalText(biz, 'passback_params', 512),
    body: optionalText(biz, 'body', 128),
    notifyUrl: notifyUrl(biz, context),
  };
}

function asMerchant(merchants: MerchantService, call: MerchantCall): TradeApiHandler {
  return async (appId, biz, context) => {
    const merchant = await merchants.byAppId(appId);
    if (!merchant) return { ok: false, ...invalidArgument(GATEWAY_SUB_CODES.invalidAppId, 'app_id is not a registered app') };
    try {
      return await call(merchant.merchantId, biz, context);
    } catch (error) {
      if (error instanceof FieldFailure) return { ok: false, ...error.failure };
      if (error instanceof TradeError) return { ok: false, ...businessFailure(tradeSubCode(error.code), error.message) };
      if (error instanceof WalletError) return { ok: false, ...businessFailure(walletSubCode(error), error.message) };
      throw error;
    }
  };
}

function calls(trades: TradeService, billLinks: BillLinks | undefined, merchants: MerchantService): Record<string, MerchantCall> {
  const hostedCheckout: MerchantCall = async (merchantId, biz, context) => {
    const trade = await trades.create(merchantId, orderFields(biz, context));
    // The cashier links back to the merchant's return_url once the buyer has paid.
    const back = context.returnUrl ? `?return_url=${encodeURIComponent(context.returnUrl)}` : '';
    return { ok: true, body: { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo }, redirectTo: `/checkout/${encodeURIComponent(trade.tradeNo)}${back}` };
  };
  return {
    'alipay.trade.create': async (merchantId, biz, context) => {
      const trade = await trades.create(merchantId, orderFields(biz, context));
      return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
    },
    'alipay.trade.pay': async (merchantId, biz, context) => {
      const { timeoutExpress: _t, body: _b, ...order } = orderFields(biz, context);
      const trade = await trades.pay(merchantId, { ...order, authCode: requiredText(biz, 'auth_code', 64) });
      // Above the PIN threshold the buyer confirms on their phone: 10003, then query or the notification.
      return ok(trade.awaitingBuyer ? { code: CODES.userPaying, ...tradeToWire(trade) } : tradeToWire(trade));
    },
    'alipay.trade.precreate': async (merchantId, biz, context) => {
      const { trade, qrCode } = await trades.precreate(merchantId, orderFields(biz, context));
      return ok({ out_trade_no: trade.outTradeNo, qr_code: qrCode });
    },
    // A browser arrives through pageExecute (a desktop page, or a phone's for wap.pay), or an app
    // opens the order string sdkExecute made (app.pay): the trade is created, then the buyer is
    // handed to the hosted checkout, which is laid out for phones first.
    'alipay.trade.page.pay': hostedCheckout,
    'alipay.trade.wap.pay': hostedCheckout,
    'alipay.trade.app.pay': hostedCheckout,
    'alipay.trade.query': async (merchantId, biz) => ok(tradeToWire(await trades.query(merchantId, requiredTradeRef(biz)))),
    'alipay.trade.refund': async (merchantId, biz) => {
      const ref = requiredTradeRef(biz);
      const refund = await trades.refund(merchantId, ref, {
        refundAmountMinor: requiredAmount(biz, 'refund_amount'),
        outRequestNo: optionalText(biz, 'out_request_no', 64),
        reason: optionalText(biz, 'refund_reason', 256),
      });
      return ok(refundToWire(refund, await trades.query(merchantId, { tradeNo: refund.tradeNo })));
    },
    'alipay.trade.fastpay.refund.query': async (merchantId, biz) => {
      const ref = requiredTradeRef(biz);
      const outRequestNo = requiredText(biz, 'out_request_no', 64);
      const trade = await trades.query(merchantId, ref);
      const refund = await trades.refundQuery(merchantId, ref, outRequestNo);
      // The public API answers 10000 without refund_amount when no such refund happened.
      if (!refund) return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, out_request_no: outRequestNo });
      return ok(refundQueryToWire(refund, trade));
    },
    'alipay.trade.close': async (merchantId, biz) => {
      const trade = await trades.close(merchantId, requiredTradeRef(biz));
      return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
    },
    'alipay.trade.cancel': async (merchantId, biz) => {
      const trade = await trades.cancel(merchantId, requiredTradeRef(biz));
      return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, retry_flag: 'N', action: trade.action });
    },
    'alipay.data.dataservice.bill.downloadurl.query': async (merchantId, biz, context) => {
      requiredChoice(biz, 'bill_type', BILL_TYPES);
      const date = requiredText(biz, 'bill_date', 10);
      const merchant = await merchants.require(merchantId);
      const link = billLinks?.url(merchant.appId, date, context.origin ?? '');
      if (!link) return { ok: false, ...businessFailure('isp.bill_not_exist', 'bills are not served here') };
      if (!link.ok && link.refusal === 'bill_date_invalid')
        return { ok: false, ...invalidArgument(GATEWAY_SUB_CODES.invalidParameter, 'bill_date must be a day written yyyy-MM-dd') };
      if (!link.ok) return { ok: false, ...businessFailure('isp.bill_not_exist', 'the bill of a day is ready once the day has closed (Asia/Shanghai)') };
      return ok({ bill_download_url: link.url });
    },
    'formica.trade.ship': async (merchantId, biz) => {
      const trade = await trades.ship(merchantId, requiredTradeRef(biz), {
        logisticsType: requiredChoice(biz, 'logistics_type', LOGISTICS_TYPES),
        waybillNo: optionalText(biz, 'waybill_no', 64),
      });
      return ok(tradeToWire(trade));
    },
  };
}

export function tradeApiHandlers(trades: TradeService, merchants: MerchantService, billLinks?: BillLinks): TradeApiHandlers {
  return Object.fromEntries(Object.entries(calls(trades, billLinks, merchants)).map(([method, call]) => [method, asMerchant(merchants, call)]));
}
