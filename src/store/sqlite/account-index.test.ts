// The SQLite store's deferred account index answers every history query exactly as a full scan
// would, whether a transfer is indexed or still in the tail, across passes, reruns and reopens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { Transfer, TransferEvent } from '../../ledger/index.ts';
import type { TransferQuery } from '../store.ts';
import type { CatchUpPolicy } from '../catch-up.ts';
import { SQLITE_MIGRATIONS } from './schema.ts';
import { migrate, SqliteStore } from './sqlite-store.ts';

const MANUAL: CatchUpPolicy = { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 0 };
const ACCOUNTS = ['a', 'b', 'c', 'd'];
const dirs: string[] = [];

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-index-'));
  dirs.push(dir);
  return path.join(dir, 'ledger.db');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Transfer `n` of a fixed pattern: every pair of accounts, two codes, two user data values. */
function move(n: number): TransferEvent {
  const from = ACCOUNTS[n % 4];
  const to = ACCOUNTS[(n + 1 + (n % 3)) % 4];
  return {
    id: `t${String(n).padStart(4, '0')}`,
    debitAccountId: from,
    creditAccountId: to,
    amount: BigInt(n + 1),
    pendingId: null,
    timeout: 0,
    ledger: 840,
    code: 1 + (n % 2),
    flags: 0,
    userData: n % 3 === 0 ? 'x' : null,
  };
}

async function open(file: string, policy: CatchUpPolicy = MANUAL) {
  const store = SqliteStore.open({ file, catchUp: policy, layout: 'tables' });
  const engine = new LedgerEngine(store, new ManualClock());
  return { store, engine };
}

async function seeded(file: string, policy: CatchUpPolicy = MANUAL) {
  const { store, engine } = await open(file, policy);
  const events = ACCOUNTS.map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' }));
  expect(await engine.createAccounts(events)).toEqual(ACCOUNTS.map(() => 'ok'));
  return { store, engine };
}

async function post(engine: LedgerEngine, from: number, to: number): Promise<void> {
  const events = Array.from({ length: to - from }, (_, i) => move(from + i));
  expect(await engine.createTransfers(events)).toEqual(events.map(() => 'ok'));
}

function watermark(store: SqliteStore): bigint {
  return store.db.prepare('SELECT account_index_through FROM ledger_meta WHERE id = 1').pluck().get() as bigint;
}

/** What a query must return: a full scan of the transfers, filtered and cut. */
async function scanned(store: SqliteStore, account: string, q: Omit<TransferQuery, 'limit'>): Promise<Transfer[]> {
  const out: Transfer[] = [];
  for await (const page of store.scanTransfers(1000)) {
    for (const t of page) {
      if (t.debitAccountId !== account && t.creditAccountId !== account) continue;
      if (t.timestamp <= (q.after ?? 0n) || (q.until !== undefined && t.timestamp > q.until)) continue;
      if ((q.code !== undefined && t.code !== q.code) || (q.userData !== undefined && t.userData !== q.userData)) continue;
      out.push(t);
    }
  }
  return out;
}

/** Reads every page of a query, `limit` at a time. */
async function paged(store: SqliteStore, account: string, q: Omit<TransferQuery, 'limit'>, limit: number): Promise<Transfer[]> {
  const out: Transfer[] = [];
  let after = q.after;
  for (;;) {
    const page = await store.listAccountTransfers(account, { ...q, after, limit });
    out.push(...page.transfers);
    if (page.next === null) return out;
    after = page.next;
  }
}

/** Every account, several page sizes and filters, a window either side of `pivot`: paged reads equal the scan. */
async function expectHistoriesMatchScan(store: SqliteStore, pivot: bigint): Promise<void> {
  const queries: Omit<TransferQuery, 'limit'>[] = [
    {},
    { code: 2 },
    { userData: 'x' },
    { after: pivot - 3n },
    { until: pivot + 2n },
    { after: pivot - 5n, until: pivot + 5n, code: 1 },
    { after: pivot },
  ];
  for (const account of ACCOUNTS) {
    for (const q of queries) {
      const want = (await scanned(store, account, q)).map((t) => t.id);
      for (const limit of [1, 3, 7, 100]) {
        expect(
          (await paged(store, account, q, limit)).map((t) => t.id),
          JSON.stringify({ account, q: String(q.after), limit }),
        ).toEqual(want);
      }
    }
  }
}

