// The `log` layout of the embedded store's ledger. A batch appends ONE row to the commit file's
// `ledger_log` (its effects packed by codec.ts) in the group's transaction: no per-transfer or
// per-account SQL on the commit path. The writer keeps every account, the pending transfers and the
// rows not materialized yet in memory (ledger-memory.ts); a worker thread materializes durable rows
// into the state file beside the commit file (materializer.ts), which answers the reads memory does
// not hold. The log is the truth: memory and the state file are rebuilt from it at open.
//
// Reads never see what could still be lost: a read waits until the row that last changed what it
// returns is fsynced. Another process writing the same file appends rows too: each group, inside its
// write transaction, and each read first apply the rows this store has not seen.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Account, BatchEffects, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../../ledger/index.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow, type PendingRow, pendingFromRow, type TransferRow, transferFromRow } from '../../rows.ts';
import type { BatchWrite, StoreHealth, TransferPage, TransferQuery } from '../../store.ts';
import { filters, JOINED_COLUMNS } from '../account-index.ts';
import { preparedOnce } from '../executor.ts';
import { ledgerRowReads } from '../ledger-rows.ts';
import { type BatchPhases, emptyPhases, type SqliteLedger, scanPages, timedBatch, transferPage } from '../sqlite-ledger.ts';
import { encodeRecord, type LogRecord } from '../../log/codec.ts';
import { LedgerMemory } from '../../log/ledger-memory.ts';
import { type HeldIdSource, HeldIdScan } from '../../log/id-filter.ts';
import { checkAgainstLog } from './log-check.ts';
import { adoptLogLayout } from './log-layout.ts';
import { LogReader } from './log-rows.ts';
import { type MaterializerHealth, Materializer, type MaterializerOptions } from './materializer.ts';
import { materializedThrough, openStateDatabase, removeStateFile, stateFileOf } from './state-file.ts';
import { DEFAULT_TAIL_LIMIT, type TailLimit } from '../../log/log-tail.ts';

type Db = Database.Database;

export interface LogLedgerOptions {
  /** How far the worker may trail before the next group waits for it (default 64 rows or 1,000,000 transfers). */
  readonly tailLimit?: Partial<TailLimit>;
  /** The worker's supervision (materializer.ts). */
  readonly materializer?: MaterializerOptions;
}

export class LogLedger implements SqliteLedger {
  readonly phases: BatchPhases = emptyPhases();
  readonly memory = new LedgerMemory();
  /** The state file, read on this thread; written only by the materializing worker. */
  readonly state: Db;
  readonly stateFile: string;
  private readonly s;
  private readonly q;
  /** History queries, one statement per shape of filters. */
  private readonly shapes: (sql: string) => Database.Statement;
  private readonly writerLog: LogReader;
  private readonly readerLog: LogReader;
  private readonly materializer: Materializer;
  /** The batch of the open group, applied to memory once it commits. */
  private staged: { seq: number; record: LogRecord } | null = null;
  /** Every log row up to this one is fsynced. */
  private durableSeq: number;
  private durableWaiters: { seq: number; resolve: () => void }[] = [];
  private readonly tailLimit: TailLimit;
  /** Fills memory's id filter from the state file; stopped by `close`. */
  readonly heldIdScan: HeldIdScan;

  /** `syncWal` resolves once every commit made before the call is on disk. */
  constructor(
    private readonly db: Db,
    private readonly readerDb: Db,
    private readonly syncWal: () => Promise<void>,
    options: LogLedgerOptions = {},
  ) {
    if (db.memory) throw new Error("the log layout needs a file: ':memory:' stores use the tables layout");
    adoptLogLayout(db);
    this.stateFile = stateFileOf(db.name);
    this.writerLog = new LogReader(db);
    this.readerLog = new LogReader(readerDb);
    this.state = this.openState();
    this.s = prepareStatements(db);
    this.q = prepareStateReads(this.state);
    this.shapes = preparedOnce(this.state);
    this.load();
    // What the last run committed may not have been synced before it stopped.
    syncFile(`${db.name}-wal`);
    this.durableSeq = this.memory.seq;
    this.tailLimit = { ...DEFAULT_TAIL_LIMIT, ...options.tailLimit };
    const from = materializedThrough(this.state);
    this.materializer = new Materializer(db.name, this.stateFile, from, (seq) => this.memory.tail.dropThrough(seq), options.materializer);
    this.materializer.durable(this.durableSeq);
    this.heldIdScan = new HeldIdScan(this.memory.heldIds, this.heldIdSource());
  }

