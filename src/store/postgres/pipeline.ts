// Write groups pipelined on two connections (decision 38, `pipeline: 2`, FORMICA_PG_PIPELINE=2).
// Once group N's work has run (its ledger batch computed, its writes sent), the engine may start
// group N+1 on a second connection while N's COPY, effects and COMMIT are still on their way. N+1
// does not lock ledger_meta first: it loads and computes from N's after-state (N's accounts are in
// the write cache, N's last timestamp and generation are known) and COPYs its transfers. Once N's
// COMMIT returned, it locks the ledger_meta row and checks that the generation is the one N wrote,
// so no other process came between; then it writes its balances and commits. When N did
// not commit (or another process wrote first), N+1 rolls back and runs again from the durable
// state, after N: groups commit in the order the engine started them, and callers hear a result
// only once their own group's COMMIT returned.
import type pg from 'pg';
import type { BatchEffects, BatchKeys } from '../../ledger/index.ts';
import { pgExecutor, pgSavepoint, type SqlExecutor, type SqlParam, type SqlRow } from '../sql.ts';
import type { BatchWrite, WriteGroup } from '../store.ts';
import type { WriteCache } from '../write-cache.ts';
import type { AccountIndexer } from './account-history.ts';
import { copyNewTransfers, loadSnapshot, persistEffects } from './batch-io.ts';
import { generationStamp, lockLedger, type PostgresPhases } from './ledger-meta.ts';
import { withTransaction } from './transaction.ts';
import { lapTimer } from '../lap-timer.ts';

/** The state a group leaves behind if it commits: what its successor computes from. */
interface AfterState {
  readonly generation: bigint;
  readonly lastTimestamp: bigint;
  /** Transfer ids whose rows the batch wrote (new, resolved, failed): a successor that names one
   *  reads it only after this group committed. */
  readonly touched: ReadonlySet<string>;
  /** The run of cache updates it belongs to; a failed group starts a new one. */
  readonly lineage: object;
  /** True once this attempt's COMMIT returned, false when it will never commit. */
  readonly committed: Promise<boolean>;
}

/** One writeGroup call, in the order the engine made them. */
class Turn {
  /** The after-state a successor may build on: set when this group let the engine go on. */
  buildOn: AfterState | null = null;
  finish!: () => void;
  /** Resolves when the group is over for good (committed, or failed after its retry). */
  readonly done = new Promise<void>((resolve) => {
    this.finish = resolve;
  });
}

/** The group computed on the group before's state, which did not commit, or another writer came between. */
export class SpeculationFailed extends Error {}

export class PipelinedWriter {
  private last: Turn | null = null;
  private lineage: object = {};

  constructor(
    private readonly pool: pg.Pool,
    private readonly cache: WriteCache,
    private readonly indexer: AccountIndexer,
    private readonly phases: PostgresPhases,
  ) {}