describe('SQLite account index', () => {
  it('pages correctly with every transfer in the tail, some indexed, and all indexed', async () => {
    const { store, engine } = await seeded(tempFile());
    await post(engine, 0, 20);
    const first = await store.getTransfer('t0019');
    const firstHalfEnd = first?.timestamp ?? 0n;
    expect(watermark(store)).toBe(0n);
    await expectHistoriesMatchScan(store, firstHalfEnd);

    expect(store.catchUpAccountIndex()).toBe(20);
    await post(engine, 20, 40);
    expect(watermark(store)).toBe(firstHalfEnd);
    // Pages that start in the index and end in the tail, and windows either side of the watermark.
    await expectHistoriesMatchScan(store, firstHalfEnd);

    expect(store.catchUpAccountIndex()).toBe(20);
    expect(watermark(store)).toBe((await store.getTransfer('t0039'))?.timestamp);
    await expectHistoriesMatchScan(store, firstHalfEnd);
    await store.close();
  });

  it('indexes each transfer once however often catch-up runs, even from an older watermark', async () => {
    const { store, engine } = await seeded(tempFile());
    await post(engine, 0, 30);
    expect(store.catchUpAccountIndex()).toBe(30);
    expect(store.catchUpAccountIndex()).toBe(0);
    const rows = () => store.db.prepare('SELECT count(*) FROM account_transfers').pluck().get();
    expect(rows()).toBe(60n);
    // As if a pass had been cut off after writing rows but before moving the watermark.
    store.db.prepare('UPDATE ledger_meta SET account_index_through = 0').run();
    expect(store.catchUpAccountIndex()).toBe(30);
    expect(rows()).toBe(60n);
    await expectHistoriesMatchScan(store, (await store.getTransfer('t0015'))?.timestamp ?? 0n);
    // The cache was dropped by that outside write, not corrupted by it.
    await post(engine, 30, 35);
    expect((await store.getAccount('a'))?.debitsPosted).toBe(
      Array.from({ length: 35 }, (_, n) => move(n)).reduce((sum, t) => (t.debitAccountId === 'a' ? sum + (t.amount ?? 0n) : sum), 0n),
    );
    await store.close();
  });

  it('keeps the index and the tail across close and reopen, and indexes the old tail by itself', async () => {
    const file = tempFile();
    const first = await seeded(file);
    await post(first.engine, 0, 10);
    first.store.catchUpAccountIndex();
    await post(first.engine, 10, 25);
    const through = watermark(first.store);
    await first.store.close();

    const { store } = await open(file, { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 5 });
    const pivot = (await store.getTransfer('t0010'))?.timestamp ?? 0n;
    // Whether or not the idle pass has run yet, answers are the same.
    await expectHistoriesMatchScan(store, pivot);
    expect(watermark(store) >= through).toBe(true);
    await vi.waitFor(() => expect(watermark(store)).toBe(store.db.prepare('SELECT max(timestamp) FROM transfers').pluck().get()));
    await expectHistoriesMatchScan(store, pivot);
    await store.close();
  });

  it('starts a pass after the commit that makes the tail long enough', async () => {
    const { store, engine } = await seeded(tempFile(), { tailTransfers: 8, idleMs: 0 });
    await post(engine, 0, 5);
    await new Promise((resolve) => setImmediate(resolve));
    expect(watermark(store)).toBe(0n);
    await post(engine, 5, 10);
    await vi.waitFor(() => expect(watermark(store)).toBe(store.db.prepare('SELECT max(timestamp) FROM transfers').pluck().get()));
    expect(store.phases.indexedTransfers).toBe(10);
    await store.close();
  });

  it('migrates a database that still has the per-account indexes, indexing its transfers', async () => {
    const file = tempFile();
    const old = new Database(file);
    old.defaultSafeIntegers(true);
    migrate(old, 'ledger', SQLITE_MIGRATIONS.slice(0, 1));
    const insert = old.prepare(
      `INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, timeout, ledger, code, flags, user_data, timestamp)
       VALUES (?, ?, ?, 1, '', 0, 840, 1, 0, '', ?)`,
    );
    for (let n = 1; n <= 12; n++) insert.run(`old${n}`, ACCOUNTS[n % 4], ACCOUNTS[(n + 1) % 4], BigInt(n));
    old.prepare('UPDATE ledger_meta SET last_timestamp = 12').run();
    old.close();

    const { store } = await open(file);
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transfers'").pluck().all();
    expect(indexes).not.toContain('transfers_by_debit_account');
    expect(indexes).not.toContain('transfers_by_credit_account');
    expect(watermark(store)).toBe(12n);
    const page = await store.listAccountTransfers('b', { limit: 100 });
    expect(page.transfers.map((t) => t.id)).toEqual(['old1', 'old4', 'old5', 'old8', 'old9', 'old12']);
    await store.close();
  });
});
