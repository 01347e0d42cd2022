// A fresh ledger per benchmark row: a store in a temporary directory (or a fresh PostgreSQL schema),
// an engine on the system clock, and the workload's accounts already created.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/engine/clock.ts';
import { LedgerEngine } from '../src/engine/ledger-engine.ts';
import { MAX_BATCH_EVENTS } from '../src/ledger/index.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { CatchUpPolicy } from '../src/store/catch-up.ts';
import { type SqliteLayout, SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { LedgerStore } from '../src/store/store.ts';
import type { Workload } from './workload.ts';

export interface Fixture {
  readonly engine: LedgerEngine;
  readonly store: LedgerStore;
  /** Finishes the work a store defers after its commits (the account-index catch-up, the log
   *  layout's materialization on its worker thread), so a
   *  measured window can start with none pending and end with its own share done. */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

export async function sqliteFixture(load: Workload, catchUp?: CatchUpPolicy, layout: SqliteLayout = 'tables'): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-'));
  const store = SqliteStore.open({ file: path.join(dir, 'ledger.db'), catchUp, layout });
  return withAccounts(store, load, async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

export async function withAccounts(store: LedgerStore, load: Workload, cleanup: () => Promise<void>): Promise<Fixture> {
  const engine = new LedgerEngine(store, systemClock);
  const events = load.accountEvents();
  for (let i = 0; i < events.length; i += MAX_BATCH_EVENTS) {
    const results = await engine.createAccounts(events.slice(i, i + MAX_BATCH_EVENTS));
    if (results.some((r) => r !== 'ok')) throw new Error('account setup failed');
  }
  const settle = async () => {
    if (store instanceof SqliteStore) {
      store.catchUpAccountIndex();
      await store.caughtUp();
    }
    if (store instanceof PostgresStore) await store.catchUpAccountIndex();
  };
  return { engine, store, settle, dispose: cleanup };
}
