// The cards module's tables: bank cards (a keyed fingerprint and the last four digits, never the
// card number), the channels (banks) each card is bound through, and channel operations (top-ups and withdrawals), each keyed by the user's request id.
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

// Version 3: a card is one card number per user (its keyed fingerprint; '' for cards bound before),
// reachable through one channel per bank it was bound at. Existing cards keep their one channel.
// cards.bank/token/binding_request_id now only tell where the card was first bound.
const CHANNELS = [
  "ALTER TABLE cards ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
  "CREATE UNIQUE INDEX cards_user_fingerprint ON cards (user_id, fingerprint) WHERE fingerprint <> ''",
  `CREATE TABLE card_channels (
     card_id TEXT NOT NULL, bank TEXT NOT NULL, binding_request_id TEXT NOT NULL, token TEXT NOT NULL DEFAULT '',
     status TEXT NOT NULL, fee_bps INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, PRIMARY KEY (card_id, bank))`,
  `INSERT INTO card_channels (card_id, bank, binding_request_id, token, status, fee_bps, created_at)
     SELECT card_id, bank, binding_request_id, token, status, 0, created_at FROM cards`,
  'CREATE INDEX card_channels_bound ON card_channels (status, bank)',
].join(';\n');

// Version 4: the ledger account an operation moves money in or out of, when it is not the user's
// wallet (a merchant's settlement balance paid out to its bank account; user_id is then the merchant).
const ACCOUNT = 'ALTER TABLE channel_operations ADD COLUMN account_id TEXT';

// Version 5: the holder named at a binding (name and id number, sealed with the data key), for
// the real-name evidence the bank's confirmation gives.
const HOLDER = "ALTER TABLE card_channels ADD COLUMN holder TEXT NOT NULL DEFAULT ''";

const MIGRATIONS = [TABLES.join(';\n'), BY_BANK_DAY, CHANNELS, ACCOUNT, HOLDER];
export const CARDS_MIGRATIONS = { sqlite: MIGRATIONS, postgres: MIGRATIONS };
