// `formica verify` as an operator runs it: clean on a consistent store, a clear report and a
// non-zero exit once a balance no longer matches its transfers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { stateFileOf } from '../src/store/sqlite/log/state-file.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-verify-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function verify() {
  const env = { ...process.env, FORMICA_DATA_DIR: dataDir, DATABASE_URL: '' };
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify'], { env, encoding: 'utf8' });
}

describe('formica verify', () => {
  it('passes a consistent store and reports a tampered balance', async () => {
    const app = await createFormica({ dataDir, clock: new ManualClock(), runJobs: false });
    await app.engine.createAccounts([
      { id: 'v1', ledger: 156, code: 1, flags: 0, userData: '' },
      { id: 'v2', ledger: 156, code: 1, flags: 0, userData: '' },
    ]);
    const transfer = { debitAccountId: 'v1', creditAccountId: 'v2', pendingId: null, ledger: 156, code: 1, userData: null };
    await app.engine.createTransfers([
      { ...transfer, id: 'vt1', amount: 500n, timeout: 0, flags: 0 },
      { ...transfer, id: 'vt2', amount: 200n, timeout: 60, flags: 2 },
    ]);
    await app.close();

    const clean = verify();
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('every invariant holds');

    // The accounts' rows are in the commit file (tables layout) or in the state file (log layout).
    const file = path.join(dataDir, 'formica.db');
    const store = SqliteStore.open({ file });
    const rows = store.layout === 'log' ? new Database(stateFileOf(file)) : store.db;
    rows.prepare("UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = 'v2'").run();
    if (rows !== store.db) rows.close();
    await store.close();

    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('account v2: creditsPosted is 501 but its transfers add up to 500');
    expect(broken.stdout).toContain('debits posted 500 != credits posted 501');
  });
});
