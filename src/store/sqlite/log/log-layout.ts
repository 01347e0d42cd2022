// Turning a commit file over to the log layout. A fresh file just records `layout = 'log'`. A file
// the `tables` layout has written is converted in one transaction: its accounts (with their
// balances), transfers, pending states and failures become log rows, in chunks so no row grows
// past SQLite's limits, and the old ledger tables are emptied; the state file is then materialized
// from those rows like from any others. A file in the log layout is left as it is.
import type Database from 'better-sqlite3';
import type { TransferResult } from '../../../ledger/index.ts';
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
import { encodeRecord } from '../../log/codec.ts';
import { tablesToLog } from '../../log/tables-to-log.ts';

type Db = Database.Database;

export function adoptLogLayout(db: Db): void {
  db.transaction(() => {
    const layout = db.prepare('SELECT layout FROM ledger_meta WHERE id = 1').pluck().get();
    if (layout === 'log') return;
    convertTables(db);
    db.prepare("UPDATE ledger_meta SET layout = 'log' WHERE id = 1").run();
  }).immediate();
}

function convertTables(db: Db): void {
  const lastTimestamp = db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck().get() as bigint;
  const { records, keys } = tablesToLog({
    accounts: (db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY timestamp`).all() as AccountRow[]).map(accountFromRow),
    transfers: (db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers ORDER BY timestamp`).all() as TransferRow[]).map(transferFromRow),
    pending: (db.prepare('SELECT id, status, expires_at FROM pending_transfers').all() as PendingRow[]).map(pendingFromRow),
    failures: db.prepare('SELECT id, result FROM failed_transfers').all() as { id: string; result: TransferResult }[],
    lastTimestamp,
  });
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
