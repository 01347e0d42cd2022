// The PostgreSQL store in the log layout (decision 42). A write group still locks the ledger_meta
// row first, the fence between writers of every process; under it the batch computes from the
// writer's memory (every account, the pending transfers and the rows not materialized yet, the
// embedded store's LedgerMemory) and appends ONE ledger_log row, with the group's outbox, in one
// statement: no per-transfer or per-account SQL on the commit path. The materializer writes the
// rows into the tables behind the commits (materializer.ts), which answer what memory does not hold.
//
// PostgreSQL acknowledges a COMMIT once it is durable, so memory takes a row only then and every
// read may answer from it. Another process's rows are found by the log's last seq, which each
// group reads under the lock and each read before answering, and are folded in before going on.
import type pg from 'pg';
import type { Account, BatchKeys, PendingState, Snapshot, Transfer } from '../../../ledger/index.ts';
import type { CatchUpPolicy } from '../../catch-up.ts';
import type { LogRecord } from '../../log/codec.ts';
import { LedgerMemory } from '../../log/ledger-memory.ts';
import { type HeldIdSource, HeldIdScan, IdFilter } from '../../log/id-filter.ts';
import { accountDifferences } from '../../log/log-check.ts';
import { DEFAULT_TAIL_LIMIT, type TailLimit } from '../../log/log-tail.ts';
import { lapTimer } from '../../lap-timer.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow } from '../../rows.ts';
import { pgExecutor, pgSavepoint } from '../../sql.ts';
import type { StoreHealth, TransferPage, TransferQuery, WriteGroup } from '../../store.ts';
import { loadStoredFailures, loadTransfers } from '../batch-io.ts';
import { PostgresStore } from '../postgres-store.ts';
import { withTransaction } from '../transaction.ts';
import { adoptLogLayout } from './log-layout.ts';
import { appendRow, foldRows, LOCK_LOG_SQL, lastSeq, loadMaterialized } from './log-rows.ts';
import { type MaterializerStats, PostgresMaterializer } from './materializer.ts';

export class PostgresLogStore extends PostgresStore {
  override readonly layout = 'log' as const;
  private readonly materializer: PostgresMaterializer;
  private readonly tailLimit: TailLimit = DEFAULT_TAIL_LIMIT;
  /** The fold of another process's rows in progress, so reads and groups share it. */
  private folding: Promise<void> | null = null;
  /** Fills memory's id filter from the tables once memory is loaded; stopped by `close`. */
  heldIdScan: HeldIdScan | null = null;

  private constructor(
    pool: pg.Pool,
    catchUp: CatchUpPolicy | undefined,
    readonly memory: LedgerMemory,
    through: number,
  ) {
    super(pool, catchUp, 1);
    this.materializer = new PostgresMaterializer(pool, memory, through, (transfers) => this.indexer.written(transfers));
  }

  /** Converts a database in the tables layout, then loads memory from the tables and the log rows after them. */
  static async adopt(pool: pg.Pool, catchUp: CatchUpPolicy | undefined): Promise<PostgresLogStore> {
    await adoptLogLayout(pool);
    const memory = new LedgerMemory();
    const client = await pool.connect();
    let through: number;
    try {
      ({ through } = await loadMaterialized(client, memory));
    } finally {
      client.release();
    }
    const store = new PostgresLogStore(pool, catchUp, memory, through);
    await store.refresh();
    store.heldIdScan = new HeldIdScan(memory.heldIds, store.heldIdSource());
    return store;
  }

  /** The tables' ids for memory's filter. */
  private heldIdSource(): HeldIdSource {
    const ids = async (sql: string, after: string, limit: number) => (await this.pool.query<{ id: string }>(sql, [after, limit])).rows.map((r) => r.id);
    return {
      count: async () =>
        Number((await this.pool.query<{ n: string }>('SELECT (SELECT count(*) FROM transfers) + (SELECT count(*) FROM failed_transfers) AS n')).rows[0].n),
      page: (table, after, limit) =>
        ids(`SELECT id FROM ${table === 'transfers' ? 'transfers' : 'failed_transfers'} WHERE id > $1 ORDER BY id LIMIT $2`, after, limit),
    };
  }

  override async writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T> {
    try {
      return await this.appendGroup(work);
    } finally {
      committed?.();
    }
  }

  private async appendGroup<T>(work: (group: WriteGroup) => Promise<T>): Promise<T> {
    await this.room();
    let staged: { seq: number; record: LogRecord } | undefined;
    const p = this.phases;
    const lap = lapTimer();
    const value = await withTransaction(this.pool, async (client) => {
      const locked = await client.query<{ log_seq: bigint }>({ name: 'formica_lock_log', text: LOCK_LOG_SQL });
      // No other writer can append while the lock is held: memory becomes the committed state.
      await this.foldThrough(client, Number(locked.rows[0].log_seq));
      p.lockMs += lap();
      const value = await work({
        sql: pgExecutor(client),
        isolated: (fn) => pgSavepoint(client, fn),
        apply: async (keys, compute) => {
          if (staged) throw new Error('a write group applies one ledger batch at most');
          p.otherMs += lap();
          const snapshot = await this.snapshot(client, keys);
          p.loadMs += lap();
          const written = compute(snapshot);
          const record = this.memory.record(written.effects);
          p.computeMs += lap();
          staged = { seq: this.memory.seq + 1, record };
          await appendRow(client, staged.seq, record, this.memory.keysFor(record), written.outbox);
          p.persistMs += lap();
          return written.value;
        },
      });
      p.otherMs += lap();
      return value;
    });
    p.commitMs += lap();
    p.groups++;
    if (staged) {
      // A read may have folded the committed row in already.
      if (staged.seq === this.memory.seq + 1) this.memory.apply(staged.seq, staged.record);
      this.materializer.kick();
    }
    return value;
  }

