// The embedded store: one SQLite file in WAL mode. A write group (the ledger batch and the modules'
// rows of many callers) is one IMMEDIATE transaction on the one writer connection, and its WAL is
// fsynced (wal-sync.ts, off the event loop) before any caller hears a result, so what is
// acknowledged is on disk. Reads go to a second connection and see committed state only. How the
// ledger itself is kept in the file is the layout's (sqlite-ledger.ts): a row per account and
// transfer (tables-ledger.ts), or one packed log row per batch (log/log-ledger.ts).
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Account, BatchEffects, BatchKeys, Snapshot, Transfer } from '../../ledger/index.ts';
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
import type { SqlExecutor } from '../sql.ts';
import type { BatchWrite, LedgerStore, OutboxEvent, StoredOutboxEvent, StoreHealth, TransferPage, TransferQuery, WriteGroup } from '../store.ts';
import { type CatchUpPolicy, DEFAULT_CATCH_UP } from '../catch-up.ts';
import { Checkpointer } from './checkpointer.ts';
import { openConnection } from './connection.ts';
import { savepoint, sqliteExecutor } from './executor.ts';
import { LogLedger, type LogLedgerOptions } from './log/log-ledger.ts';
import { SQLITE_MIGRATIONS } from './schema.ts';
import type { BatchPhases, SqliteLayout, SqliteLedger } from './sqlite-ledger.ts';
import { TablesLedger } from './tables-ledger.ts';
import { WalSync } from './wal-sync.ts';
import { WriterTurns } from './writer-turns.ts';

export type { BatchPhases, SqliteLayout } from './sqlite-ledger.ts';

type Db = Database.Database;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway store. */
  readonly file: string;
  /** When the account history is indexed (`tables` layout); tests shorten or stop it. */
  readonly catchUp?: CatchUpPolicy;
  /** How the ledger is kept in the file: `tables` or `log` (log/log-ledger.ts); by default the
   *  layout the file already has, `log` for a new file (`tables` for ':memory:'). Opening a
   *  `tables` file as `log` converts it (log/log-layout.ts); the other way round is refused. */
  readonly layout?: SqliteLayout;
  /** The log layout's tail limit and worker supervision (log/log-ledger.ts). */
  readonly log?: LogLedgerOptions;
}

export function openSqliteDatabase(file: string): Db {
  const db = openConnection(file, 'writer');
  // The WAL is fsynced by WalSync before any commit is acknowledged (see wal-sync.ts), off the
  // event loop; checkpoints still sync the WAL and then the database file.
  db.pragma('synchronous = NORMAL');
  // The writer never checkpoints: a checkpoint inside COMMIT stalls the whole group. The store's
  // Checkpointer (checkpointer.ts) does it on a thread of its own.
  db.pragma('wal_autocheckpoint = 0');
  migrate(db, 'ledger', SQLITE_MIGRATIONS);
  return db;
}

/**
 * Applies the migrations of `scope` that this database has not seen yet (migrations.ts), all in one
 * IMMEDIATE transaction: a second process opening the file waits for the write lock, then finds
 * them recorded. Inside an open write group it is a savepoint of that group.
 */
export function migrate(db: Db, scope: string, sources: readonly MigrationSource[]): void {
  const declared = declaredMigrations(scope, sources);
  db.transaction(() => {
    db.exec(APPLIED_MIGRATIONS_TABLE);
    const applied = db.prepare(SELECT_APPLIED).all(scope) as { version: bigint; name: string; checksum: string }[];
    const hasLegacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(LEGACY_TABLE) !== undefined;
    const legacy = hasLegacy ? (db.prepare(SELECT_LEGACY).pluck().all(scope) as bigint[]) : [];
    const plan = planMigrations(
      scope,
      declared,
      applied.map((a) => ({ ...a, version: Number(a.version) })),
      new Set(legacy.map(Number)),
    );
    const record = (m: Migration) => db.prepare(INSERT_APPLIED).run(scope, m.version, m.name, m.checksum, Date.now());
    for (const m of plan.adopt) record(m);
    if (hasLegacy) db.prepare(DELETE_LEGACY).run(scope);
    for (const m of plan.rename) db.prepare(RENAME_APPLIED).run(m.name, scope, m.version);
    for (const m of plan.apply) {
      db.exec(m.sql);
      record(m);
    }
  }).immediate();
}

