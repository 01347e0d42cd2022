// A connection to one of the embedded store's files, with the store's settings; the file is
// created private to its owner (0600), in a private directory.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A connection with the store's settings; the file is created private to its owner (0600). */
export function openConnection(file: string): Database.Database {
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
  db.pragma('cache_size = -262144');
  return db;
}
