// Statements on the ledger's row tables (transfers, pending_transfers, failed_transfers), which the
// `tables` layout keeps in the commit file and the `log` layout in its state file, the same columns in both.
import type Database from 'better-sqlite3';
import { TRANSFER_COLUMNS } from '../rows.ts';

export function ledgerRowReads(db: Database.Database) {
  return {
    anyFailure: db.prepare('SELECT 1 FROM failed_transfers LIMIT 1'),
    transfer: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ?`),
    transfersIn: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id IN (SELECT value FROM json_each(?))`),
    pendingIn: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id IN (SELECT value FROM json_each(?))'),
    failedIn: db.prepare('SELECT id, result FROM failed_transfers WHERE id IN (SELECT value FROM json_each(?))'),
    transfersAfter: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > ? ORDER BY timestamp LIMIT ?`),
    pendingAfter: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id > ? ORDER BY id LIMIT ?'),
  };
}

export function ledgerRowWrites(db: Database.Database) {
  return {
    insertTransfer: db.prepare(`INSERT INTO transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertPending: db.prepare('INSERT INTO pending_transfers (id, status, expires_at) VALUES (?, ?, ?)'),
    resolvePending: db.prepare('UPDATE pending_transfers SET status = ? WHERE id = ?'),
    insertFailure: db.prepare('INSERT INTO failed_transfers (id, result) VALUES (?, ?)'),
  };
}
