// Turning a commit file over to the log layout. A fresh file just records `layout = 'log'`. A file
// the `tables` layout has written is converted in one transaction: its accounts (with their
// balances), transfers, pending states and failures become log rows, in chunks so no row grows
// past SQLite's limits, and the old ledger tables are emptied; the state file is then materialized
// from those rows like from any others. A file in the log layout is left as it is.
import type Database from 'better-sqlite3';
import type { PendingState, TransferResult } from '../../../ledger/index.ts';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  accountFromRow,
  type PendingRow,
  pendingFromRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  transferFromRow,
} from '../../rows.ts';
import { encodeRecord, type LogRecord } from './codec.ts';

type Db = Database.Database;

/** Accounts, transfers, pending states or failures per converted log row. */
const CHUNK = 65_536;

export function adoptLogLayout(db: Db): void {
  db.transaction(() => {
    const layout = db.prepare('SELECT layout FROM ledger_meta WHERE id = 1').pluck().get();
    if (layout === 'log') return;
    convertTables(db);
    db.prepare("UPDATE ledger_meta SET layout = 'log' WHERE id = 1").run();
  }).immediate();
}

function convertTables(db: Db): void {
  const keys = new Map<string, number>();
  const lastTimestamp = db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck().get() as bigint;
  const records: LogRecord[] = [];
  const empty = { newAccounts: [], afterImages: [], transfers: [], newPending: [], resolvedPending: [], failures: [], lastTimestamp };
  const accounts = (db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY timestamp`).all() as AccountRow[]).map(accountFromRow);
  for (const [i, account] of accounts.entries()) keys.set(account.id, i + 1);
  for (let i = 0; i < accounts.length; i += CHUNK) {
    records.push({ ...empty, newAccounts: accounts.slice(i, i + CHUNK).map((account, j) => ({ key: i + j + 1, account })) });
  }
  const transfers = (db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers ORDER BY timestamp`).all() as TransferRow[]).map(transferFromRow);
  for (let i = 0; i < transfers.length; i += CHUNK) records.push({ ...empty, transfers: transfers.slice(i, i + CHUNK) });
  const pending: PendingState[] = (db.prepare('SELECT id, status, expires_at FROM pending_transfers').all() as PendingRow[]).map(pendingFromRow);
  const failures = db.prepare('SELECT id, result FROM failed_transfers').all() as { id: string; result: TransferResult }[];
  for (let i = 0; i < pending.length; i += CHUNK) records.push({ ...empty, newPending: pending.slice(i, i + CHUNK) });
  for (let i = 0; i < failures.length; i += CHUNK) records.push({ ...empty, failures: failures.slice(i, i + CHUNK) });
  if (records.length === 0) return;
  const append = db.prepare('INSERT INTO ledger_log (seq, last_timestamp, accounts, transfers, pending, failures) VALUES (?, ?, ?, ?, ?, ?)');
  const keyOf = (id: string) => keys.get(id) as number;
  for (const [i, record] of records.entries()) {
    const blobs = encodeRecord(record, keyOf);
    append.run(i + 1, lastTimestamp, blobs.accounts, blobs.transfers, blobs.pending, blobs.failures);
  }
  db.prepare('UPDATE ledger_meta SET log_seq = ? WHERE id = 1').run(records.length);
  for (const table of ['accounts', 'transfers', 'pending_transfers', 'failed_transfers', 'account_transfers']) db.exec(`DELETE FROM ${table}`);
}
