// The campaign's own tables. Cards are counts per user and kind; every earning action is a row
// (its request id makes it idempotent, its Shanghai day counts it against the daily cap); at the
// reveal the winners and their amounts are written once, then paid in batches, each batch's
// `paid` flags committed with its ledger transfers.
const TABLES = [
  `CREATE TABLE campaign_campaigns (
     campaign_id TEXT PRIMARY KEY, name TEXT NOT NULL, pool_minor BIGINT NOT NULL, card_odds TEXT NOT NULL,
     daily_card_cap BIGINT NOT NULL, reveal_at BIGINT NOT NULL, split TEXT NOT NULL, status TEXT NOT NULL,
     winner_count BIGINT NOT NULL DEFAULT 0, paid_count BIGINT NOT NULL DEFAULT 0, paid_minor BIGINT NOT NULL DEFAULT 0,
     remainder_minor BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)`,
  'CREATE INDEX campaign_due ON campaign_campaigns (status, reveal_at)',
  `CREATE TABLE campaign_cards (
     campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, held BIGINT NOT NULL,
     PRIMARY KEY (campaign_id, user_id, kind))`,
  `CREATE TABLE campaign_actions (
     campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, request_id TEXT NOT NULL, action TEXT NOT NULL,
     day TEXT NOT NULL, card TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (campaign_id, user_id, request_id))`,
  'CREATE INDEX campaign_actions_day ON campaign_actions (campaign_id, user_id, day)',
  `CREATE TABLE campaign_gifts (
     campaign_id TEXT NOT NULL, from_user_id TEXT NOT NULL, request_id TEXT NOT NULL, to_user_id TEXT NOT NULL,
     card TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (campaign_id, from_user_id, request_id))`,
  `CREATE TABLE campaign_winners (
     campaign_id TEXT NOT NULL, seq BIGINT NOT NULL, user_id TEXT NOT NULL, amount_minor BIGINT NOT NULL,
     paid BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (campaign_id, seq))`,
  'CREATE INDEX campaign_unpaid ON campaign_winners (campaign_id, paid, seq)',
].join(';\n');

export const CAMPAIGN_MIGRATIONS = { sqlite: [TABLES], postgres: [TABLES] };