export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite' as const;
  /** The ledger's part of the file, in the layout the store was opened with. */
  private readonly ledger: SqliteLedger;
  private readonly s;
  private readonly r;
  private readonly turns = new WriterTurns();
  /** Makes each group's commit durable before its callers hear of it; null for ':memory:'. */
  private readonly walSync: WalSync | null;
  /** Copies committed WAL frames into the database file, off the commit path; null for ':memory:'. */
  readonly checkpointer: Checkpointer | null;
  /** Modules' SQL on the writer, inside a write group. */
  private readonly moduleSql: SqlExecutor;
  /** Modules' reads outside any write group: they never wait behind a writer. */
  readonly readerSql: SqlExecutor;

  /** `reader` is a second connection to the same file (the writer itself for ':memory:'). */
  constructor(
    readonly db: Db,
    policy: CatchUpPolicy = DEFAULT_CATCH_UP,
    readonly reader: Db = db,
    readonly layout: SqliteLayout = 'tables',
    logOptions: LogLedgerOptions = {},
  ) {
    this.s = prepareStatements(db);
    this.r = reader === db ? this.s : prepareStatements(reader);
    this.moduleSql = sqliteExecutor(db);
    this.readerSql = reader === db ? this.moduleSql : sqliteExecutor(reader);
    this.walSync = db.memory ? null : new WalSync(`${db.name}-wal`);
    this.checkpointer = db.memory ? null : new Checkpointer(db.name);
    const syncWal = async () => this.walSync?.sync();
    this.ledger = layout === 'log' ? new LogLedger(db, reader, syncWal, logOptions) : new TablesLedger(db, reader, policy, () => this.turns.busy);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const layout = options.layout ?? newFileLayout(options.file);
    const writer = openSqliteDatabase(options.file);
    const reader = options.file === ':memory:' ? writer : openConnection(options.file, 'reader');
    return new SqliteStore(writer, options.catchUp, reader, layout ?? recordedLayout(writer), options.log);
  }

  /** Cumulative time of each phase of the ledger's batches. */
  get phases(): BatchPhases {
    return this.ledger.phases;
  }

  /** Applies a module's migrations not applied yet, in a write group of its own. */
  migrateModule(scope: string, migrations: readonly MigrationSource[]): Promise<void> {
    return this.writeGroup(async () => migrate(this.db, scope, migrations));
  }

  /** Does now the work the layout defers after commits (the `tables` layout's account index);
   *  returns how many transfers it handled. The store does this by itself; benchmarks call it to
   *  charge the whole cost to their window. */
  catchUpAccountIndex(): number {
    return this.ledger.settle(this.turns.busy);
  }

  /** Resolves once the work deferred to another thread (the log layout's materialization) has
   *  caught up with every commit so far; benchmarks wait for it to close their window. */
  caughtUp(): Promise<void> {
    return this.ledger.caughtUp();
  }

  writeBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T> {
    return this.writeGroup((group) => group.apply(keys, compute));
  }

  async writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T> {
    let value: T;
    try {
      value = await this.commitGroup(work);
    } finally {
      // The turn is over: the next group may run while this one's WAL is synced.
      committed?.();
    }
    // Everything committed up to here, this group included, is on disk once the sync returns.
    const mark = this.ledger.mark();
    await this.walSync?.sync();
    this.ledger.durable(mark);
    return value;
  }

  /** BEGIN, the work, COMMIT (written to the WAL, not yet synced), in the writer's turn. */
  private commitGroup<T>(work: (group: WriteGroup) => Promise<T>): Promise<T> {
    return this.turns.take(async () => {
      const db = this.db;
      await this.ledger.room?.();
      db.exec('BEGIN IMMEDIATE');
      let effects: BatchEffects | undefined;
      try {
        this.ledger.begin();
        const value = await work({
          sql: this.moduleSql,
          isolated: (fn) => savepoint(db, fn),
          apply: async (keys, compute) => {
            if (effects) throw new Error('a write group applies one ledger batch at most');
            const written = this.ledger.apply(keys, compute);
            this.insertOutbox(written.outbox, written.effects.lastTimestamp);
            effects = written.effects;
            return written.value;
          },
        });
        this.ledger.beforeCommit();
        const started = performance.now();
        db.exec('COMMIT');
        this.ledger.phases.commitMs += performance.now() - started;
        this.ledger.committed(effects);
        this.checkpointer?.committed();
        return value;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        this.ledger.abandon();
        throw error;
      }
    });
  }

  private insertOutbox(events: readonly OutboxEvent[], createdAt: bigint): void {
    for (const e of events) this.s.insertOutbox.run(e.topic, e.payload, createdAt);
  }

  getAccount(id: string): Promise<Account | undefined> {
    return this.ledger.getAccount(id);
  }

  getTransfer(id: string): Promise<Transfer | undefined> {
    return this.ledger.getTransfer(id);
  }

  listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    return this.ledger.listAccountTransfers(accountId, query);
  }

  duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    return this.ledger.duePendingIds(nowNs, limit);
  }

  nextExpiry(): Promise<bigint | null> {
    return this.ledger.nextExpiry();
  }

  scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    return this.ledger.scanAccounts(batchSize);
  }

  scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    return this.ledger.scanTransfers(batchSize);
  }

  scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    return this.ledger.scanPendingStates(batchSize);
  }

  counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    return this.ledger.counts();
  }

  /** Checks of how the layout keeps the ledger (the log layout folds its log and compares). */
  selfCheck(): Promise<string[]> {
    return this.ledger.check();
  }

  health(): StoreHealth {
    return this.ledger.health?.() ?? { status: 'ok' };
  }

  async outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]> {
    const rows = this.r.outboxAfter.all(seq, limit) as { seq: bigint; topic: string; payload: string; created_at: bigint }[];
    return rows.map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    // Wait for the group in progress, if any: closing under it would lose an acknowledged write.
    await this.turns.take(async () => undefined);
    await this.ledger.close();
    await this.walSync?.close();
    await this.checkpointer?.close();
    if (this.reader !== this.db && this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
  }
}

/** A new file keeps its ledger in the `log` layout (decision 40); undefined for a file that
 *  exists (its own layout) and for ':memory:', which has no file beside it for the log's state. */
function newFileLayout(file: string): SqliteLayout | undefined {
  return file === ':memory:' || fs.existsSync(file) ? undefined : 'log';
}

/** The layout the file's ledger is kept in (`tables` for a file no layout was asked of). */
function recordedLayout(db: Db): SqliteLayout {
  return db.prepare('SELECT layout FROM ledger_meta WHERE id = 1').pluck().get() as SqliteLayout;
}

function prepareStatements(db: Db) {
  return {
    insertOutbox: db.prepare('INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)'),
    outboxAfter: db.prepare('SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
  };
}
