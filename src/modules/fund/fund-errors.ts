// The fund module's refusals. http/error-map.ts gives each its HTTP status; `fields` travel to the
// caller beside `code` and `message` (the two risk levels, what is left of a cap today).
import { DomainError } from '../../domain-error.ts';

export type FundErrorCode =
  | 'fund_not_found'
  | 'fund_exists'
  | 'invalid_fund'
  | 'invalid_income'
  | 'invalid_date'
  | 'income_already_published'
  | 'income_date_closed'
  | 'income_not_published'
  | 'accrual_not_due'
  | 'invalid_answers'
  | 'verification_required'
  | 'risk_profile_required'
  | 'suitability_mismatch'
  | 'amount_below_minimum'
  | 'insufficient_funds'
  | 'purchase_cap_exceeded'
  | 'insufficient_shares'
  | 'fast_redemption_limit'
  | 'currency_not_supported'
  | 'request_id_reused';

export class FundError extends DomainError<FundErrorCode> {}
