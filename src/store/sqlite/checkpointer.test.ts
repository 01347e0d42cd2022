// The embedded store checkpoints its WAL on a thread of its own: the writer connection never does,
// committed frames reach the database file, the WAL is reused from its start instead of growing,
// and what was committed survives a reopen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { TransferEvent } from '../../ledger/index.ts';
import { SqliteStore } from './sqlite-store.ts';

const ROUNDS = 10;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-checkpoint-'));
  dirs.push(dir);
  return path.join(dir, 'ledger.db');
}

function moves(round: number, count: number): TransferEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `t-${round}-${i}`,
    debitAccountId: 'bank',
    creditAccountId: 'shop',
    amount: 1n,
    pendingId: null,
    timeout: 0,
    ledger: 840,
    code: 1,
    flags: 0,
    userData: null,
  }));
}

describe('the WAL checkpointer', () => {
  it('copies committed frames off the commit path and keeps the WAL from growing without end', async () => {
    const file = tempFile();
    const store = SqliteStore.open({ file });
    const engine = new LedgerEngine(store, new ManualClock());
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0n);
    const accounts = ['bank', 'shop'].map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' }));
    expect(await engine.createAccounts(accounts)).toEqual(['ok', 'ok']);

    const walSizes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      expect(new Set(await engine.createTransfers(moves(round, 2_000)))).toEqual(new Set(['ok']));
      // The checkpoint this round's commit asked for, so the next round can reuse the WAL.
      await store.checkpointer?.flush();
      walSizes.push(fs.statSync(`${file}-wal`).size);
    }
    expect(store.checkpointer?.stats.failures).toBe(0);
    expect(store.checkpointer?.stats.framesCopied).toBeGreaterThan(0);
    // Without checkpoints the WAL would hold every round (about ROUNDS times the first); restarted
    // after each, it stays within a few rounds' size (an account-index pass may share a round).
    expect(walSizes.at(-1)).toBeLessThan(walSizes[0] * 4);
    await store.close();

    const reopened = SqliteStore.open({ file });
    expect((await reopened.getAccount('shop'))?.creditsPosted).toBe(BigInt(ROUNDS * 2_000));
    await reopened.close();
  }, 60_000);
});
