// The identity module's result codes. http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type IdentityErrorCode =
  | 'phone_taken'
  | 'invalid_credentials'
  | 'session_invalid'
  | 'user_not_found'
  | 'verification_source_unknown'
  | 'too_many_attempts'
  | 'payment_pin_wrong'
  | 'payment_pin_locked'
  | 'current_pin_required'
  | 'password_required'
  | 'password_wrong'
  | 'session_not_found'
  | 'sms_unavailable'
  | 'sms_code_wrong'
  | 'sms_code_expired'
  | 'source_unavailable'
  | 'id_number_not_on_file'
  | 'id_number_wrong';

export class IdentityError extends DomainError<IdentityErrorCode> {}
