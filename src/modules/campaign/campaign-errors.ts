// The campaign's result codes; http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type CampaignErrorCode =
  | 'campaign_not_found'
  | 'campaign_exists'
  | 'campaign_closed'
  | 'invalid_card_odds'
  | 'invalid_daily_card_cap'
  | 'invalid_reveal_time'
  | 'daily_card_cap'
  | 'not_a_friend'
  | 'card_not_held'
  | 'currency_not_supported'
  | 'user_not_found'
  | 'request_id_reused';

export class CampaignError extends DomainError<CampaignErrorCode> {}
