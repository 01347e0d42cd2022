// The wallet module's result codes. http/error-map.ts decides their HTTP status; `fields` travel
// to the caller beside `code` and `message` (e.g. which limit refused, how much is used and left).
import { DomainError } from '../../domain-error.ts';

export type WalletErrorCode =
  | 'verification_required'
  | 'limit_exceeded'
  | 'insufficient_funds'
  | 'recipient_not_found'
  | 'self_transfer'
  | 'request_id_reused'
  | 'payment_pin_wrong'
  | 'currency_not_supported'
  | 'user_not_found'
  | 'transfer_failed'
  | 'card_not_found'
  | 'card_not_bound'
  | 'bank_refused'
  | 'bank_unavailable'
  | 'channels_not_configured'
  | 'operation_not_found';

export class WalletError extends DomainError<WalletErrorCode> {}
