// The wallet module's own tables. Every table that grows with users carries the user id.
const TABLES = [
  `CREATE TABLE wallet_accounts (
     user_id TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE, currency TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE TABLE wallet_transfers (
     user_id TEXT NOT NULL, request_id TEXT NOT NULL, transfer_id TEXT NOT NULL UNIQUE,
     to_user_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, memo TEXT NOT NULL,
     status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', day_key TEXT NOT NULL, year_key TEXT NOT NULL,
     created_at BIGINT NOT NULL, ledger_timestamp TEXT NOT NULL DEFAULT '',
     PRIMARY KEY (user_id, request_id))`,
  `CREATE TABLE wallet_usage (
     user_id TEXT NOT NULL, period TEXT NOT NULL, used_minor BIGINT NOT NULL, PRIMARY KEY (user_id, period))`,
  `CREATE TABLE wallet_adjustments (
     request_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL,
     direction TEXT NOT NULL, reason TEXT NOT NULL, transfer_id TEXT NOT NULL, status TEXT NOT NULL,
     result TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL)`,
  'CREATE INDEX wallet_adjustments_user ON wallet_adjustments (user_id, created_at)',
];

// Version 2: the limits' claims move to their own table, keyed by (user, kind, request id), so
// trade payments share them with transfers. Existing transfers keep their claims (failed ones released).
const SPENDING = [
  `CREATE TABLE wallet_spending (
     user_id TEXT NOT NULL, kind TEXT NOT NULL, request_id TEXT NOT NULL, amount_minor BIGINT NOT NULL,
     day_key TEXT NOT NULL, year_key TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, kind, request_id))`,
  `INSERT INTO wallet_spending (user_id, kind, request_id, amount_minor, day_key, year_key, status, created_at)
     SELECT user_id, 'transfer', request_id, amount_minor, day_key, year_key,
       CASE WHEN status = 'failed' THEN 'released' ELSE 'counted' END, created_at
     FROM wallet_transfers`,
].join(';\n');

// 0003: one row per wallet transfer, carrying its claim on the limits (its amount and the periods
// it counts in; counted unless failed), keyed by (payer, transfer id). The transfer id is derived
// from (payer, request id), so that key is as unique as the request id, and a statement's transfer
// finds its row by the key alone: no second unique index. Transfers' copies in wallet_spending go.
const TRANSFERS_CARRY_CLAIMS = {
  name: '0003_transfers_carry_their_claim',
  sql: [
    `CREATE TABLE wallet_transfers_by_id (
       user_id TEXT NOT NULL, transfer_id TEXT NOT NULL, request_id TEXT NOT NULL,
       to_user_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, memo TEXT NOT NULL,
       status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', day_key TEXT NOT NULL, year_key TEXT NOT NULL,
       created_at BIGINT NOT NULL, ledger_timestamp TEXT NOT NULL DEFAULT '',
       PRIMARY KEY (user_id, transfer_id))`,
    `INSERT INTO wallet_transfers_by_id (user_id, transfer_id, request_id, to_user_id, amount_minor, currency, memo, status, reason, day_key, year_key, created_at, ledger_timestamp)
       SELECT user_id, transfer_id, request_id, to_user_id, amount_minor, currency, memo, status, reason, day_key, year_key, created_at, ledger_timestamp
       FROM wallet_transfers`,
    'DROP TABLE wallet_transfers',
    'ALTER TABLE wallet_transfers_by_id RENAME TO wallet_transfers',
    "DELETE FROM wallet_spending WHERE kind = 'transfer'",
  ].join(';\n'),
};

const MIGRATIONS = [TABLES.join(';\n'), SPENDING, TRANSFERS_CARRY_CLAIMS];
export const WALLET_MIGRATIONS = { sqlite: MIGRATIONS, postgres: MIGRATIONS };
