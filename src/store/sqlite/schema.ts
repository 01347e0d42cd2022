// The SQLite schema, as numbered migrations applied in order at open.
// Transfers are keyed by their ledger timestamp so inserts append to the end of the B-tree.
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ledger_meta (id INTEGER PRIMARY KEY CHECK (id = 1), last_timestamp INTEGER NOT NULL);
  INSERT INTO ledger_meta (id, last_timestamp) VALUES (1, 0);
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    ledger INTEGER NOT NULL,
    code INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    user_data TEXT NOT NULL,
    debits_pending INTEGER NOT NULL,
    debits_posted INTEGER NOT NULL,
    credits_pending INTEGER NOT NULL,
    credits_posted INTEGER NOT NULL,
    timestamp INTEGER NOT NULL
  );
  CREATE TABLE transfers (
    timestamp INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    debit_account_id TEXT NOT NULL,
    credit_account_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    pending_id TEXT NOT NULL,
    timeout INTEGER NOT NULL,
    ledger INTEGER NOT NULL,
    code INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    user_data TEXT NOT NULL
  );
  CREATE INDEX transfers_by_debit_account ON transfers (debit_account_id, timestamp);
  CREATE INDEX transfers_by_credit_account ON transfers (credit_account_id, timestamp);
  CREATE TABLE pending_transfers (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX pending_transfers_due ON pending_transfers (expires_at) WHERE status = 'pending' AND expires_at > 0;
  CREATE TABLE failed_transfers (id TEXT PRIMARY KEY, result TEXT NOT NULL);
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
];
