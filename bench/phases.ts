// Where a batch's time goes, for finding bottlenecks (not part of `npm run bench`):
//   tsx bench/phases.ts [sqlite|postgres] [batch|concurrent] [uniform|hot] [--no-account-index] [--log]
// Any store: time before compute (begin, lock, load), compute (the pure ledger), after compute
// (persist and commit), and the engine's work outside the store. SQLite also splits persist from
// commit and shows its account-index catch-up passes (they run between batches, so they count in
// the wall time). --no-account-index stops the catch-up (SQLite only), to show what it costs; the
// history queries then scan an ever longer tail, so it is a diagnostic only. --log opens PostgreSQL
// in the log layout and adds its materializer's passes.
import type { Snapshot } from '../src/ledger/index.ts';
import { PostgresLogStore } from '../src/store/postgres/log/postgres-log-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { BatchWrite, LedgerStore } from '../src/store/store.ts';
import { type Fixture, sqliteFixture } from './fixture.ts';
import { postgresFixture, postgresSkipReason } from './postgres.ts';
import { runBatches, runConcurrent } from './scenarios.ts';
import { type Distribution, workload } from './workload.ts';

interface Split {
  batches: number;
  beforeMs: number;
  computeMs: number;
  afterMs: number;
}

/** Wraps the store's writeBatch to time the phases around `compute`. */
function timeBatches(store: LedgerStore): Split {
  const split: Split = { batches: 0, beforeMs: 0, computeMs: 0, afterMs: 0 };
  const writeBatch = store.writeBatch.bind(store);
  store.writeBatch = async <T>(keys: Parameters<LedgerStore['writeBatch']>[0], compute: (s: Snapshot) => BatchWrite<T>) => {
    const started = performance.now();
    let computed = started;
    const value = await writeBatch(keys, (snapshot) => {
      const entered = performance.now();
      split.beforeMs += entered - started;
      const written = compute(snapshot);
      computed = performance.now();
      split.computeMs += computed - entered;
      return written;
    });
    split.afterMs += performance.now() - computed;
    split.batches++;
    return value;
  };
  return split;
}

const [storeKind = 'sqlite', mode = 'batch', distribution = 'uniform'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const noIndex = process.argv.includes('--no-account-index');
if (storeKind === 'postgres' && postgresSkipReason()) throw new Error(`PostgreSQL: ${postgresSkipReason()}`);
const load = workload(distribution as Distribution);
const catchUp = noIndex ? { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 0 } : undefined;
const layout = process.argv.includes('--log') ? 'log' : 'tables';
const fx: Fixture = storeKind === 'postgres' ? await postgresFixture(load, layout) : await sqliteFixture(load, catchUp);
const split = timeBatches(fx.store);
const sqlite = fx.store instanceof SqliteStore ? { ...fx.store.phases } : null;
const pg = fx.store instanceof PostgresStore ? { ...fx.store.phases } : null;
const timing = { warmupMs: 0, measureMs: 6_000 };
const started = performance.now();
const m = mode === 'batch' ? await runBatches(fx, load, timing) : await runConcurrent(fx, load, 10_000, timing);
const wallMs = performance.now() - started;
const n = fx.store instanceof PostgresStore && pg ? fx.store.phases.groups - pg.groups : split.batches;
const line = (name: string, ms: number) =>
  console.log(`  ${name.padEnd(34)} ${(ms / n).toFixed(2).padStart(8)} ms/batch ${((ms / wallMs) * 100).toFixed(1).padStart(5)}% of wall`);
const flags = noIndex ? ' (account index catch-up off)' : '';
console.log(
  `${storeKind} ${mode} ${distribution}${flags}: ${Math.round(m.perSecond)} transfers/s, ${n} batches, ${Math.round(m.transfers / n)} transfers/batch`,
);
if (fx.store instanceof PostgresStore && pg) {
  // The engine writes through writeGroup, so the store's own split is the one that counts.
  const p = fx.store.phases;
  line('begin and ledger_meta lock', p.lockMs - pg.lockMs);
  line('load (transfer ids, accounts)', p.loadMs - pg.loadMs);
  line('compute (pure ledger)', p.computeMs - pg.computeMs);
  line('COPY transfers', p.copyMs - pg.copyMs);
  line('persist statement (accounts, meta)', p.persistMs - pg.persistMs);
  line("group's other work", p.otherMs - pg.otherMs);
  line('commit', p.commitMs - pg.commitMs);
  line('  of which waiting for the group before', p.waitMs - pg.waitMs);
  console.log(`  groups run again: ${p.retries - pg.retries}`);
  const storeMs = ['lockMs', 'loadMs', 'computeMs', 'copyMs', 'persistMs', 'otherMs', 'commitMs'].reduce(
    (sum, k) => sum + (p[k as keyof typeof p] as number) - (pg[k as keyof typeof pg] as number),
    0,
  );
  line('outside the store (engine, callers)', wallMs - storeMs);
  if (fx.store instanceof PostgresLogStore) {
    const { passes, rows, ms } = fx.store.materializing;
    console.log(
      `  materializer: ${passes} passes, ${(rows / Math.max(passes, 1)).toFixed(1)} rows/pass, ${(ms / Math.max(passes, 1)).toFixed(1)} ms/pass, ${((ms / wallMs) * 100).toFixed(1)}% of wall`,
    );
  }
  await fx.dispose();
  process.exit(0);
}
line('before compute (begin, lock, load)', split.beforeMs);
line('compute (pure ledger)', split.computeMs);
line('after compute (persist, commit)', split.afterMs);
if (fx.store instanceof SqliteStore && sqlite) {
  const p = fx.store.phases;
  line('  of which persist (SQL writes)', p.persistMs - sqlite.persistMs);
  line('  of which commit (WAL write, fsync)', p.commitMs - sqlite.commitMs);
  const indexMs = p.indexMs - sqlite.indexMs;
  line(`account index (${p.indexPasses - sqlite.indexPasses} passes)`, indexMs);
  line('outside the store (engine, callers)', wallMs - split.beforeMs - split.computeMs - split.afterMs - indexMs);
} else {
  line('outside the store (engine, callers)', wallMs - split.beforeMs - split.computeMs - split.afterMs);
}
await fx.dispose();
