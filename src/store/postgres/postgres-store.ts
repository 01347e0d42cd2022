// The PostgreSQL store: a connection pool shared by the engine's batch writer and the readers.
// Several API processes may share one database: each batch first locks the single ledger_meta
// row, which serializes batch writers across processes, so every batch loads committed state and
// ledger timestamps (and outbox sequence numbers) only increase in commit order. The writer keeps
// committed accounts in memory while the generation on that row says it wrote last (decision 32).
import type pg from 'pg';
import type { Account, BatchEffects, BatchKeys, Snapshot, Transfer } from '../../ledger/index.ts';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  accountFromRow,
  type PendingRow,
  pendingFromRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  transferFromRow,
} from '../rows.ts';
import {
  APPLIED_MIGRATIONS_TABLE,
  DELETE_LEGACY,
  declaredMigrations,
  INSERT_APPLIED,
  LEGACY_TABLE,
  type Migration,
  type MigrationSource,
  planMigrations,
  RENAME_APPLIED,
  SELECT_APPLIED,
  SELECT_LEGACY,
} from '../migrations.ts';
import type { CatchUpPolicy } from '../catch-up.ts';
import { WriteCache } from '../write-cache.ts';
import { pgExecutor, pgSavepoint } from '../sql.ts';
import type { BatchWrite, LedgerStore, StoredOutboxEvent, TransferPage, TransferQuery, WriteGroup } from '../store.ts';
import { AccountIndexer, accountHistorySql } from './account-history.ts';
import { loadSnapshot, persistBatch } from './batch-io.ts';
import { checkPooledSession } from './pooled-session.ts';
import { emptyPostgresPhases, generationStamp, lockLedger, type PostgresPhases } from './ledger-meta.ts';
import { isDeadlock, PipelinedWriter } from './pipeline.ts';
import { openPool } from './pool.ts';
import { POSTGRES_MIGRATIONS } from './schema.ts';
import { withTransaction } from './transaction.ts';
import { lapTimer } from '../lap-timer.ts';
import { chooseLayout, layoutFromEnv, type PostgresLayout } from './log/log-layout.ts';

export interface PostgresStoreOptions {
  readonly url: string;
  /** A schema of its own (created when missing); the connection's default search path otherwise. */
  readonly schema?: string;
  readonly poolSize?: number;
  /** When the account history index catches up (the SQLite store's default when not given). */
  readonly catchUp?: CatchUpPolicy;
  /** Write groups in flight at once: 1 (one after another) or 2 (the next one computed and sent
   *  while the last commits, decision 38). FORMICA_PG_PIPELINE when not given, else 1. */
  readonly pipeline?: 1 | 2;
  /** Where batches go: `tables` (rows written in the group) or `log` (one packed row per batch,
   *  materialized behind the commits, decision 42). FORMICA_PG_LAYOUT when not given, else the
   *  layout the database records (`tables` for a new one). */
  readonly layout?: PostgresLayout;
}

export type { PostgresPhases } from './ledger-meta.ts';

/** FORMICA_PG_PIPELINE: 1 or 2; unset, 1. Anything else is refused, not guessed. */
export function pipelineDepth(value: string | undefined): 1 | 2 {
  if (value === undefined || value === '' || value === '1') return 1;
  if (value === '2') return 2;
  throw new Error(`FORMICA_PG_PIPELINE must be 1 or 2, not ${value}`);
}

export class PostgresStore implements LedgerStore {
  readonly kind = 'postgres' as const;
  readonly layout: PostgresLayout = 'tables';
  private closed = false;
  /** Committed accounts, trusted while ledger_meta's generation is the one this store last wrote. */
  private readonly cache = new WriteCache();
  protected readonly indexer: AccountIndexer;
  /** Where the write groups' time went, summed (bench/phases.ts prints it). */
  readonly phases: PostgresPhases = emptyPostgresPhases();
  /** Set when groups are pipelined two at a time. */
  private readonly pipelined: PipelinedWriter | null;

