// Log compaction on real files: after compaction (in several chunks, twice, with writes between
// and after), a state file removed and rebuilt from the log holds exactly the same accounts,
// transfers, pending states and every account's history, `verify` is clean, and the log is smaller.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/clock.ts';
import { LedgerEngine } from '../../../engine/ledger-engine.ts';
import { verifyStore } from '../../../engine/verify.ts';
import { AccountFlag, type TransferEvent, TransferFlag } from '../../../ledger/index.ts';
import { SqliteStore } from '../sqlite-store.ts';
import { decodeAccounts } from '../../log/codec.ts';
import { compactLog } from './log-compaction.ts';
import { stateFileOf } from './state-file.ts';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const ACCOUNTS = Array.from({ length: 12 }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
/** Accounts moved only in the first rows: their balances live on only in the compacted rows. */
const EARLY = ['early-a', 'early-b'];

function move(id: string, from: string, to: string, amount: bigint, flags = 0, pendingId: string | null = null): TransferEvent {
  return {
    id,
    debitAccountId: from,
    creditAccountId: to,
    amount,
    pendingId,
    timeout: flags & TransferFlag.pending ? 3600 : 0,
    ledger: 840,
    code: 1,
    flags,
    userData: null,
  };
}

/** `batches` groups of transfers among the accounts: posted, pending then posted or voided, refused. */
async function write(engine: LedgerEngine, prefix: string, batches: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const events: TransferEvent[] = [];
    for (let i = 0; i < 5; i++) {
      const from = ACCOUNTS[(b + i) % ACCOUNTS.length];
      const to = ACCOUNTS[(b * 7 + i + 1) % ACCOUNTS.length];
      if (from !== to) events.push(move(`${prefix}-${b}-${i}`, from, to, BigInt(1 + ((b * 13 + i) % 50))));
    }
    events.push(move(`${prefix}-${b}-hold`, ACCOUNTS[0], ACCOUNTS[(b % 11) + 1], 5n, TransferFlag.pending));
    if (b > 0) {
      const resolve = b % 2 === 0 ? TransferFlag.post_pending_transfer : TransferFlag.void_pending_transfer;
      events.push(move(`${prefix}-${b}-resolve`, ACCOUNTS[0], ACCOUNTS[((b - 1) % 11) + 1], 0n, resolve, `${prefix}-${b - 1}-hold`));
    }
    // Refused: the capped account cannot go below zero.
    events.push(move(`${prefix}-${b}-refused`, 'capped', ACCOUNTS[0], 1_000_000n));
    await engine.createTransfers(events);
  }
}

async function open(file: string) {
  const store = SqliteStore.open({ file, layout: 'log' });
  return { store, engine: new LedgerEngine(store, new ManualClock()) };
}

/** Everything the store answers about the ledger, as plain data. */
async function contents(store: SqliteStore) {
  const pages = async <T>(scan: AsyncIterable<T[]>) => {
    const all: T[] = [];
    for await (const page of scan) all.push(...page);
    return all;
  };
  const history: Record<string, unknown> = {};
  for (const id of [...ACCOUNTS, ...EARLY, 'capped']) history[id] = (await store.listAccountTransfers(id, { limit: 10_000 })).transfers;
  return {
    accounts: await pages(store.scanAccounts(5)),
    transfers: await pages(store.scanTransfers(7)),
    pending: await pages(store.scanPendingStates(3)),
    history,
    counts: await store.counts(),
    expiry: await store.nextExpiry(),
    failed: await Promise.all(['a-3-refused', 'b-2-refused'].map((id) => store.getTransfer(id))),
  };
}

/** Each log row's after-image count, by seq. */
function afterImages(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT accounts FROM ledger_log ORDER BY seq').pluck().all() as Buffer[]).map((b) => decodeAccounts(b).afterImages.length);
  } finally {
    db.close();
  }
}

