// The embedded store: one SQLite file in WAL mode. A write group (the ledger batch and the modules'
// rows of many callers) is one IMMEDIATE transaction on the one writer connection, and its WAL is
// fsynced (wal-sync.ts, off the event loop) before any caller hears a result, so what is
// acknowledged is on disk. Reads go to a second connection and see committed state only. This
// process is the file's only writer. Account history is indexed after the commit, in large
// passes of its own (account-index.ts, catch-up.ts).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Account, BatchEffects, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../ledger/index.ts';
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
import type { SqlExecutor } from '../sql.ts';
import type { BatchWrite, LedgerStore, StoredOutboxEvent, TransferPage, TransferQuery, WriteGroup } from '../store.ts';
import { AccountIndex, MAX_PASS_TRANSFERS } from './account-index.ts';
import { savepoint, sqliteExecutor } from './executor.ts';
import { type CatchUpPolicy, CatchUpScheduler, DEFAULT_CATCH_UP } from './catch-up.ts';
import { SQLITE_MIGRATIONS } from './schema.ts';
import { WriteCache, type WriteStamp } from './write-cache.ts';
import { WalSync } from './wal-sync.ts';
import { Checkpointer } from './checkpointer.ts';
import { WriterTurns } from './writer-turns.ts';

type Db = Database.Database;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway store. */
  readonly file: string;
  /** When the account history is indexed; tests shorten or stop it. */
  readonly catchUp?: CatchUpPolicy;
}

export function openSqliteDatabase(file: string): Db {
  const db = openConnection(file);
  // The WAL is fsynced by WalSync before any commit is acknowledged (see wal-sync.ts), off the
  // event loop; checkpoints still sync the WAL and then the database file.
  db.pragma('synchronous = NORMAL');
  // The writer never checkpoints: a checkpoint inside COMMIT stalls the whole group. The store's
  // Checkpointer (checkpointer.ts) does it on a thread of its own.
  db.pragma('wal_autocheckpoint = 0');
  migrate(db, 'ledger', SQLITE_MIGRATIONS);
  return db;
}

