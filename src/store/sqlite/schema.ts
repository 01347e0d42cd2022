// The SQLite schema, as numbered migrations applied in order at open (never edit an applied one).
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
  // 2: the per-account history leaves the commit path. Two indexes on `transfers` dirtied
  // thousands of scattered pages per batch; `account_transfers` is filled later in large sorted
  // passes (account-index.ts), and `account_index_through` says up to which timestamp it is complete.
  // Existing transfers are indexed here, in the migration's own transaction.
  `
  CREATE TABLE account_transfers (
    account_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (account_id, timestamp)
  ) WITHOUT ROWID;
  ALTER TABLE ledger_meta ADD COLUMN account_index_through INTEGER NOT NULL DEFAULT 0;
  INSERT INTO account_transfers (account_id, timestamp)
    SELECT account_id, timestamp FROM (
      SELECT debit_account_id AS account_id, timestamp FROM transfers
      UNION ALL
      SELECT credit_account_id AS account_id, timestamp FROM transfers
    ) ORDER BY account_id, timestamp;
  UPDATE ledger_meta SET account_index_through = (SELECT coalesce(max(timestamp), 0) FROM transfers) WHERE id = 1;
  DROP INDEX transfers_by_debit_account;
  DROP INDEX transfers_by_credit_account;
  `,
  // 3: the log layout (log/log-ledger.ts). Each ledger batch is one packed row of `ledger_log`;
  // `log_seq` is the last row's seq, `layout` says which layout holds this file's ledger.
  `
  CREATE TABLE ledger_log (
    seq INTEGER PRIMARY KEY,
    last_timestamp INTEGER NOT NULL,
    accounts BLOB NOT NULL,
    transfers BLOB NOT NULL,
    pending BLOB NOT NULL,
    failures BLOB NOT NULL
  );
  ALTER TABLE ledger_meta ADD COLUMN log_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ledger_meta ADD COLUMN layout TEXT NOT NULL DEFAULT 'tables';
  `,
];
