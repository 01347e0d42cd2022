// The trade module's result codes: the public ACQ sub_codes without their `ACQ.` prefix, so the
// merchant API maps them one to one (tradeSubCode) and Formica's own routes show the same names.
import { DomainError } from '../../domain-error.ts';
import { TRADE_SUB_CODES } from '../merchant/protocol/errors.ts';

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

/** The public sub_code for a code (REFUND_AMT_EXCEED is ACQ.REFUND_AMT_RESTRICTION publicly). */
export function tradeSubCode(code: TradeErrorCode): string {
  const known = (TRADE_SUB_CODES as Record<string, string>)[code];
  return known ?? `ACQ.${code}`;
}
