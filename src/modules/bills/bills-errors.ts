// The bill payments' result codes; http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type BillErrorCode =
  | 'biller_not_found'
  | 'bill_not_found'
  | 'biller_unavailable'
  | 'invalid_amount'
  | 'currency_not_supported'
  | 'request_id_reused'
  | 'insufficient_funds'
  | 'card_funding_failed'
  | 'card_funding_pending'
  | 'payment_not_found'
  | 'receipt_not_ready'
  | 'autopay_not_found'
  | 'invalid_day_of_month';

export class BillError extends DomainError<BillErrorCode> {}
