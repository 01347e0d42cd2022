// The identity module's result codes. http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type IdentityErrorCode =
  | 'phone_taken'
  | 'invalid_credentials'
  | 'session_invalid'
  | 'user_not_found'
  | 'verification_source_unknown';

export class IdentityError extends DomainError<IdentityErrorCode> {}
