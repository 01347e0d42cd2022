// The social module's result codes; http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type SocialErrorCode = 'user_not_found' | 'self_friend' | 'friend_limit' | 'group_not_found' | 'group_full' | 'not_a_member' | 'request_id_reused';

export class SocialError extends DomainError<SocialErrorCode> {}
