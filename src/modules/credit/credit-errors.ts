// The credit module's refusals. http/error-map.ts gives each code its HTTP status.
import { DomainError } from '../../domain-error.ts';

export type CreditErrorCode =
  | 'no_credit'
  | 'exceeds_line'
  | 'invalid_term'
  | 'loan_not_found'
  | 'loan_closed'
  | 'repayment_exceeds_owed'
  | 'insufficient_funds'
  | 'request_id_reused'
  | 'paylater_suspended'
  | 'statement_not_found'
  | 'already_instalments'
  | 'statement_past_due'
  | 'statement_paid'
  | 'not_a_merchant_loan'
  | 'month_not_closed';

export class CreditError extends DomainError<CreditErrorCode> {}
