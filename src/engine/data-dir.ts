// The data directory holds the embedded store and the installation's secrets (key files, the
// operator token's hash): it is made private to its owner at every start, the directory 0700 and
// every file in it 0600, so files left readable by an earlier version or by hand are closed too.
// SQLite gives its -wal and -shm files the mode of the database file, so they stay 0600 as well.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  closeToOthers(dir);
}

function closeToOthers(dir: string): void {
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) closeToOthers(full);
    else if (entry.isFile()) fs.chmodSync(full, PRIVATE_FILE_MODE);
  }
}
