// The log layout beyond the shared contract: the log is the truth. A lost, stale or tampered state
// file is rebuilt or reported against the log; a backup of the commit file alone restores the
// whole ledger; a file the tables layout wrote is converted; a log file is never read as tables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/clock.ts';
import { LedgerEngine } from '../../../engine/ledger-engine.ts';
import { verifyStore } from '../../../engine/verify.ts';
import { AccountFlag, type TransferEvent, TransferFlag } from '../../../ledger/index.ts';
import { backupDatabase, restoreDatabase } from '../backup.ts';
import { type SqliteLayout, SqliteStore } from '../sqlite-store.ts';
import type { LogLedger } from './log-ledger.ts';
import { stateFileOf } from './state-file.ts';

const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function move(id: string, from: string, to: string, amount: bigint, flags = 0): TransferEvent {
  return { id, debitAccountId: from, creditAccountId: to, amount, pendingId: null, timeout: 0, ledger: 840, code: 1, flags, userData: null };
}

/** A ledger with posted, pending and failed transfers, written in `layout`; the store is closed after. */
async function writeLedger(file: string, layout: SqliteLayout): Promise<void> {
  const store = SqliteStore.open({ file, layout });
  const engine = new LedgerEngine(store, new ManualClock());
  const wallet = AccountFlag.debits_must_not_exceed_credits;
  const accounts = ['bank', 'wallet', 'shop'].map((id) => ({ id, ledger: 840, code: 1, flags: id === 'wallet' ? wallet : 0, userData: '' }));
  expect(await engine.createAccounts(accounts)).toEqual(['ok', 'ok', 'ok']);
  expect(await engine.createTransfers([move('fund', 'bank', 'wallet', 100n)])).toEqual(['ok']);
  expect(await engine.createTransfers([move('hold', 'wallet', 'shop', 30n, TransferFlag.pending)])).toEqual(['ok']);
  expect(await engine.createTransfers([move('too-much', 'wallet', 'shop', 1_000n)])).toEqual(['exceeds_credits']);
  await engine.drained();
  await store.close();
}

/** What a store holds, as plain data to compare across layouts and reopenings. */
async function contents(store: SqliteStore) {
  const accounts = [];
  for await (const page of store.scanAccounts(100)) accounts.push(...page);
  const transfers = [];
  for await (const page of store.scanTransfers(100)) transfers.push(...page);
  const pending = [];
  for await (const page of store.scanPendingStates(100)) pending.push(...page);
  const history = await store.listAccountTransfers('wallet', { limit: 10 });
  return { accounts, transfers, pending, history, expiry: await store.nextExpiry() };
}

async function opened<T>(file: string, layout: SqliteLayout | undefined, read: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open({ file, layout });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

describe('SQLite log layout', () => {
  it('rebuilds a lost state file from the log, and one that is ahead of it', async () => {
    const file = path.join(tempDir(), 'formica.db');
    await writeLedger(file, 'log');
    const before = await opened(file, 'log', contents);
    expect(before.transfers.map((t) => t.id)).toEqual(['fund', 'hold']);
    fs.rmSync(stateFileOf(file));
    expect(await opened(file, 'log', contents)).toEqual(before);
    const state = new Database(stateFileOf(file));
    state.prepare('UPDATE state_meta SET materialized_through = 1000').run();
    state.close();
    expect(await opened(file, 'log', contents)).toEqual(before);
    expect(await opened(file, 'log', async (store) => (await verifyStore(store)).problems)).toEqual([]);
  });

  it('reports a state file that differs from the fold of the log, by account and field', async () => {
    const file = path.join(tempDir(), 'formica.db');
    await writeLedger(file, 'log');
    const state = new Database(stateFileOf(file));
    state.prepare("UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = 'shop'").run();
    state.close();
    const problems = await opened(file, 'log', async (store) => (await verifyStore(store)).problems);
    expect(problems).toEqual(
      expect.arrayContaining([
        'account shop: creditsPosted is 0 by the log, 1 in the writer memory',
        'account shop: creditsPosted is 0 by the log, 1 in the state file',
      ]),
    );
  });

  it('restores the whole ledger from a backup of the commit file alone', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'formica.db');
    await writeLedger(file, 'log');
    const before = await opened(file, 'log', contents);
    const copy = path.join(tempDir(), 'backup.db');
    await backupDatabase(dir, copy);
    const restored = restoreDatabase(copy, path.join(tempDir(), 'restored'), true);
    expect(fs.existsSync(stateFileOf(restored))).toBe(false);
    expect(await opened(restored, undefined, contents)).toEqual(before);
    expect(await opened(restored, undefined, async (store) => (await verifyStore(store)).problems)).toEqual([]);
  });

  it("rules out new transfer ids from memory once its filter holds the state file's, and still finds every held one", async () => {
    const file = path.join(tempDir(), 'formica.db');
    await writeLedger(file, 'log');
    await opened(file, 'log', async (store) => {
      const ledger = (store as unknown as { ledger: LogLedger }).ledger;
      await ledger.heldIdScan.done;
      expect(ledger.memory.heldIds.state.answering).toBe(true);
      const engine = new LedgerEngine(store, new ManualClock());
      const replays = [
        move('fund', 'bank', 'wallet', 100n),
        move('too-much', 'wallet', 'shop', 1_000n),
        move('hold', 'wallet', 'shop', 30n, TransferFlag.pending),
      ];
      expect(await engine.createTransfers(replays)).toEqual(['exists', 'id_already_failed', 'exists']);
      expect(await engine.createTransfers([move('new', 'bank', 'wallet', 5n)])).toEqual(['ok']);
      expect((await store.getAccount('wallet'))?.creditsPosted).toBe(105n);
    });
  });

  it('converts a file the tables layout wrote, and never reads a log file as tables', async () => {
    const file = path.join(tempDir(), 'formica.db');
    await writeLedger(file, 'tables');
    const before = await opened(file, 'tables', contents);
    expect(await opened(file, 'log', contents)).toEqual(before);
    expect(await opened(file, undefined, (store) => Promise.resolve(store.layout))).toBe('log');
    expect(() => SqliteStore.open({ file, layout: 'tables' })).toThrow(/log layout: open it with FORMICA_SQLITE_LAYOUT=log/);
    expect(await opened(file, 'log', async (store) => (await verifyStore(store)).problems)).toEqual([]);
  });
});
