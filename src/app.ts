// The composition root: picks the store, the clock and the id source, and wires the engine and
// its jobs. Every entry point (HTTP server, CLI, tests) builds Formica here.
import { type Clock, systemClock } from './engine/clock.ts';
import { type IdSource, ulidIds } from './engine/ids.ts';
import { ExpiryJob } from './engine/jobs.ts';
import { LedgerEngine } from './engine/ledger-engine.ts';
import { openStore } from './store/open-store.ts';
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
  close(): Promise<void>;
}

export async function createFormica(options: FormicaOptions): Promise<Formica> {
  const clock = options.clock ?? systemClock;
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, schema: options.databaseSchema });
  const engine = new LedgerEngine(store, clock);
  const expiry = new ExpiryJob(engine, (error) => console.error('expiry sweep failed:', error));
  if (options.runJobs ?? true) expiry.start();
  return {
    store,
    engine,
    clock,
    ids: ulidIds(clock),
    async close() {
      expiry.stop();
      await engine.drained();
      await store.close();
    },
  };
}