  protected constructor(
    readonly pool: pg.Pool,
    catchUp: CatchUpPolicy | undefined,
    readonly pipeline: 1 | 2,
  ) {
    this.indexer = new AccountIndexer(pool, catchUp);
    this.pipelined = pipeline === 2 ? new PipelinedWriter(pool, this.cache, this.indexer, this.phases) : null;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    const pipeline = options.pipeline ?? pipelineDepth(process.env.FORMICA_PG_PIPELINE);
    const pool = openPool({ url: options.url, schema, max: options.poolSize ?? 10 });
    try {
      await checkPooledSession(pool.options, schema);
      await withTransaction(pool, (client) => migrate(client, schema, 'ledger', POSTGRES_MIGRATIONS));
      const layout = await chooseLayout(pool, options.layout ?? layoutFromEnv(process.env.FORMICA_PG_LAYOUT));
      if (layout === 'tables') return new PostgresStore(pool, options.catchUp, pipeline);
      // The log's writer computes from its memory, one group after another.
      if (pipeline !== 1) throw new Error('the log layout commits one group at a time: FORMICA_PG_PIPELINE must be 1 with it');
      // Imported here: the log store extends this class, so a static import would be a cycle.
      const { PostgresLogStore } = await import('./log/postgres-log-store.ts');
      return await PostgresLogStore.adopt(pool, options.catchUp);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  writeBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T> {
    return this.writeGroup((group) => group.apply(keys, compute));
  }

  /** The ledger_meta row lock comes first, so groups of every process take turns and each sees
   *  the committed state of the last one. */
  async writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T> {
    if (this.pipelined) return this.pipelined.writeGroup(work, committed);
    try {
      return await this.transactGroup(work).catch((error: unknown) => {
        // Only a pipelined writer of another process can deadlock with this one (pipeline.ts);
        // the server rolled the whole group back, so it runs again once.
        if (!isDeadlock(error)) throw error;
        this.phases.retries++;
        return this.transactGroup(work);
      });
    } finally {
      committed?.();
    }
  }

  /** The cache is validated under the row lock and updated only once COMMIT has returned; a group
   *  that did not commit (or may not have) drops it. */
  private async transactGroup<T>(work: (group: WriteGroup) => Promise<T>): Promise<T> {
    let batch: { effects: BatchEffects; generation: bigint } | undefined;
    const p = this.phases;
    const lap = lapTimer();
    try {
      const value = await withTransaction(this.pool, async (client) => {
        const { last_timestamp: lastTimestamp, writer_generation: generation } = await lockLedger(client);
        p.lockMs += lap();
        this.cache.validate(generationStamp(generation));
        const value = await work({
          sql: pgExecutor(client),
          isolated: (fn) => pgSavepoint(client, fn),
          apply: async (keys, compute) => {
            if (batch) throw new Error('a write group applies one ledger batch at most');
            p.otherMs += lap();
            const snapshot = await loadSnapshot(client, keys, this.cache, lastTimestamp);
            p.loadMs += lap();
            const written = compute(snapshot);
            p.computeMs += lap();
            batch = { effects: written.effects, generation: generation + 1n };
            await persistBatch(client, written, batch.generation, p);
            lap(); // persistBatch timed its own phases
            return written.value;
          },
        });
        p.otherMs += lap();
        return value;
      });
      p.commitMs += lap();
      p.groups++;
      if (batch) {
        this.cache.committed(batch.effects, generationStamp(batch.generation));
        this.indexer.written(batch.effects.newTransfers.length);
      }
      return value;
    } catch (error) {
      this.cache.abandon();
      throw error;
    }
  }

  /** Indexes every committed transfer's history now (the catch-up otherwise runs behind commits). */
  catchUpAccountIndex(): Promise<void> {
    return this.indexer.catchUp();
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
    return rows[0] && accountFromRow(rows[0]);
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const { rows } = await this.pool.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1`, [id]);
    return rows[0] && transferFromRow(rows[0]);
  }

  async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    const { sql, params } = accountHistorySql(accountId, query);
    const { rows } = await this.pool.query<TransferRow>(sql, params);
    const transfers = rows.map(transferFromRow);
    const next = transfers.length === query.limit ? transfers[transfers.length - 1].timestamp : null;
    return { transfers, next };
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM pending_transfers WHERE status = 'pending' AND expires_at > 0 AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2",
      [nowNs, limit],
    );
    return rows.map((r) => r.id);
  }

  async nextExpiry(): Promise<bigint | null> {
    const { rows } = await this.pool.query<{ min: bigint | null }>(
      "SELECT min(expires_at) AS min FROM pending_transfers WHERE status = 'pending' AND expires_at > 0",
    );
    return rows[0].min;
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    const sql = `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2`;
    for await (const rows of this.pages<AccountRow, string>(sql, '', batchSize, (r) => r.id)) yield rows.map(accountFromRow);
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    const sql = `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > $1 ORDER BY timestamp LIMIT $2`;
    for await (const rows of this.pages<TransferRow, bigint>(sql, 0n, batchSize, (r) => r.timestamp)) yield rows.map(transferFromRow);
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    const sql = 'SELECT id, status, expires_at FROM pending_transfers WHERE id > $1 ORDER BY id LIMIT $2';
    for await (const rows of this.pages<PendingRow, string>(sql, '', batchSize, (r) => r.id)) yield rows.map(pendingFromRow);
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    const { rows } = await this.pool.query<{ accounts: bigint; transfers: bigint }>(
      'SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM transfers) AS transfers',
    );
    return rows[0];
  }

  async outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]> {
    const { rows } = await this.pool.query<{ seq: bigint; topic: string; payload: string; created_at: bigint }>(
      'SELECT seq, topic, payload, created_at FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2',
      [seq, limit],
    );
    return rows.map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.indexer.close();
    await this.pool.end();
  }

  /** Keyset paging: `sql` takes the last key seen and the page size. */
  private async *pages<R extends pg.QueryResultRow, K>(sql: string, first: K, size: number, key: (row: R) => K): AsyncIterable<R[]> {
    let after = first;
    for (;;) {
      const { rows } = await this.pool.query<R>(sql, [after, size]);
      if (rows.length === 0) return;
      after = key(rows[rows.length - 1]);
      yield rows;
    }
  }
}

/**
 * Applies the migrations of `scope` that this schema has not seen yet (migrations.ts), inside the
 * caller's transaction. The advisory lock makes processes that start together take turns; the
 * later one then finds the migrations recorded and skips them.
 */
export async function migrate(client: pg.PoolClient, schema: string | undefined, scope: string, sources: readonly MigrationSource[]): Promise<void> {
  const declared = declaredMigrations(scope, sources);
  const sql = pgExecutor(client);
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`formica.migrate:${schema ?? ''}`]);
  if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(APPLIED_MIGRATIONS_TABLE);
  const applied = await sql.all<{ version: bigint; name: string; checksum: string }>(SELECT_APPLIED, [scope]);
  const hasLegacy = (await sql.get<{ present: boolean }>('SELECT to_regclass(?) IS NOT NULL AS present', [LEGACY_TABLE]))?.present === true;
  const legacy = hasLegacy ? await sql.all<{ version: bigint }>(SELECT_LEGACY, [scope]) : [];
  const plan = planMigrations(
    scope,
    declared,
    applied.map((a) => ({ ...a, version: Number(a.version) })),
    new Set(legacy.map((l) => Number(l.version))),
  );
  const record = (m: Migration) => sql.run(INSERT_APPLIED, [scope, m.version, m.name, m.checksum, Date.now()]);
  for (const m of plan.adopt) await record(m);
  if (hasLegacy) await sql.run(DELETE_LEGACY, [scope]);
  for (const m of plan.rename) await sql.run(RENAME_APPLIED, [m.name, scope, m.version]);
  for (const m of plan.apply) {
    await client.query(m.sql);
    await record(m);
  }
}