  async writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T> {
    const before = this.last;
    const turn = new Turn();
    this.last = turn;
    let released = false;
    const release = (after: AfterState) => {
      turn.buildOn = after;
      if (released) return;
      released = true;
      committed?.();
    };
    try {
      // Build on the group before only while it is still on its way; once settled, lock as usual.
      let on = before?.buildOn ?? null;
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.attempt(work, before, on, release);
        } catch (error) {
          // Once, from the durable state, after the group before is over: a failed speculation,
          // or a deadlock with another process's writer (a duplicate id sent to both at once).
          if (attempt >= 2 || !(on !== null || isDeadlock(error))) throw error;
          this.phases.retries++;
          on = null;
        }
      }
    } finally {
      turn.buildOn = null;
      turn.finish();
      if (!released) committed?.();
    }
  }

  private async attempt<T>(
    work: (group: WriteGroup) => Promise<T>,
    before: Turn | null,
    on: AfterState | null,
    release: (after: AfterState) => void,
  ): Promise<T> {
    const p = this.phases;
    if (on === null && before !== null) {
      const waiting = performance.now();
      await before.done;
      p.waitMs += performance.now() - waiting;
    }
    let outcome!: (ok: boolean) => void;
    const committed = new Promise<boolean>((resolve) => {
      outcome = resolve;
    });
    const lap = lapTimer();
    let effects: BatchEffects | undefined;
    try {
      const value = await withTransaction(this.pool, async (client) => {
        let base: { generation: bigint; lastTimestamp: bigint; lineage: object };
        let locked = on === null;
        if (on === null) {
          const row = await lockLedger(client);
          this.cache.validate(generationStamp(row.writer_generation));
          base = { generation: row.writer_generation, lastTimestamp: row.last_timestamp, lineage: this.lineage };
        } else {
          base = on;
        }
        p.lockMs += lap();
        let persisting: Promise<void> | null = null;
        let after: AfterState | null = null;
        /** Before anything reads or writes outside the batch: the batch's statements have run (the
         *  serial writer's order), the group before committed, and this one holds the row lock. */
        const settle = async () => {
          if (persisting) await persisting;
          if (on !== null && !(await on.committed)) throw new SpeculationFailed('the group before did not commit');
          if (!locked) await lockAt(client, base.generation);
          locked = true;
        };
        const group: WriteGroup = {
          sql: settledExecutor(pgExecutor(client), settle),
          isolated: async (fn) => {
            await settle();
            return pgSavepoint(client, fn);
          },
          apply: async (keys, compute) => {
            if (effects) throw new Error('a write group applies one ledger batch at most');
            if (on !== null && !locked && touches(keys, on.touched)) await settle();
            p.otherMs += lap();
            const snapshot = await loadSnapshot(client, keys, this.cache, base.lastTimestamp);
            p.loadMs += lap();
            const written = compute(snapshot);
            p.computeMs += lap();
            effects = written.effects;
            const generation = base.generation + 1n;
            after = { generation, lastTimestamp: effects.lastTimestamp, touched: touchedIds(effects), lineage: base.lineage, committed };
            // Ahead of the commit, for the successor; dropped (abandon) if this attempt fails.
            if (base.lineage === this.lineage) this.cache.committed(effects, generationStamp(generation));
            persisting = this.persist(client, written, generation, locked ? null : { generation: base.generation, before: on }).then(() => {
              locked = true;
            });
            // Awaited before the commit or the rollback; never left to reject unobserved.
            persisting.catch(() => {});
            return written.value;
          },
        };
        try {
          const value = await work(group);
          p.otherMs += lap();
          if (after !== null) {
            if (on !== null && !(await on.committed)) throw new SpeculationFailed('the group before did not commit');
            p.waitMs += lap();
            release(after);
          }
          await settle();
          lap();
          return value;
        } catch (error) {
          // No statement of the batch may reach the server after the ROLLBACK, outside the transaction.
          await (persisting as Promise<void> | null)?.catch(() => {});
          throw error;
        }
      });
      p.commitMs += lap();
      p.groups++;
      outcome(true);
      if (effects) this.indexer.written(effects.newTransfers.length);
      return value;
    } catch (error) {
      outcome(false);
      this.lineage = {};
      this.cache.abandon();
      throw error;
    }
  }

  /** COPY, then (building on the group before) the row lock, then the other effects. The lock is
   *  asked for only once the group before committed: taken any earlier (the group before still
   *  sending its COPY), this group would hold the row the group before waits for, while waiting
   *  for that group's commit itself. */
  private async persist(
    client: pg.PoolClient,
    written: BatchWrite<unknown>,
    generation: bigint,
    unlocked: { generation: bigint; before: AfterState | null } | null,
  ): Promise<void> {
    const p = this.phases;
    const started = performance.now();
    await copyNewTransfers(client, written);
    const copied = performance.now();
    if (unlocked !== null) {
      if (unlocked.before !== null && !(await unlocked.before.committed)) throw new SpeculationFailed('the group before did not commit');
      await lockAt(client, unlocked.generation);
    }
    const lockedAt = performance.now();
    await persistEffects(client, written, generation);
    p.copyMs += copied - started;
    p.waitMs += lockedAt - copied;
    p.persistMs += performance.now() - lockedAt;
  }
}

/** Locks the ledger_meta row (waiting for the group before's COMMIT) and checks nobody else wrote since. */
async function lockAt(client: pg.PoolClient, expected: bigint): Promise<void> {
  const row = await lockLedger(client);
  if (row.writer_generation !== expected) throw new SpeculationFailed(`writer generation ${row.writer_generation}, expected ${expected}`);
}

/** Modules' SQL runs only once the group is settled (see `settle`). */
function settledExecutor(sql: SqlExecutor, settle: () => Promise<void>): SqlExecutor {
  return {
    dialect: sql.dialect,
    all: async <R extends SqlRow>(text: string, params?: readonly SqlParam[]) => {
      await settle();
      return sql.all<R>(text, params);
    },
    get: async <R extends SqlRow>(text: string, params?: readonly SqlParam[]) => {
      await settle();
      return sql.get<R>(text, params);
    },
    run: async (text: string, params?: readonly SqlParam[]) => {
      await settle();
      return sql.run(text, params);
    },
  };
}

function touchedIds(effects: BatchEffects): Set<string> {
  const ids = new Set<string>();
  for (const t of effects.newTransfers) ids.add(t.id);
  for (const r of effects.resolvedPending) ids.add(r.id);
  for (const f of effects.newFailures) ids.add(f.id);
  return ids;
}

function touches(keys: BatchKeys, touched: ReadonlySet<string>): boolean {
  for (const id of keys.transferIds) if (touched.has(id)) return true;
  return false;
}

/** PostgreSQL's deadlock_detected: the server rolled the victim's whole transaction back. */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown }).code === '40P01';
}
