// Backup and restore of the embedded store. A backup copies the live database page by page through
// SQLite's online backup (readers and the writer go on meanwhile; a write from another process
// restarts the copy, so what lands is one consistent moment). A restore puts a checked copy in
// place, private to its owner. Key files are not part of it: they are kept apart on purpose.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../../engine/data-dir.ts';

export const DATABASE_FILE = 'formica.db';
/** Pages copied per step: about 20 steps whatever the size, never fewer pages than this. */
const MIN_STEP_PAGES = 1_000;

export type BackupProgress = (copiedPages: number, totalPages: number) => void;

export class BackupRefused extends Error {}

export async function backupDatabase(dataDir: string, to: string, progress: BackupProgress = () => {}, force = false): Promise<{ pages: number }> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(source)) throw new BackupRefused(`no database at ${source}`);
  if (fs.existsSync(to) && !force) throw new BackupRefused(`${to} exists; pass --force to overwrite it`);
  // Created empty and private first, so the copy is never readable by others, not even for a moment.
  fs.writeFileSync(to, '', { mode: PRIVATE_FILE_MODE });
  fs.chmodSync(to, PRIVATE_FILE_MODE);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const done = await db.backup(to, {
      progress: ({ totalPages, remainingPages }) => {
        progress(totalPages - remainingPages, totalPages);
        return Math.max(MIN_STEP_PAGES, Math.ceil(totalPages / 20));
      },
    });
    progress(done.totalPages, done.totalPages);
    return { pages: done.totalPages };
  } finally {
    db.close();
  }
}

/** Checks that `file` is a whole Formica database before anything is touched. */
function checkBackupFile(file: string): void {
  if (!fs.existsSync(file)) throw new BackupRefused(`no backup at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupRefused(`${file} is damaged: ${String(integrity)}`);
    const ledger = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").get();
    if (!ledger) throw new BackupRefused(`${file} is not a Formica database (it has no ledger)`);
  } catch (error) {
    if (error instanceof BackupRefused) throw error;
    throw new BackupRefused(`${file} is not a SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db.close();
  }
}

/** Restores `from` as the data directory's database; a directory with anything in it needs `force`. */
export function restoreDatabase(from: string, dataDir: string, force = false): string {
  checkBackupFile(from);
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0 && !force) {
    throw new BackupRefused(`${dataDir} is not empty; pass --force to replace its database (its key files stay)`);
  }
  makePrivateDir(dataDir);
  const target = path.join(dataDir, DATABASE_FILE);
  const staging = `${target}.restoring`;
  fs.copyFileSync(from, staging);
  fs.chmodSync(staging, PRIVATE_FILE_MODE);
  const fd = fs.openSync(staging, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  // A write-ahead log left by the replaced database would be replayed onto the restored one.
  for (const stale of [`${target}-wal`, `${target}-shm`]) fs.rmSync(stale, { force: true });
  fs.renameSync(staging, target);
  return target;
}
