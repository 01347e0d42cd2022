// The log layout's materializing worker under supervision, on real files: a worker killed mid-run
// is restarted and the state file catches up; a worker that fails every time makes the reads that
// need the state file (and a writer held by the tail limit) reject with a clear error instead of
// hanging, and heals in place once the cause is gone; the tail limit holds the writer while the
// worker is paused and releases it after.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/clock.ts';
import { LedgerEngine } from '../../../engine/ledger-engine.ts';
import { verifyStore } from '../../../engine/verify.ts';
import type { TransferEvent } from '../../../ledger/index.ts';
import { SqliteStore, type SqliteStoreOptions } from '../sqlite-store.ts';
import type { LogLedger } from './log-ledger.ts';
import { stateFileOf } from './state-file.ts';

const dirs: string[] = [];
const stores: SqliteStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function move(id: string, amount = 1n): TransferEvent {
  return { id, debitAccountId: 'bank', creditAccountId: 'wallet', amount, pendingId: null, timeout: 0, ledger: 840, code: 1, flags: 0, userData: null };
}

/** The tries after giving up, each released by hand: restarts before it never sleep. */
class RetryGate {
  waiting = 0;
  private release: (() => void)[] = [];

  delay = (_ms: number, keepAlive: boolean): Promise<void> => {
    if (keepAlive) return Promise.resolve();
    this.waiting++;
    return new Promise((resolve) => this.release.push(resolve));
  };

  open(): void {
    this.waiting = 0;
    for (const release of this.release.splice(0)) release();
  }
}

/** A fresh log-layout store with two accounts; warnings are collected, restarts never sleep and
 *  the tries after giving up wait for `gate`. */
async function open(log: SqliteStoreOptions['log'] = {}, gate = new RetryGate()) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-supervision-'));
  dirs.push(dir);
  const file = path.join(dir, 'formica.db');
  const warnings: string[] = [];
  const store = SqliteStore.open({
    file,
    layout: 'log',
    log: { ...log, materializer: { delay: gate.delay, warn: (m) => warnings.push(m), ...log.materializer } },
  });
  stores.push(store);
  const engine = new LedgerEngine(store, new ManualClock());
  const accounts = ['bank', 'wallet'].map((id) => ({ id, ledger: 840, code: 1, flags: 0, userData: '' }));
  expect(await engine.createAccounts(accounts)).toEqual(['ok', 'ok']);
  const ledger = (store as unknown as { ledger: LogLedger }).ledger;
  return { file, store, engine, ledger, warnings };
}

function logSeq(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.prepare('SELECT log_seq FROM ledger_meta').pluck().get());
  } finally {
    db.close();
  }
}

function watermark(file: string): number {
  const db = new Database(stateFileOf(file), { readonly: true });
  try {
    return Number(db.prepare('SELECT materialized_through FROM state_meta').pluck().get());
  } finally {
    db.close();
  }
}

async function transferIds(store: SqliteStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of store.scanTransfers(1_000)) ids.push(...page.map((t) => t.id));
  return ids;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Waits for a worker thread to get somewhere, turn by turn (never by the clock). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await nextTurn();
}

/** Lets every ready callback run, several times over: a writer that could move has moved. */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

/** A store whose state file refuses every pass, as a full disk or an I/O error would, once
 *  transfer 'a' is acknowledged; the supervisor gives up after 3 restarts. */
async function failingStore(gate: RetryGate) {
  const opened = await open({ tailLimit: { rows: 2 }, materializer: { maxRestarts: 3 } }, gate);
  await opened.store.caughtUp();
  const state = new Database(stateFileOf(opened.file));
  state.exec("CREATE TRIGGER no_progress BEFORE UPDATE ON state_meta BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END");
  state.close();
  expect(await opened.engine.createTransfers([move('a')])).toEqual(['ok']);
  await expect(opened.store.caughtUp()).rejects.toThrow(/not being materialized: its worker failed 4 times in a row without progress/);
  return opened;
}

function removeCause(file: string): void {
  const fixed = new Database(stateFileOf(file));
  fixed.exec('DROP TRIGGER no_progress');
  fixed.close();
}

