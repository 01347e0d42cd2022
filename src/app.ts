// The composition root: picks the store, the clock and the id source, and wires the engine and
// its jobs. Every entry point (HTTP server, CLI, tests) builds Formica here.
import { type Clock, systemClock } from './engine/clock.ts';
import { type IdSource, ulidIds } from './engine/ids.ts';
import { ExpiryJob } from './engine/jobs.ts';
import { LedgerEngine } from './engine/ledger-engine.ts';
import { IdentityService } from './modules/identity/identity.ts';
import { WalletService } from './modules/wallet/wallet.ts';
import { openStore } from './store/open-store.ts';
import { openSql, type SqlDatabase } from './store/sql.ts';
import type { LedgerStore } from './store/store.ts';

export interface FormicaOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  readonly databaseSchema?: string;
  readonly clock?: Clock;
  /** Run the background jobs (expiry sweep); tests drive them by hand instead. */
  readonly runJobs?: boolean;
}

export interface Formica {
  readonly store: LedgerStore;
  readonly engine: LedgerEngine;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Modules' own tables, in the ledger's database. */
  readonly sql: SqlDatabase;
  readonly identity: IdentityService;
  readonly wallet: WalletService;
  close(): Promise<void>;
}

export async function createFormica(options: FormicaOptions): Promise<Formica> {
  const clock = options.clock ?? systemClock;
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, schema: options.databaseSchema });
  const engine = new LedgerEngine(store, clock);
  const ids = ulidIds(clock);
  const sql = await openSql({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, schema: options.databaseSchema });
  const identity = await IdentityService.open(sql, clock, ids);
  const wallet = await WalletService.open({ db: sql, engine, store, clock, identity });
  const expiry = new ExpiryJob(engine, (error) => console.error('expiry sweep failed:', error));
  if (options.runJobs ?? true) expiry.start();
  return {
    store,
    engine,
    clock,
    ids,
    sql,
    identity,
    wallet,
    async close() {
      expiry.stop();
      await engine.drained();
      await sql.close();
      await store.close();
    },
  };
}