  /** The state file's ids for memory's filter, a page per turn of the event loop. */
  private heldIdSource(): HeldIdSource {
    const { q } = this;
    return {
      count: async () => Number(q.countHeldIds.get()),
      page: async (table, after, limit) => {
        await new Promise((resolve) => setImmediate(resolve));
        return (table === 'transfers' ? q.transferIdsAfter : q.failedIdsAfter).all(after, limit) as string[];
      },
    };
  }

  /** The state file, rebuilt from nothing when it cannot be the fold of this log. */
  private openState(): Db {
    try {
      const state = openStateDatabase(this.stateFile, 'reader');
      if (materializedThrough(state) <= this.writerLog.lastSeq()) return state;
      // Ahead of the log: the commit file was replaced (a restored backup), so this is another history.
      state.close();
    } catch (error) {
      process.emitWarning(`rebuilding the ledger state file from the log: ${(error as Error).message}`);
    }
    removeStateFile(this.stateFile);
    return openStateDatabase(this.stateFile, 'reader');
  }

  /** Memory as the state file holds it, then the log rows after its watermark. */
  private load(): void {
    const memory = this.memory;
    this.state.transaction(() => {
      for (const row of this.q.accounts.iterate() as Iterable<AccountRow & { key: bigint }>) memory.loadAccount(Number(row.key), accountFromRow(row));
      for (const row of this.q.stillPending.iterate() as Iterable<PendingRow>) memory.pending.set(row.id, pendingFromRow(row));
      memory.hasFailures = this.q.anyFailure.get() !== undefined;
      memory.seq = materializedThrough(this.state);
    })();
    this.db.transaction(() => {
      this.replay(this.writerLog);
      memory.lastTimestamp = this.s.lastTimestamp.get() as bigint;
    })();
  }

  /** Applies the log rows this store has not seen yet; returns whether there were any. */
  private replay(log: LogReader): boolean {
    const last = log.lastSeq();
    if (last <= this.memory.seq) return false;
    for (const row of log.rows(this.memory.seq, last, last - this.memory.seq, (key) => this.memory.idOf(key))) this.memory.apply(row.seq, row.record);
    return true;
  }

  /** Before a read: rows another process appended are applied, and become durable with a sync. */
  private refresh(): void {
    if (this.replay(this.readerLog)) this.syncSoon();
  }

  private syncSoon(): void {
    const mark = this.memory.seq;
    if (mark > this.durableSeq) void this.syncWal().then(() => this.durable(mark));
  }

  /** Backpressure, in the writer's turn before its transaction: while the worker trails by the tail
   *  limit or more, the group waits for it to catch up (acknowledged work is never dropped). Rejects
   *  once the worker's supervisor has given up, so no group waits for ever. */
  async room(): Promise<void> {
    while (this.memory.tail.reaches(this.tailLimit)) await this.materializer.progress();
  }

  /** The materializing worker's state, for health reports and tests (which also pause and kill it). */
  get worker(): Pick<Materializer, 'pause' | 'resume' | 'killWorker'> & { health(): MaterializerHealth } {
    return this.materializer;
  }

  health(): StoreHealth {
    const worker = this.materializer.health();
    const detail = `ledger worker ${worker.state}, ${worker.durableThrough - worker.materializedThrough} log rows behind, ${worker.restarts} restarts`;
    if (worker.state === 'running') return { status: 'ok', detail };
    return { status: worker.state === 'failed' || worker.state === 'closed' ? 'failed' : 'degraded', detail };
  }

  begin(): void {
    // Inside the write transaction: no other writer can append until it ends.
    this.replay(this.writerLog);
  }

