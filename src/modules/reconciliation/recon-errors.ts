// The reconciliation module's refusals. http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type ReconciliationErrorCode =
  | 'invalid_date'
  | 'day_not_closed'
  | 'reconciliation_not_found'
  | 'reconciliation_item_not_found'
  | 'resolution_not_allowed';

export class ReconciliationError extends DomainError<ReconciliationErrorCode> {}