  /** While the materializer trails by the tail limit, the next group waits for it. */
  private async room(): Promise<void> {
    while (this.memory.tail.reaches(this.tailLimit)) await this.materializer.until(this.memory.tail.rowsAfter(0, 1)[0].seq);
  }

  /** Folds the rows up to `through` into memory (another process's), one fold at a time. */
  private async foldThrough(db: pg.ClientBase | pg.Pool, through: number): Promise<void> {
    while (this.memory.seq < through) {
      if (!this.folding) {
        this.folding = foldRows(db, this.memory, through, (seq, record) => this.memory.apply(seq, record)).finally(() => {
          this.folding = null;
        });
        await this.folding;
        this.materializer.kick();
      } else await this.folding;
    }
  }

  /** Before a read: the rows other processes committed, folded in. */
  private async refresh(): Promise<void> {
    await this.foldThrough(this.pool, await lastSeq(this.pool));
  }

  /** What the batch names: accounts from memory; transfers, their pending states and failures from the tail, then the tables. */
  private async snapshot(client: pg.PoolClient, keys: BatchKeys): Promise<Snapshot> {
    const { memory } = this;
    const { found: transfers, missing } = memory.tailTransfers(keys.transferIds);
    const stored = await loadTransfers(client, missing);
    for (const [id, t] of stored.transfers) transfers.set(id, t);
    const pending = new Map<string, PendingState>();
    for (const id of transfers.keys()) {
      // Memory is newer than the tables: a state resolved in the tail is stale there.
      const state = memory.pendingState(id) ?? stored.pending.get(id);
      if (state) pending.set(id, state);
    }
    const { found: failed, older } = memory.tailFailures(missing.filter((id) => !transfers.has(id)));
    for (const [id, result] of await loadStoredFailures(client, older)) failed.set(id, result);
    return { accounts: memory.accountsFor(keys.accountIds, transfers.values()), transfers, pending, failed, lastTimestamp: memory.lastTimestamp };
  }

  /** Resolves once the tables hold every row memory holds. */
  private async materialized(): Promise<void> {
    await this.refresh();
    await this.materializer.until(this.memory.seq);
  }

  override async getAccount(id: string): Promise<Account | undefined> {
    await this.refresh();
    return this.memory.account(id);
  }

  override async getTransfer(id: string): Promise<Transfer | undefined> {
    await this.refresh();
    return this.memory.tail.transfer(id)?.value ?? super.getTransfer(id);
  }

  /** The tail's part is taken first: a row materialized meanwhile is then in the tables' part,
   *  or in both, and the tail's entries count only after the tables' last one. */
  override async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    await this.refresh();
    const tail = this.memory.tail.accountTransfers(accountId, query, query.limit).map((t) => t.value);
    const stored = (await super.listAccountTransfers(accountId, query)).transfers;
    const last = stored.at(-1)?.timestamp ?? 0n;
    const transfers = [...stored, ...tail.filter((t) => t.timestamp > last)].slice(0, query.limit);
    return { transfers, next: transfers.length === query.limit ? transfers[transfers.length - 1].timestamp : null };
  }

  override async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    await this.refresh();
    return this.memory.duePendingIds(nowNs, limit);
  }

  override async nextExpiry(): Promise<bigint | null> {
    await this.refresh();
    return this.memory.nextExpiry();
  }

  override async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    await this.refresh();
    yield* this.memory.accountPages(batchSize);
  }

  override async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    await this.materialized();
    yield* super.scanTransfers(batchSize);
  }

  override async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    await this.materialized();
    yield* super.scanPendingStates(batchSize);
  }

  override async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    await this.materialized();
    return super.counts();
  }

  override async catchUpAccountIndex(): Promise<void> {
    await this.materialized();
    await super.catchUpAccountIndex();
  }

  /** Folds the whole log and compares it with memory and the tables' accounts. */
  async selfCheck(): Promise<string[]> {
    await this.materialized();
    const folded = new LedgerMemory(IdFilter.none());
    await foldRows(this.pool, folded, this.memory.seq, (seq, record) => {
      folded.apply(seq, record);
      folded.tail.dropThrough(seq);
    });
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts`);
    const tables = new Map(rows.map((row) => [row.id, accountFromRow(row)]));
    return accountDifferences(folded, [
      { where: 'the writer memory', ids: () => this.memory.sortedIds(), account: (id) => this.memory.account(id) },
      { where: 'the tables', ids: () => tables.keys(), account: (id) => tables.get(id) },
    ]);
  }

  /** The materializer's passes, rows and time, summed (bench/phases.ts prints them). */
  get materializing(): MaterializerStats {
    return this.materializer.stats;
  }

  health(): StoreHealth {
    const worker = this.materializer.health();
    const detail = `ledger materializer ${worker.state}, ${this.memory.seq - worker.materializedThrough} log rows behind${worker.failure ? `: ${worker.failure}` : ''}`;
    return { status: worker.state === 'running' ? 'ok' : 'degraded', detail };
  }

  override async close(): Promise<void> {
    await this.heldIdScan?.stop();
    await this.materializer.close();
    await super.close();
  }
}
