// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a batch is on disk
// before its results are returned. better-sqlite3 is synchronous; a batch is one IMMEDIATE
// transaction, and this process is the file's only writer.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Account, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../ledger/index.ts';
import { accountTransfersSql } from '../queries.ts';
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
import type { BatchWrite, LedgerStore, OutboxEvent, StoredOutboxEvent, TransferPage, TransferQuery } from '../store.ts';
import { SQLITE_MIGRATIONS } from './schema.ts';

type Db = Database.Database;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway store. */
  readonly file: string;
}

export function openSqliteDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.defaultSafeIntegers(true);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -262144');
  migrate(db, 'ledger', SQLITE_MIGRATIONS);
  return db;
}

/** Applies the migrations of `scope` that this database has not seen yet. */
export function migrate(db: Db, scope: string, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (scope TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (scope, version))');
  const applied = db.prepare('SELECT version FROM schema_migrations WHERE scope = ?').pluck().all(scope) as bigint[];
  const done = new Set(applied.map(Number));
  migrations.forEach((sql, index) => {
    const version = index + 1;
    if (done.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (scope, version) VALUES (?, ?)').run(scope, version);
    }).immediate();
  });
}

/** Cumulative time spent in each phase of `writeBatch`, for benchmarks and diagnostics. */
export interface BatchPhases {
  batches: number;
  loadMs: number;
  computeMs: number;
  persistMs: number;
  commitMs: number;
}

export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite' as const;
  readonly phases: BatchPhases = { batches: 0, loadMs: 0, computeMs: 0, persistMs: 0, commitMs: 0 };
  private readonly s;

  constructor(readonly db: Db) {
    this.s = prepareStatements(db);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(openSqliteDatabase(options.file));
  }

  async writeBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T> {
    const p = this.phases;
    let mark = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - mark;
      mark = now;
      return ms;
    };
    const run = this.db.transaction(() => {
      const snapshot = this.load(keys);
      p.loadMs += lap();
      const written = compute(snapshot);
      p.computeMs += lap();
      this.persist(written);
      p.persistMs += lap();
      return written.value;
    });
    const value = run.immediate();
    p.commitMs += lap();
    p.batches++;
    return value;
  }

  private load(keys: BatchKeys): Snapshot {
    const transfers = new Map<string, Transfer>();
    const pending = new Map<string, PendingState>();
    const failed = new Map<string, TransferResult>();
    const accountIds = new Set(keys.accountIds);
    for (const id of keys.transferIds) {
      const row = this.s.transfer.get(id) as TransferRow | undefined;
      if (row) {
        const transfer = transferFromRow(row);
        transfers.set(id, transfer);
        accountIds.add(transfer.debitAccountId);
        accountIds.add(transfer.creditAccountId);
        const state = this.s.pending.get(id) as PendingRow | undefined;
        if (state) pending.set(id, pendingFromRow(state));
        continue;
      }
      const failure = this.s.failed.get(id) as { result: string } | undefined;
      if (failure) failed.set(id, failure.result as TransferResult);
    }
    const accounts = new Map<string, Account>();
    for (const id of accountIds) {
      const row = this.s.account.get(id) as AccountRow | undefined;
      if (row) accounts.set(id, accountFromRow(row));
    }
    const lastTimestamp = this.s.lastTimestamp.get() as bigint;
    return { accounts, transfers, pending, failed, lastTimestamp };
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
    const row = this.s.account.get(id) as AccountRow | undefined;
    return row && accountFromRow(row);
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const row = this.s.transfer.get(id) as TransferRow | undefined;
    return row && transferFromRow(row);
  }

  async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    const { sql, params } = accountTransfersSql(accountId, query, () => '?');
    const rows = this.db.prepare(sql).all(...params) as TransferRow[];
    const transfers = rows.map(transferFromRow);
    const next = transfers.length === query.limit ? transfers[transfers.length - 1].timestamp : null;
    return { transfers, next };
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    return this.s.due.pluck().all(nowNs, limit) as string[];
  }

  async nextExpiry(): Promise<bigint | null> {
    return (this.s.nextExpiry.pluck().get() as bigint | null) ?? null;
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    let after = '';
    for (;;) {
      const rows = this.s.accountsAfter.all(after, batchSize) as AccountRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(accountFromRow);
    }
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    let after = 0n;
    for (;;) {
      const rows = this.s.transfersAfter.all(after, batchSize) as TransferRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].timestamp;
      yield rows.map(transferFromRow);
    }
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    let after = '';
    for (;;) {
      const rows = this.s.pendingAfter.all(after, batchSize) as PendingRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(pendingFromRow);
    }
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    const accounts = this.db.prepare('SELECT count(*) FROM accounts').pluck().get() as bigint;
    const transfers = this.db.prepare('SELECT count(*) FROM transfers').pluck().get() as bigint;
    return { accounts, transfers };
  }

  async outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]> {
    const rows = this.s.outboxAfter.all(seq, limit) as { seq: bigint; topic: string; payload: string; created_at: bigint }[];
    return rows.map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Db) {
  return {
    account: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`),
    transfer: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ?`),
    pending: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id = ?'),
    failed: db.prepare('SELECT result FROM failed_transfers WHERE id = ?'),
    lastTimestamp: db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck(),
    setLastTimestamp: db.prepare('UPDATE ledger_meta SET last_timestamp = ? WHERE id = 1'),
    insertAccount: db.prepare(`INSERT INTO accounts (${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertTransfer: db.prepare(`INSERT INTO transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateAccount: db.prepare(
      'UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE id = ?',
    ),
    insertPending: db.prepare('INSERT INTO pending_transfers (id, status, expires_at) VALUES (?, ?, ?)'),
    resolvePending: db.prepare('UPDATE pending_transfers SET status = ? WHERE id = ?'),
    insertFailure: db.prepare('INSERT INTO failed_transfers (id, result) VALUES (?, ?)'),
    insertOutbox: db.prepare('INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)'),
    outboxAfter: db.prepare('SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
    due: db.prepare(
      "SELECT id FROM pending_transfers WHERE status = 'pending' AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?",
    ),
    nextExpiry: db.prepare("SELECT min(expires_at) FROM pending_transfers WHERE status = 'pending' AND expires_at > 0"),
    accountsAfter: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id > ? ORDER BY id LIMIT ?`),
    transfersAfter: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > ? ORDER BY timestamp LIMIT ?`),
    pendingAfter: db.prepare('SELECT id, status, expires_at FROM pending_transfers WHERE id > ? ORDER BY id LIMIT ?'),
  };
}