describe('the log layout worker, supervised', () => {
  it('restarts a worker killed mid-run; the state file catches up from its watermark and reads answer', async () => {
    const { file, store, engine, ledger, warnings } = await open();
    const ids = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const written = ids.map((id) => engine.createTransfers([move(id)]));
    await written[0];
    await ledger.worker.killWorker();
    expect(await Promise.all(written)).toEqual(ids.map(() => ['ok']));
    // And once more with everything written: the restarted worker is killed too.
    await ledger.worker.killWorker();
    expect(await engine.createTransfers([move('after')])).toEqual(['ok']);
    await store.caughtUp();
    expect(watermark(file)).toBe(logSeq(file));
    expect((await transferIds(store)).sort()).toEqual([...ids, 'after'].sort());
    expect((await store.getAccount('wallet'))?.creditsPosted).toBe(41n);
    const health = ledger.worker.health();
    expect(health).toMatchObject({ state: 'running', restarts: 2, failuresInRow: 0 });
    expect(store.health()).toEqual({ status: 'ok', detail: 'ledger worker running, 0 log rows behind, 2 restarts' });
    expect(warnings.filter((w) => w.includes('restarting the worker'))).toHaveLength(2);
    expect((await verifyStore(store)).problems).toEqual([]);
  });

  it('gives up on a worker that fails every time: reads and a held writer reject with a clear error, until a later try heals it', async () => {
    const gate = new RetryGate();
    const { file, store, engine, ledger, warnings } = await failingStore(gate);
    await expect(transferIds(store)).rejects.toThrow(/disk I\/O error \(simulated\)/);
    await expect(store.counts()).rejects.toThrow(/Reads that need the state file fail until a worker, tried every 60 s, makes progress again/);
    // What memory answers still answers, and acknowledged work is kept in the log.
    expect((await store.getAccount('wallet'))?.creditsPosted).toBe(1n);
    expect((await store.getTransfer('a'))?.amount).toBe(1n);
    expect(ledger.worker.health()).toMatchObject({ state: 'failed', failuresInRow: 4, restarts: 3 });
    expect(store.health()).toEqual({ status: 'failed', detail: 'ledger worker failed, 1 log rows behind, 3 restarts' });
    expect(warnings).toHaveLength(4);
    // The tail reaches its limit: the next group rejects instead of waiting for ever.
    expect(await engine.createTransfers([move('b')])).toEqual(['ok']);
    await expect(engine.createTransfers([move('c')])).rejects.toThrow(/not being materialized/);
    // A try while the cause remains fails quietly and waits for the next.
    expect(gate.waiting).toBe(1);
    gate.open();
    await until(() => gate.waiting === 1);
    expect(ledger.worker.health()).toMatchObject({ state: 'failed', failuresInRow: 5, restarts: 4 });
    expect(warnings).toHaveLength(4);
    // The cause gone, the next try catches up with every acknowledged row, in the same process.
    removeCause(file);
    gate.open();
    await until(() => ledger.worker.health().state === 'running');
    expect(warnings[4]).toMatch(/materializing the ledger log resumed/);
    expect(await engine.createTransfers([move('c')])).toEqual(['ok']);
    await store.caughtUp();
    expect((await transferIds(store)).sort()).toEqual(['a', 'b', 'c']);
    expect(store.health()).toEqual({ status: 'ok', detail: 'ledger worker running, 0 log rows behind, 5 restarts' });
    expect((await verifyStore(store)).problems).toEqual([]);
  });

  it('catches up with every acknowledged row when a store given up on is reopened once the cause is gone', async () => {
    const { file, store } = await failingStore(new RetryGate());
    await store.close();
    removeCause(file);
    const reopened = SqliteStore.open({ file, layout: 'log' });
    stores.push(reopened);
    expect(await transferIds(reopened)).toEqual(['a']);
    expect((await verifyStore(reopened)).problems).toEqual([]);
  });

  it('holds the writer while the worker trails by the tail limit, and releases it once the worker catches up', async () => {
    const { file, store, engine, ledger } = await open({ tailLimit: { rows: 2 } });
    await store.caughtUp();
    ledger.worker.pause();
    expect(await engine.createTransfers([move('one')])).toEqual(['ok']);
    expect(await engine.createTransfers([move('two')])).toEqual(['ok']);
    const seq = logSeq(file);
    let third: string[] | undefined;
    const held = engine.createTransfers([move('three')]).then((r) => {
      third = r;
    });
    await turns();
    expect(third).toBeUndefined();
    expect(logSeq(file)).toBe(seq);
    expect(ledger.memory.tail.length).toBe(2);
    ledger.worker.resume();
    await held;
    expect(third).toEqual(['ok']);
    expect(logSeq(file)).toBe(seq + 1);
    await store.caughtUp();
    expect(await transferIds(store)).toEqual(['one', 'two', 'three']);
  });

  it('keeps a process alive while it waits for the worker, and lets an idle one end', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-supervision-'));
    dirs.push(dir);
    const store = new URL('../sqlite-store.ts', import.meta.url).href;
    const engine = new URL('../../../engine/ledger-engine.ts', import.meta.url).href;
    const clock = new URL('../../../engine/clock.ts', import.meta.url).href;
    const program = `
      const { SqliteStore } = await import(${JSON.stringify(store)});
      const { LedgerEngine } = await import(${JSON.stringify(engine)});
      const { ManualClock } = await import(${JSON.stringify(clock)});
      const store = SqliteStore.open({ file: ${JSON.stringify(path.join(dir, 'formica.db'))}, layout: 'log' });
      const engine = new LedgerEngine(store, new ManualClock());
      await engine.createAccounts([{ id: 'x', ledger: 840, code: 1, flags: 0, userData: '' }]);
      const worker = store.ledger.worker;
      worker.pause();
      const waited = store.caughtUp();
      worker.resume();
      await waited;
      console.log('caught up');
    `;
    // The store is not closed: once nothing waits, the worker must not keep the process alive either.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/materializ/);
    expect(child.stdout).toBe('caught up\n');
    expect(child.status).toBe(0);
  });

  it('counts transfers against the tail limit as well as rows', async () => {
    const { store, engine, ledger } = await open({ tailLimit: { transfers: 3 } });
    await store.caughtUp();
    ledger.worker.pause();
    expect(await engine.createTransfers([move('a'), move('b'), move('c')])).toEqual(['ok', 'ok', 'ok']);
    let done = false;
    const held = engine.createTransfers([move('d')]).then(() => {
      done = true;
    });
    await turns();
    expect(done).toBe(false);
    ledger.worker.resume();
    await held;
    await store.caughtUp();
    expect(await transferIds(store)).toEqual(['a', 'b', 'c', 'd']);
  });
});
