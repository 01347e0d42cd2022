// The PostgreSQL schema, as numbered migrations applied in order at open (the same tables and
// columns as the SQLite store, so the shared row mapping and queries serve both).
// Ids compare with the "C" collation so that id order, and so paging by id, is bytewise as in
// SQLite whatever the database's locale. Every integer is BIGINT: amounts reach 2^63 - 1, and
// node-postgres reads int8 back as a JavaScript bigint.
// Rows that grow with users carry the owning account's id (transfers carry both sides, pending
// states their debit account) so the tables can later be distributed by account.
import type { MigrationSource } from '../migrations.ts';

export const POSTGRES_MIGRATIONS: readonly MigrationSource[] = [
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
  // Bumped by every group that applies a ledger batch: a writer whose last commit set the
  // generation it finds under the row lock knows nobody else wrote since (decision 32).
  {
    name: '0002_writer_generation',
    sql: 'ALTER TABLE ledger_meta ADD COLUMN writer_generation BIGINT NOT NULL DEFAULT 0;',
  },
  // The account indexes leave the commit path: history is copied into account_transfers behind
  // the commits (account-history.ts). The row lock first, so no batch commits while the existing
  // transfers are indexed and the watermark set.
  {
    name: '0003_account_history_off_the_commit_path',
    sql: `
    SELECT 1 FROM ledger_meta WHERE id = 1 FOR UPDATE;
    CREATE TABLE account_transfers (
      account_id TEXT COLLATE "C" NOT NULL,
      timestamp BIGINT NOT NULL,
      PRIMARY KEY (account_id, timestamp)
    );
    INSERT INTO account_transfers (account_id, timestamp)
      SELECT debit_account_id, timestamp FROM transfers UNION SELECT credit_account_id, timestamp FROM transfers;
    CREATE TABLE account_index_watermark (
      id SMALLINT PRIMARY KEY CHECK (id = 1),
      through BIGINT NOT NULL
    );
    INSERT INTO account_index_watermark (id, through) SELECT 1, coalesce(max(timestamp), 0) FROM transfers;
    DROP INDEX transfers_by_debit_account;
    DROP INDEX transfers_by_credit_account;
    `,
  },
  // A batch rewrites thousands of balances. With room left on the page the new row version goes
  // beside the old one (a HOT update: no new primary key entry, the old version pruned in place);
  // a full page sends it elsewhere and adds an index entry. Pages written from now on keep half free.
  {
    name: '0004_accounts_leave_room_for_hot_updates',
    sql: 'ALTER TABLE accounts SET (fillfactor = 50);',
  },
  // The log layout (decision 42): one ledger_log row per batch, packed as in the embedded store's,
  // materialized into the tables behind the commits up to ledger_materialized.through (its own
  // row, so the materializer never waits on the writers' ledger_meta lock). Accounts carry the
  // integer key the log names them by (NULL in the tables layout, filled when a database converts).
  {
    name: '0005_ledger_log',
    sql: `
    ALTER TABLE ledger_meta ADD COLUMN layout TEXT NOT NULL DEFAULT 'tables', ADD COLUMN log_seq BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE ledger_log (
      seq BIGINT PRIMARY KEY,
      last_timestamp BIGINT NOT NULL,
      accounts BYTEA NOT NULL,
      transfers BYTEA NOT NULL,
      pending BYTEA NOT NULL,
      failures BYTEA NOT NULL
    );
    -- Stored out of line as they are: compressing a batch's row would cost the commit path CPU.
    ALTER TABLE ledger_log ALTER COLUMN accounts SET STORAGE EXTERNAL, ALTER COLUMN transfers SET STORAGE EXTERNAL,
      ALTER COLUMN pending SET STORAGE EXTERNAL, ALTER COLUMN failures SET STORAGE EXTERNAL;
    CREATE TABLE ledger_materialized (
      id SMALLINT PRIMARY KEY CHECK (id = 1),
      through BIGINT NOT NULL
    );
    INSERT INTO ledger_materialized (id, through) VALUES (1, 0);
    ALTER TABLE accounts ADD COLUMN key BIGINT;
    `,
  },
];