describe('log compaction', () => {
  it('folds away after-images and a state file rebuilt after it holds the same ledger', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-compaction-'));
    dirs.push(dir);
    const file = path.join(dir, 'formica.db');
    const { store, engine } = await open(file);
    const created = await engine.createAccounts([
      ...ACCOUNTS.map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' })),
      ...EARLY.map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' })),
      { id: 'capped', ledger: 840, code: 1, flags: AccountFlag.debits_must_not_exceed_credits, userData: '' },
    ]);
    expect(created.every((r) => r === 'ok')).toBe(true);
    expect(await engine.createTransfers([move('early-1', 'early-a', 'early-b', 77n)])).toEqual(['ok']);
    expect(await engine.createTransfers([move('early-2', 'early-b', 'early-a', 7n)])).toEqual(['ok']);
    await write(engine, 'a', 30);
    const seen: [number, number][] = [];
    const first = await compactLog(store, { retainRows: 5, chunkRows: 7, progress: (done, total) => seen.push([done, total]) });
    expect(first.through).toBe(first.logSeq - 5);
    expect(seen.at(-1)).toEqual([first.through, first.through]);
    expect(seen.length).toBe(Math.ceil(first.through / 7));
    expect(first.accounts).toBe(ACCOUNTS.length + EARLY.length);
    expect(first.bytesAfter).toBeLessThan(first.bytesBefore);
    const images = afterImages(file);
    // Only the last compacted row and the retained rows keep after-images.
    expect(images.slice(0, first.through - 1).every((n) => n === 0)).toBe(true);
    expect(images[first.through - 1]).toBe(ACCOUNTS.length + EARLY.length);
    expect(images.slice(first.through).every((n) => n > 0)).toBe(true);
    expect((await verifyStore(store)).problems).toEqual([]);
    // Writes after it, a second compaction over the first, and more writes.
    await write(engine, 'b', 12);
    const second = await compactLog(store, { retainRows: 3, chunkRows: 4 });
    expect(second.through).toBe(second.logSeq - 3);
    expect(await compactLog(store, { retainRows: 3, chunkRows: 100 })).toMatchObject({ through: second.through, bytesAfter: second.bytesAfter });
    await write(engine, 'c', 4);
    const before = await contents(store);
    expect(before.transfers.length).toBeGreaterThan(200);
    expect(before.pending.some((p) => p.status === 'voided')).toBe(true);
    expect(before.failed.every((t) => t === undefined)).toBe(true);
    expect((await verifyStore(store)).problems).toEqual([]);
    await store.close();

    fs.rmSync(stateFileOf(file));
    const rebuilt = await open(file);
    expect(await contents(rebuilt.store)).toEqual(before);
    expect((await verifyStore(rebuilt.store)).problems).toEqual([]);
    // A refused id stays refused: the failures survived compaction too.
    expect(await rebuilt.engine.createTransfers([move('a-3-refused', 'capped', ACCOUNTS[0], 1_000_000n)])).toEqual(['id_already_failed']);
    await rebuilt.store.close();
  });

  it('brings a state file from before the compaction (an earlier fold) to the same ledger', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-compaction-'));
    dirs.push(dir);
    const file = path.join(dir, 'formica.db');
    const first = await open(file);
    await first.engine.createAccounts([...ACCOUNTS, ...EARLY].map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' })));
    await first.engine.createAccounts([{ id: 'capped', ledger: 840, code: 1, flags: AccountFlag.debits_must_not_exceed_credits, userData: '' }]);
    await first.engine.createTransfers([move('early-1', 'early-a', 'early-b', 77n)]);
    await write(first.engine, 'a', 6);
    await first.store.close();
    // The state file as it stood then: materialized through a row the compaction will pass.
    const old = path.join(dir, 'old-state.db');
    fs.copyFileSync(stateFileOf(file), old);
    const second = await open(file);
    await write(second.engine, 'b', 10);
    await second.engine.createTransfers([move('early-2', 'early-b', 'early-a', 7n)]);
    await write(second.engine, 'c', 10);
    const report = await compactLog(second.store, { retainRows: 2, chunkRows: 5 });
    expect(report.through).toBeGreaterThan(10);
    const before = await contents(second.store);
    await second.store.close();
    for (const f of [stateFileOf(file), `${stateFileOf(file)}-wal`, `${stateFileOf(file)}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(old, stateFileOf(file));
    const third = await open(file);
    expect(await contents(third.store)).toEqual(before);
    expect((await verifyStore(third.store)).problems).toEqual([]);
    await third.store.close();
  });

  it('compacts from a second store on the same file while the first one writes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-compaction-'));
    dirs.push(dir);
    const file = path.join(dir, 'formica.db');
    const server = await open(file);
    await server.engine.createAccounts([...ACCOUNTS, ...EARLY].map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' })));
    await server.engine.createAccounts([{ id: 'capped', ledger: 840, code: 1, flags: AccountFlag.debits_must_not_exceed_credits, userData: '' }]);
    await server.engine.createTransfers([move('early-1', 'early-a', 'early-b', 77n)]);
    await write(server.engine, 'a', 20);
    const operator = await open(file);
    const [report] = await Promise.all([compactLog(operator.store, { retainRows: 2, chunkRows: 3 }), write(server.engine, 'b', 10)]);
    expect(report.through).toBeGreaterThan(15);
    await operator.store.close();
    await write(server.engine, 'c', 3);
    const before = await contents(server.store);
    expect((await verifyStore(server.store)).problems).toEqual([]);
    await server.store.close();
    fs.rmSync(stateFileOf(file));
    const rebuilt = await open(file);
    expect(await contents(rebuilt.store)).toEqual(before);
    expect((await verifyStore(rebuilt.store)).problems).toEqual([]);
    await rebuilt.store.close();
  });

  it('leaves the log as it is when nothing is old enough, and refuses the tables layout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-compaction-'));
    dirs.push(dir);
    const { store, engine } = await open(path.join(dir, 'formica.db'));
    await engine.createAccounts(ACCOUNTS.map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' })));
    expect(await compactLog(store)).toMatchObject({ through: 0, rowsRewritten: 0 });
    await store.close();
    const tables = SqliteStore.open({ file: path.join(dir, 'tables.db'), layout: 'tables' });
    await expect(compactLog(tables)).rejects.toThrow(/only the log layout has a log to compact/);
    await tables.close();
  });
});
