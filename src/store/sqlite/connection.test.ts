// The store's page caches are its memory budget: the writer keeps the larger cache, the reader the
// smaller one, on either layout (a role swapped or forgotten would put the budget back at
// SQLite's default or the other role's size).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_LAYOUTS } from './sqlite-ledger.ts';
import { SqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A cache limit in MiB, from SQLite's negative (KiB) `cache_size`. */
function cacheMiB(db: SqliteStore['db']): number {
  return -Number(db.pragma('cache_size', { simple: true })) / 1024;
}

describe.each(SQLITE_LAYOUTS)('SQLite page caches (%s layout)', (layout) => {
  it('gives the writer 64 MiB and the reader 16 MiB', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-cache-'));
    dirs.push(dir);
    const store = SqliteStore.open({ file: path.join(dir, 'formica.db'), layout });
    try {
      expect(cacheMiB(store.db)).toBe(64);
      expect(cacheMiB(store.reader)).toBe(16);
    } finally {
      await store.close();
    }
  });
});
