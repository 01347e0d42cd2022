// The public sub_code for a refusal of the buyer's wallet inside a trade method (alipay.trade.pay
// pays from the balance): merchants already handle these codes, and none of them is a 500.
import type { WalletError } from './trade-port.ts';

/** Daily limits have their own public code; every other balance limit reads as "pay another way". */
export function walletSubCode(error: WalletError): string {
  if (error.code === 'verification_required') return 'ACQ.BUYER_ENABLE_STATUS_FORBID';
  if (error.code === 'limit_exceeded') return error.fields.period === 'day' ? 'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR' : 'ACQ.BUYER_BALANCE_NOT_ENOUGH';
  if (error.code === 'insufficient_funds') return 'ACQ.BUYER_BALANCE_NOT_ENOUGH';
  return 'ACQ.PAYMENT_FAIL';
}
