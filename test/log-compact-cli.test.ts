// `formica ledger compact` as an operator runs it on a log-layout data directory: it reports its
// progress and what it compacted, and `formica verify` is clean after it, also once the state file
// is removed and rebuilt from the compacted log.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { LedgerEngine } from '../src/engine/ledger-engine.ts';
import { stateFileOf } from '../src/store/sqlite/log/state-file.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-compact-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function formica(...args: string[]) {
  const env = { ...process.env, FORMICA_DATA_DIR: dataDir, DATABASE_URL: '', FORMICA_SQLITE_LAYOUT: '' };
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });
}

describe('formica ledger compact', () => {
  it('compacts the log and leaves a ledger that verifies, before and after a rebuild', { timeout: 240_000 }, async () => {
    const file = path.join(dataDir, 'formica.db');
    const store = SqliteStore.open({ file, layout: 'log' });
    const engine = new LedgerEngine(store, new ManualClock());
    await engine.createAccounts(['c1', 'c2', 'c3'].map((id) => ({ id, ledger: 156, code: 1, flags: 0, userData: '' })));
    const move = { pendingId: null, ledger: 156, code: 1, userData: null, timeout: 0, flags: 0 };
    for (let i = 0; i < 12; i++) {
      await engine.createTransfers([
        { ...move, id: `ct${i}`, debitAccountId: `c${(i % 3) + 1}`, creditAccountId: `c${((i + 1) % 3) + 1}`, amount: BigInt(i + 1) },
      ]);
    }
    await store.caughtUp();
    await store.close();

    const compacted = formica('ledger', 'compact', '--retain', '2');
    expect(compacted.status, compacted.stderr).toBe(0);
    expect(compacted.stderr).toContain('compacted 11/11 log rows');
    expect(compacted.stdout).toMatch(/compacted log rows 1-11 of 13 \(\d+ rewritten, 3 accounts carried\): \d+ bytes -> \d+ bytes/);
    const again = formica('ledger', 'compact', '--retain', '20');
    expect(again.stdout).toContain('nothing to compact: the log has 13 rows, 13 materialized, the newest 20 retained');
    expect(formica('ledger', 'compact', '--retain', 'many').stderr).toContain("--retain must be a whole number of log rows, not 'many'");

    // The state file is rebuilt from the compacted log, and verify folds that log from its first row.
    fs.rmSync(stateFileOf(file));
    const verified = formica('verify');
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/verified \d+ accounts and 12 transfers\nledger is consistent: every invariant holds/);
  });
});