/** A connection with the store's settings; the file is created private to its owner (0600). */
function openConnection(file: string): Db {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.defaultSafeIntegers(true);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -262144');
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

/** Cumulative time spent in each phase of `writeBatch`, for benchmarks and diagnostics. */
export interface BatchPhases {
  batches: number;
  loadMs: number;
  computeMs: number;
  persistMs: number;
  commitMs: number;
  /** Account-index catch-up passes, outside the batches but on the same thread. */
  indexPasses: number;
  indexedTransfers: number;
  indexMs: number;
}

export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite' as const;
  readonly phases: BatchPhases = { batches: 0, loadMs: 0, computeMs: 0, persistMs: 0, commitMs: 0, indexPasses: 0, indexedTransfers: 0, indexMs: 0 };
  /** Statements on the writer connection, and on the reader (which sees only committed state). */
  private readonly s;
  private readonly r;
  private readonly cache = new WriteCache();
  private readonly index: AccountIndex;
  private readonly history: AccountIndex;
  private readonly catchUp: CatchUpScheduler;
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
  ) {
    this.s = prepareStatements(db);
    this.r = reader === db ? this.s : prepareStatements(reader);
    this.index = new AccountIndex(db);
    this.history = reader === db ? this.index : new AccountIndex(reader);
    this.moduleSql = sqliteExecutor(db);
    this.readerSql = reader === db ? this.moduleSql : sqliteExecutor(reader);
    this.walSync = db.memory ? null : new WalSync(`${db.name}-wal`);
    this.checkpointer = db.memory ? null : new Checkpointer(db.name);
    this.catchUp = new CatchUpScheduler(policy, () => this.indexPass());
    // A tail left by the last run (or another process) is indexed like any other.
    this.catchUp.written(this.index.tailLength());
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const writer = openSqliteDatabase(options.file);
    const reader = options.file === ':memory:' ? writer : openConnection(options.file);
    return new SqliteStore(writer, options.catchUp, reader);
  }

  /** Applies a module's migrations not applied yet, in a write group of its own. */
  migrateModule(scope: string, migrations: readonly MigrationSource[]): Promise<void> {
    return this.writeGroup(async () => migrate(this.db, scope, migrations));
  }

  /** Indexes every transfer not yet in the account index, now; returns how many it indexed. The
   *  store does this by itself; benchmarks call it to charge the whole cost to their window. */
  catchUpAccountIndex(): number {
    // A pass yields to an open write group, so looping here while one is open would never end.
    if (this.turns.busy) throw new Error('catchUpAccountIndex needs the writer idle: await the engine first');
    const before = this.phases.indexedTransfers;
    while (this.indexPass() > 0);
    this.catchUp.caughtUp(0);
    return this.phases.indexedTransfers - before;
  }

  /** One catch-up pass in its own write transaction; returns how many transfers remain unindexed. */
  private indexPass(): number {
    // A write group is open and awaiting: the pass would nest in it. The scheduler comes back.
    if (this.turns.busy) return this.index.tailLength();
    const started = performance.now();
    const run = this.db.transaction(() => {
      const before = this.writeStamp();
      const indexed = this.index.pass();
      return { before, after: this.writeStamp(), indexed };
    });
    const { before, after, indexed } = run.immediate();
    // The pass touched neither accounts nor the ledger's clock: what the cache knew still holds.
    this.cache.carry(before, after);
    const p = this.phases;
    p.indexPasses++;
    p.indexedTransfers += indexed;
    p.indexMs += performance.now() - started;
    // A pass takes the whole tail unless it hit its cap (nothing can be appended during it).
    return indexed < MAX_PASS_TRANSFERS ? 0 : this.index.tailLength();
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
    await this.walSync?.sync();
    return value;
  }

  /** BEGIN, the work, COMMIT (written to the WAL, not yet synced), in the writer's turn. */
  private commitGroup<T>(work: (group: WriteGroup) => Promise<T>): Promise<T> {
    return this.turns.take(async () => {
      const db = this.db;
      db.exec('BEGIN IMMEDIATE');
      let effects: BatchEffects | undefined;
      try {
        this.cache.validate(this.writeStamp());
        const value = await work({
          sql: this.moduleSql,
          isolated: (fn) => savepoint(db, fn),
          apply: async (keys, compute) => {
            if (effects) throw new Error('a write group applies one ledger batch at most');
            const written = this.applyBatch(keys, compute);
            effects = written.effects;
            return written.value;
          },
        });
        // Read while this transaction still holds the write lock: no other writer can slip in.
        const stamp = this.writeStamp();
        const started = performance.now();
        db.exec('COMMIT');
        this.phases.commitMs += performance.now() - started;
        this.cache.committed(effects, stamp);
        if (effects) this.catchUp.written(effects.newTransfers.length);
        this.checkpointer?.committed();
        return value;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        this.cache.abandon();
        throw error;
      }
    });
  }

  /** Loads, computes and persists one ledger batch inside the open transaction. */
  private applyBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): BatchWrite<T> {
    const p = this.phases;
    let mark = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - mark;
      mark = now;
      return ms;
    };
    const snapshot = this.load(keys);
    p.loadMs += lap();
    const written = compute(snapshot);
    p.computeMs += lap();
    this.persist(written);
    p.persistMs += lap();
    p.batches++;
    return written;
  }

  private writeStamp(): WriteStamp {
    return { dataVersion: this.s.dataVersion.get() as bigint, changes: this.s.totalChanges.get() as bigint };
  }

  /** Reads what the batch names, in a few set-based queries; the cache answers for known accounts. */
  private load(keys: BatchKeys): Snapshot {
    const transfers = new Map<string, Transfer>();
    const pending = new Map<string, PendingState>();
    const accountIds = new Set(keys.accountIds);
    const ids = JSON.stringify([...keys.transferIds]);
    for (const row of this.s.transfersIn.iterate(ids) as Iterable<TransferRow>) {
      const transfer = transferFromRow(row);
      transfers.set(transfer.id, transfer);
      accountIds.add(transfer.debitAccountId);
      accountIds.add(transfer.creditAccountId);
    }
    if (transfers.size > 0) {
      const existing = JSON.stringify([...transfers.keys()]);
      for (const row of this.s.pendingIn.iterate(existing) as Iterable<PendingRow>) pending.set(row.id, pendingFromRow(row));
    }
    return {
      accounts: this.loadAccounts(accountIds),
      transfers,
      pending,
      failed: this.loadFailures(ids, transfers.size < keys.transferIds.size),
      lastTimestamp: this.lastTimestamp(),
    };
  }

  private loadAccounts(ids: Set<string>): Map<string, Account> {
    const accounts = new Map<string, Account>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.cache.account(id);
      if (cached) accounts.set(id, cached);
      else missing.push(id);
    }
    if (missing.length === 0) return accounts;
    for (const row of this.s.accountsIn.iterate(JSON.stringify(missing)) as Iterable<AccountRow>) {
      const account = accountFromRow(row);
      this.cache.remember(account);
      accounts.set(account.id, account);
    }
    return accounts;
  }

  /** Failed ids among `ids` (JSON); skipped while the store knows no id has ever failed. */
  private loadFailures(ids: string, anyNew: boolean): Map<string, TransferResult> {
    const failed = new Map<string, TransferResult>();
    const cache = this.cache;
    cache.hasFailures ??= this.s.anyFailure.get() !== undefined;
    if (!anyNew || !cache.hasFailures) return failed;
    for (const row of this.s.failedIn.iterate(ids) as Iterable<{ id: string; result: string }>) {
      failed.set(row.id, row.result as TransferResult);
    }
    return failed;
  }

  private lastTimestamp(): bigint {
    this.cache.lastTimestamp ??= this.s.lastTimestamp.get() as bigint;
    return this.cache.lastTimestamp;
  }

  private persist({ effects, outbox }: BatchWrite<unknown>): void {
    const s = this.s;
    for (const a of effects.newAccounts) {
      s.insertAccount.run(a.id, a.ledger, a.code, a.flags, a.userData, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.timestamp);
    }
    for (const t of effects.newTransfers) {
      s.insertTransfer.run(t.id, t.debitAccountId, t.creditAccountId, t.amount, t.pendingId, t.timeout, t.ledger, t.code, t.flags, t.userData, t.timestamp);
    }
    for (const a of effects.changedAccounts) {
      s.updateAccount.run(a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.id);
    }
    for (const p of effects.newPending) s.insertPending.run(p.id, p.status, p.expiresAt);
    for (const p of effects.resolvedPending) s.resolvePending.run(p.status, p.id);
    for (const f of effects.newFailures) s.insertFailure.run(f.id, f.result);
    for (const e of outbox) s.insertOutbox.run(e.topic, e.payload, effects.lastTimestamp);
    s.setLastTimestamp.run(effects.lastTimestamp);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = this.r.account.get(id) as AccountRow | undefined;
    return row && accountFromRow(row);
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const row = this.r.transfer.get(id) as TransferRow | undefined;
    return row && transferFromRow(row);
  }

  async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    const transfers = this.history.history(accountId, query).map(transferFromRow);
    const next = transfers.length === query.limit ? transfers[transfers.length - 1].timestamp : null;
    return { transfers, next };
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    return this.r.due.pluck().all(nowNs, limit) as string[];
  }

  async nextExpiry(): Promise<bigint | null> {
    return (this.r.nextExpiry.pluck().get() as bigint | null) ?? null;
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    let after = '';
    for (;;) {
      const rows = this.r.accountsAfter.all(after, batchSize) as AccountRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(accountFromRow);
    }
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    let after = 0n;
    for (;;) {
      const rows = this.r.transfersAfter.all(after, batchSize) as TransferRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].timestamp;
      yield rows.map(transferFromRow);
    }
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    let after = '';
    for (;;) {
      const rows = this.r.pendingAfter.all(after, batchSize) as PendingRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(pendingFromRow);
    }
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    const accounts = this.reader.prepare('SELECT count(*) FROM accounts').pluck().get() as bigint;
    const transfers = this.reader.prepare('SELECT count(*) FROM transfers').pluck().get() as bigint;
    return { accounts, transfers };
  }

  async outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]> {
    const rows = this.r.outboxAfter.all(seq, limit) as { seq: bigint; topic: string; payload: string; created_at: bigint }[];
    return rows.map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    this.catchUp.close();
    // Wait for the group in progress, if any: closing under it would lose an acknowledged write.
    await this.turns.take(async () => undefined);
    await this.walSync?.close();
    await this.checkpointer?.close();
    if (this.reader !== this.db && this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Db) {
  return {
    account: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`),
    transfer: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ?`),
    transfersIn: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id IN (SELECT value FROM json_each(?))`),
    pendingIn: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id IN (SELECT value FROM json_each(?))'),
    failedIn: db.prepare('SELECT id, result FROM failed_transfers WHERE id IN (SELECT value FROM json_each(?))'),
    accountsIn: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id IN (SELECT value FROM json_each(?))`),
    anyFailure: db.prepare('SELECT 1 FROM failed_transfers LIMIT 1'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    totalChanges: db.prepare('SELECT total_changes()').pluck(),
    lastTimestamp: db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck(),
    setLastTimestamp: db.prepare('UPDATE ledger_meta SET last_timestamp = ? WHERE id = 1'),
    insertAccount: db.prepare(`INSERT INTO accounts (${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertTransfer: db.prepare(`INSERT INTO transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateAccount: db.prepare('UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE id = ?'),
    insertPending: db.prepare('INSERT INTO pending_transfers (id, status, expires_at) VALUES (?, ?, ?)'),
    resolvePending: db.prepare('UPDATE pending_transfers SET status = ? WHERE id = ?'),
    insertFailure: db.prepare('INSERT INTO failed_transfers (id, result) VALUES (?, ?)'),
    insertOutbox: db.prepare('INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)'),
    outboxAfter: db.prepare('SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
    due: db.prepare("SELECT id FROM pending_transfers WHERE status = 'pending' AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?"),
    nextExpiry: db.prepare("SELECT min(expires_at) FROM pending_transfers WHERE status = 'pending' AND expires_at > 0"),
    accountsAfter: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id > ? ORDER BY id LIMIT ?`),
    transfersAfter: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > ? ORDER BY timestamp LIMIT ?`),
    pendingAfter: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id > ? ORDER BY id LIMIT ?'),
  };
}
