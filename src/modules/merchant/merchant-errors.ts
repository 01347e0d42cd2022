// Refusals of the merchant service (registration, keys, merchant routes); http/error-map.ts maps codes to statuses.
import { DomainError } from '../../domain-error.ts';

export type MerchantErrorCode = 'merchant_not_found' | 'public_key_invalid' | 'merchant_unauthorized' | 'bill_date_invalid' | 'bill_not_ready';

export class MerchantError extends DomainError<MerchantErrorCode> {}
