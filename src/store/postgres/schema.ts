// The PostgreSQL schema, as numbered migrations applied in order at open (the same tables and
// columns as the SQLite store, so the shared row mapping and queries serve both).
// Ids compare with the "C" collation so that id order, and so paging by id, is bytewise as in
// SQLite whatever the database's locale. Every integer is BIGINT: amounts reach 2^63 - 1, and
// node-postgres reads int8 back as a JavaScript bigint.
// Rows that grow with users carry the owning account's id (transfers carry both sides, pending
// states their debit account) so the tables can later be distributed by account.
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ledger_meta (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    last_timestamp BIGINT NOT NULL
  );
  INSERT INTO ledger_meta (id, last_timestamp) VALUES (1, 0);
  CREATE TABLE accounts (
    id TEXT COLLATE "C" PRIMARY KEY,
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    user_data TEXT NOT NULL,
    debits_pending BIGINT NOT NULL,
    debits_posted BIGINT NOT NULL,
    credits_pending BIGINT NOT NULL,
    credits_posted BIGINT NOT NULL,
    timestamp BIGINT NOT NULL
  );
  CREATE TABLE transfers (
    id TEXT COLLATE "C" PRIMARY KEY,
    timestamp BIGINT NOT NULL UNIQUE,
    debit_account_id TEXT COLLATE "C" NOT NULL,
    credit_account_id TEXT COLLATE "C" NOT NULL,
    amount BIGINT NOT NULL,
    pending_id TEXT COLLATE "C" NOT NULL,
    timeout BIGINT NOT NULL,
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    user_data TEXT NOT NULL
  );
  CREATE INDEX transfers_by_debit_account ON transfers (debit_account_id, timestamp);
  CREATE INDEX transfers_by_credit_account ON transfers (credit_account_id, timestamp);
  CREATE TABLE pending_transfers (
    id TEXT COLLATE "C" PRIMARY KEY,
    debit_account_id TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX pending_transfers_due ON pending_transfers (expires_at) WHERE status = 'pending' AND expires_at > 0;
  CREATE TABLE failed_transfers (
    id TEXT COLLATE "C" PRIMARY KEY,
    result TEXT NOT NULL
  );
  CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  `,
];
