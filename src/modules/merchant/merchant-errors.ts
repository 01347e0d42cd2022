// Refusals of the merchant service (registration, keys, merchant routes); http/error-map.ts maps codes to statuses.
import { DomainError } from '../../domain-error.ts';

export type MerchantErrorCode =
  | 'merchant_not_found'
  | 'public_key_invalid'
  | 'merchant_unauthorized'
  | 'bill_date_invalid'
  | 'bill_not_ready'
  | 'merchant_role_forbidden'
  | 'staff_exists'
  | 'staff_not_found'
  | 'last_owner'
  | 'application_not_found'
  | 'application_decided'
  | 'application_check_failed'
  | 'payout_account_missing'
  | 'user_not_found';

export class MerchantError extends DomainError<MerchantErrorCode> {}