  apply<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): BatchWrite<T> {
    return timedBatch(
      this.phases,
      () => this.snapshot(keys),
      compute,
      (written) => this.append(written.effects),
    );
  }

  beforeCommit(): void {}

  committed(): void {
    if (!this.staged) return;
    this.memory.apply(this.staged.seq, this.staged.record);
    this.staged = null;
  }

  abandon(): void {
    this.staged = null;
    // Rows of another writer applied at the group's start are durable only once synced.
    this.syncSoon();
  }

  mark(): number {
    return this.memory.seq;
  }

  durable(mark: number): void {
    if (mark <= this.durableSeq) return;
    this.durableSeq = mark;
    const ready = this.durableWaiters.filter((w) => w.seq <= mark);
    this.durableWaiters = this.durableWaiters.filter((w) => w.seq > mark);
    for (const w of ready) w.resolve();
    this.materializer.durable(mark);
  }

  /** Materialization runs on its own thread: nothing is deferred on this one. */
  settle(): number {
    return 0;
  }

  /** Resolves once the log row `seq` is on disk. */
  private durableThrough(seq: number): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve) => this.durableWaiters.push({ seq, resolve }));
  }

  caughtUp(): Promise<void> {
    return this.materialized();
  }

  /** Resolves once the state file holds every row this store knows. */
  private async materialized(): Promise<void> {
    const seq = this.memory.seq;
    await this.durableThrough(seq);
    await this.materializer.until(seq);
  }

  /** What the batch names: accounts from memory, transfers and their states from the tail, then the state file. */
  private snapshot(keys: BatchKeys): Snapshot {
    const { memory } = this;
    const { found: transfers, missing } = memory.tailTransfers(keys.transferIds);
    if (missing.length > 0)
      for (const row of this.q.transfersIn.iterate(JSON.stringify(missing)) as Iterable<TransferRow>) transfers.set(row.id, transferFromRow(row));
    const unknown = missing.filter((id) => !transfers.has(id));
    return {
      accounts: memory.accountsFor(keys.accountIds, transfers.values()),
      transfers,
      pending: this.pendingOf([...transfers.keys()]),
      failed: this.failuresOf(unknown),
      lastTimestamp: memory.lastTimestamp,
    };
  }

  private pendingOf(ids: string[]): Map<string, PendingState> {
    const pending = new Map<string, PendingState>();
    const older: string[] = [];
    for (const id of ids) {
      const state = this.memory.pendingState(id);
      if (state) pending.set(id, state);
      else older.push(id);
    }
    if (older.length > 0) for (const row of this.q.pendingIn.iterate(JSON.stringify(older)) as Iterable<PendingRow>) pending.set(row.id, pendingFromRow(row));
    return pending;
  }

  private failuresOf(ids: string[]): Map<string, TransferResult> {
    const { found: failed, older } = this.memory.tailFailures(ids);
    if (older.length > 0)
      for (const row of this.q.failedIn.iterate(JSON.stringify(older)) as Iterable<{ id: string; result: string }>)
        failed.set(row.id, row.result as TransferResult);
    return failed;
  }

  /** The batch's one log row, in the open transaction; memory takes it once the group commits. */
  private append(effects: BatchEffects): void {
    const { memory } = this;
    const record = memory.record(effects);
    const blobs = encodeRecord(record, memory.keysFor(record));
    const seq = memory.seq + 1;
    this.s.append.run(seq, record.lastTimestamp, blobs.accounts, blobs.transfers, blobs.pending, blobs.failures);
    this.s.advance.run(seq, record.lastTimestamp);
    this.staged = { seq, record };
  }

  async getAccount(id: string): Promise<Account | undefined> {
    this.refresh();
    const account = this.memory.account(id);
    if (account) await this.durableThrough(this.memory.changedSeq(id));
    return account;
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    this.refresh();
    const inTail = this.memory.tail.transfer(id);
    if (inTail) {
      await this.durableThrough(inTail.seq);
      return inTail.value;
    }
    const row = this.q.transfer.get(id) as TransferRow | undefined;
    return row && transferFromRow(row);
  }

  /** The state file's part of the history first (it holds the older rows), then the tail's. */
  async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    this.refresh();
    const stored = this.storedHistory(accountId, query).map(transferFromRow);
    const last = stored.at(-1)?.timestamp ?? 0n;
    const after = query.after !== undefined && query.after > last ? query.after : last;
    const tail = this.memory.tail.accountTransfers(accountId, { ...query, after }, query.limit - stored.length);
    if (tail.length > 0) await this.durableThrough(tail[tail.length - 1].seq);
    return transferPage([...stored, ...tail.map((t) => t.value)], query.limit);
  }

  /** The indexed history up to `history_through`, then the transfers materialized after it (at
   *  most about one history pass, state-file.ts), merged in timestamp order by one statement. */
  private storedHistory(accountId: string, query: TransferQuery): TransferRow[] {
    const key = this.memory.keyOf(accountId);
    if (key === undefined) return [];
    const { where, params } = filters(query, 't.');
    const until = query.until !== undefined ? [query.until] : [];
    const upTo = (column: string) => (query.until !== undefined ? ` AND ${column} <= ?` : '');
    const indexed = '(SELECT history_through FROM state_meta WHERE id = 1)';
    const sql =
      `SELECT ${INDEXED_COLUMNS} FROM account_transfers a CROSS JOIN transfers t ON t.timestamp = a.timestamp ` +
      `WHERE a.account_key = ? AND a.timestamp > ? AND a.timestamp <= ${indexed}${upTo('a.timestamp')}${where} ` +
      `UNION ALL SELECT ${JOINED_COLUMNS} FROM transfers t ` +
      `WHERE t.timestamp > max(?, ${indexed})${upTo('t.timestamp')} AND (t.debit_key = ? OR t.credit_key = ?)${where} ORDER BY timestamp LIMIT ?`;
    const after = query.after ?? 0n;
    return this.shapes(sql).all(key, after, ...until, ...params, after, ...until, key, key, ...params, query.limit) as TransferRow[];
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    this.refresh();
    return this.memory.duePendingIds(nowNs, limit);
  }

  async nextExpiry(): Promise<bigint | null> {
    this.refresh();
    return this.memory.nextExpiry();
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    this.refresh();
    await this.durableThrough(this.memory.seq);
    yield* this.memory.accountPages(batchSize);
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    this.refresh();
    await this.materialized();
    yield* scanPages(this.q.transfersAfter, 0n, (row: TransferRow) => row.timestamp, transferFromRow, batchSize);
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    this.refresh();
    await this.materialized();
    yield* scanPages(this.q.pendingAfter, '', (row: PendingRow) => row.id, pendingFromRow, batchSize);
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    this.refresh();
    await this.materialized();
    return { accounts: BigInt(this.memory.size), transfers: this.q.countTransfers.get() as bigint };
  }

  /** Folds the whole log and compares it with memory and the state file (log-check.ts). */
  async check(): Promise<string[]> {
    this.refresh();
    await this.materialized();
    return checkAgainstLog(this.readerDb, this.memory, this.state);
  }

  async close(): Promise<void> {
    await this.heldIdScan.stop();
    await this.materializer.close();
    this.state.close();
  }
}

