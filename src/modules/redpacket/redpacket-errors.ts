// The red packets' result codes; http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type RedPacketErrorCode =
  | 'packet_limit'
  | 'packet_not_found'
  | 'already_opened'
  | 'packet_finished'
  | 'packet_expired'
  | 'insufficient_funds'
  | 'currency_not_supported'
  | 'request_id_reused'
  | 'transfer_failed';

export class RedPacketError extends DomainError<RedPacketErrorCode> {}
