// The trade module's result codes. They are named as the merchant API's sub_codes without their
// `ACQ.` prefix, so the merchant module maps them one to one (merchant/protocol/errors.ts,
// tradeSubCode) and Formica's own routes show the same names; the mapping lives there, not here.
import { DomainError } from '../../domain-error.ts';

export type TradeErrorCode =
  | 'TRADE_NOT_EXIST'
  | 'CONTEXT_INCONSISTENT'
  | 'TRADE_STATUS_ERROR'
  | 'TRADE_HAS_SUCCESS'
  | 'TRADE_HAS_CLOSE'
  | 'TRADE_NOT_ALLOW_REFUND'
  | 'REFUND_AMT_NOT_EQUAL_TOTAL'
  | 'REFUND_AMT_EXCEED'
  | 'BUYER_BALANCE_NOT_ENOUGH'
  | 'BUYER_ENABLE_STATUS_FORBID'
  | 'SELLER_BALANCE_NOT_ENOUGH'
  | 'PAYMENT_AUTH_CODE_INVALID'
  | 'INVALID_PARAMETER'
  | 'NOTIFICATION_NOT_EXIST'
  | 'SYSTEM_ERROR';

export class TradeError extends DomainError<TradeErrorCode> {}

export const notExist = () => new TradeError('TRADE_NOT_EXIST', 'the trade does not exist');
export const busy = () => new TradeError('SYSTEM_ERROR', 'the trade is being changed by another request; retry');
export const statusError = (t: { status: string }, why: string) => new TradeError('TRADE_STATUS_ERROR', `${why} (trade is ${t.status})`);
