// The log layout's state file: the ledger materialized from the log (accounts, transfers, pending
// states, failures and each account's history), beside the commit file and private like it. It is
// derived data: `materialized_through` names the last log row it holds, and a file that is lost,
// from an older schema or ahead of the log is rebuilt from the log (log-ledger.ts).
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { type ConnectionRole, openConnection } from '../connection.ts';

type Db = Database.Database;

/** Bumped when the state schema changes: a file of another version is rebuilt, never migrated.
 *  2: transfers and account history name accounts by integer key; history indexed in passes. */
const STATE_VERSION = 2n;

/** Transfers materialized but not yet in `account_transfers` before a pass indexes them (history
 *  reads scan at most about this many rows past `history_through`). */
export const HISTORY_PASS_TRANSFERS = 65_536;

// `transfer_rows` and `account_transfers` name accounts by the integer key the log gives them: a
// transfer row is about half as wide as with two text ids, and a history entry a third, so a pass
// dirties that many fewer pages. The view `transfers` puts the ids back, so the statements the
// tables layout runs on its `transfers` (ledger-rows.ts) read the same rows here.
const STATE_SCHEMA = `
  CREATE TABLE state_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    materialized_through INTEGER NOT NULL,
    history_through INTEGER NOT NULL
  );
  INSERT INTO state_meta (id, materialized_through, history_through) VALUES (1, 0, 0);
  CREATE TABLE accounts (
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
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
  CREATE TABLE transfer_rows (
    timestamp INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    debit_key INTEGER NOT NULL,
    credit_key INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    pending_id TEXT NOT NULL,
    timeout INTEGER NOT NULL,
    ledger INTEGER NOT NULL,
    code INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    user_data TEXT NOT NULL
  );
  CREATE VIEW transfers AS
    SELECT t.id, d.id AS debit_account_id, c.id AS credit_account_id, t.amount, t.pending_id, t.timeout, t.ledger, t.code, t.flags,
      t.user_data, t.timestamp, t.debit_key, t.credit_key
    FROM transfer_rows t JOIN accounts d ON d.key = t.debit_key JOIN accounts c ON c.key = t.credit_key;
  CREATE TABLE pending_transfers (id TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE failed_transfers (id TEXT PRIMARY KEY, result TEXT NOT NULL);
  CREATE TABLE account_transfers (
    account_key INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (account_key, timestamp)
  ) WITHOUT ROWID;
`;

/** `formica.db` -> `formica-state.db`, in the same directory. */
export function stateFileOf(commitFile: string): string {
  return `${commitFile.replace(/\.db$/, '')}-state.db`;
}

/** Removes a state file and its WAL, so the next open rebuilds it from the log. */
export function removeStateFile(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/** Opens (creating it private to its owner, 0600) a state file with its schema. Commits are not
 *  synced: whatever a crash loses here is materialized again from the log. Checkpoints still are
 *  (`synchronous=OFF` would let a power loss leave pages older than the watermark says, which
 *  nothing could detect), but only every 8,192 pages: a pass rewrites most account and history
 *  pages, so checkpointing after every few passes copies each page once instead of once per pass. */
export function openStateDatabase(file: string, role: ConnectionRole): Db {
  const db = openConnection(file, role);
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 8192');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as bigint;
    if (version === STATE_VERSION) return;
    if (version !== 0n) throw new Error(`${file} has state schema ${version}, this version writes ${STATE_VERSION}: remove it to rebuild it from the log`);
    db.exec(STATE_SCHEMA);
    db.pragma(`user_version = ${STATE_VERSION}`);
  }).immediate();
  return db;
}

/** The last log row the state file holds. */
export function materializedThrough(db: Db): number {
  return Number(db.prepare('SELECT materialized_through FROM state_meta WHERE id = 1').pluck().get() as bigint);
}
