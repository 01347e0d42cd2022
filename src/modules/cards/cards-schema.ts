// The cards module's tables: bound bank cards (token and last four digits only, never the card
// number) and channel operations (top-ups and withdrawals), each keyed by the user's request id.
const TABLES = [
  `CREATE TABLE cards (
     card_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, bank TEXT NOT NULL, binding_request_id TEXT NOT NULL,
     token TEXT NOT NULL DEFAULT '', last4 TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  'CREATE INDEX cards_user ON cards (user_id, created_at)',
  `CREATE TABLE channel_operations (
     op_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL, request_id TEXT NOT NULL,
     card_id TEXT NOT NULL, bank TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL,
     pending_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL,
     UNIQUE (user_id, kind, request_id))`,
  'CREATE INDEX channel_operations_status ON channel_operations (status, created_at)',
];

// Version 2: reconciliation reads one bank's operations of one day.
const BY_BANK_DAY = 'CREATE INDEX channel_operations_bank_day ON channel_operations (bank, created_at)';

export const CARDS_MIGRATIONS = { sqlite: [TABLES.join(';\n'), BY_BANK_DAY], postgres: [TABLES.join(';\n'), BY_BANK_DAY] };