function syncFile(file: string): void {
  if (!fs.existsSync(file)) return;
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function prepareStatements(db: Db) {
  return {
    lastTimestamp: db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck(),
    append: db.prepare('INSERT INTO ledger_log (seq, last_timestamp, accounts, transfers, pending, failures) VALUES (?, ?, ?, ?, ?, ?)'),
    advance: db.prepare('UPDATE ledger_meta SET log_seq = ?, last_timestamp = ? WHERE id = 1'),
  };
}

/** The history columns with the timestamp taken from the index, so its order serves ORDER BY. */
const INDEXED_COLUMNS = JOINED_COLUMNS.replace('t.timestamp', 'a.timestamp');

function prepareStateReads(db: Db) {
  return {
    ...ledgerRowReads(db),
    accounts: db.prepare(`SELECT key, ${ACCOUNT_COLUMNS} FROM accounts ORDER BY key`),
    stillPending: db.prepare("SELECT id, status, expires_at FROM pending_transfers WHERE status = 'pending'"),
    countTransfers: db.prepare('SELECT count(*) FROM transfer_rows').pluck(),
    countHeldIds: db.prepare('SELECT (SELECT count(*) FROM transfer_rows) + (SELECT count(*) FROM failed_transfers)').pluck(),
    transferIdsAfter: db.prepare('SELECT id FROM transfer_rows WHERE id > ? ORDER BY id LIMIT ?').pluck(),
    failedIdsAfter: db.prepare('SELECT id FROM failed_transfers WHERE id > ? ORDER BY id LIMIT ?').pluck(),
  };
}
