// A connection to one of the embedded store's files, with the store's settings; the file is
// created private to its owner (0600), in a private directory.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Whether a connection writes its file or only reads it, which decides its page cache. */
export type ConnectionRole = 'writer' | 'reader';

/**
 * SQLite's own page cache per connection, in MiB. It lives in the process's heap, and a busy
 * server fills every connection's cache to its limit, so the limits are the store's memory
 * budget: 160 MiB on the log layout (the commit writer and the materializer write, the commit
 * reader and the state reader read), 80 MiB on tables. A page missed here is read from the
 * operating system's file cache, which holds the same pages without counting against the
 * process. Writers keep more, since the B-tree pages a group changes are touched again by the
 * next; readers answer point lookups and keep little. Measured in decision 41: the bench's
 * ledger rows and the fund accrual are as fast as with 256 MiB on every connection.
 */
const CACHE_MIB: Record<ConnectionRole, number> = { writer: 64, reader: 16 };

/** A connection with the store's settings; the file is created private to its owner (0600). */
export function openConnection(file: string, role: ConnectionRole): Database.Database {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.defaultSafeIntegers(true);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${-CACHE_MIB[role] * 1024}`);
  return db;
}
