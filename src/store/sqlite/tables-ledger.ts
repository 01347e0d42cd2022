// The `tables` layout of the embedded store's ledger: a row per account, transfer, pending state
// and failure in the commit file, written by the batch that makes them. Account history is indexed
// after the commit, in large passes of its own (account-index.ts, ../catch-up.ts), and a write cache
// (../write-cache.ts) spares the batch the reads of accounts it already knows.
import type Database from 'better-sqlite3';
import type { Account, BatchEffects, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../ledger/index.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow, type PendingRow, pendingFromRow, type TransferRow, transferFromRow } from '../rows.ts';
import type { BatchWrite, TransferPage, TransferQuery } from '../store.ts';
import { AccountIndex, MAX_PASS_TRANSFERS } from './account-index.ts';
import { ledgerRowReads, ledgerRowWrites } from './ledger-rows.ts';
import { type CatchUpPolicy, CatchUpScheduler } from '../catch-up.ts';
import { type BatchPhases, emptyPhases, type SqliteLedger, scanPages, timedBatch, transferPage } from './sqlite-ledger.ts';
import { WriteCache, type WriteStamp } from '../write-cache.ts';

type Db = Database.Database;

export class TablesLedger implements SqliteLedger {
  readonly phases: BatchPhases = emptyPhases();
  /** Statements on the writer connection, and on the reader (which sees only committed state). */
  private readonly s;
  private readonly r;
  private readonly cache = new WriteCache();
  private readonly index: AccountIndex;
  private readonly history: AccountIndex;
  private readonly catchUp: CatchUpScheduler;
  private stamp: WriteStamp | null = null;

  /** `busy` says whether a write group is open (a catch-up pass must not nest in it). */
  constructor(
    private readonly db: Db,
    private readonly reader: Db,
    policy: CatchUpPolicy,
    private readonly busy: () => boolean,
  ) {
    refuseOtherLayout(db);
    this.s = prepareStatements(db);
    this.r = reader === db ? this.s : prepareStatements(reader);
    this.index = new AccountIndex(db);
    this.history = reader === db ? this.index : new AccountIndex(reader);
    this.catchUp = new CatchUpScheduler(policy, () => this.indexPass());
    // A tail left by the last run (or another process) is indexed like any other.
    this.catchUp.written(this.index.tailLength());
  }

  settle(busy: boolean): number {
    // A pass yields to an open write group, so looping here while one is open would never end.
    if (busy) throw new Error('catchUpAccountIndex needs the writer idle: await the engine first');
    const before = this.phases.indexedTransfers;
    while (this.indexPass() > 0);
    this.catchUp.caughtUp(0);
    return this.phases.indexedTransfers - before;
  }

  /** Nothing runs on another thread: `settle` is the whole of the deferred work. */
  async caughtUp(): Promise<void> {}

  /** One catch-up pass in its own write transaction; returns how many transfers remain unindexed. */
  private indexPass(): number {
    // A write group is open and awaiting: the pass would nest in it. The scheduler comes back.
    if (this.busy()) return this.index.tailLength();
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

  /** The rows are the ledger: the auditor's checks of them are all there is. */
  async check(): Promise<string[]> {
    return [];
  }

  begin(): void {
    this.cache.validate(this.writeStamp());
  }

  apply<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): BatchWrite<T> {
    return timedBatch(
      this.phases,
      () => this.load(keys),
      compute,
      (written) => this.persist(written.effects),
    );
  }

  beforeCommit(): void {
    // Read while this transaction still holds the write lock: no other writer can slip in.
    this.stamp = this.writeStamp();
  }

  committed(effects: BatchEffects | undefined): void {
    if (this.stamp) this.cache.committed(effects, this.stamp);
    if (effects) this.catchUp.written(effects.newTransfers.length);
  }

  abandon(): void {
    this.cache.abandon();
  }

  mark(): number {
    return 0;
  }

  durable(): void {}

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

  private persist(effects: BatchEffects): void {
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
    return transferPage(this.history.history(accountId, query).map(transferFromRow), query.limit);
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    return this.r.due.pluck().all(nowNs, limit) as string[];
  }

  async nextExpiry(): Promise<bigint | null> {
    return (this.r.nextExpiry.pluck().get() as bigint | null) ?? null;
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    yield* scanPages(this.r.accountsAfter, '', (row: AccountRow) => row.id, accountFromRow, batchSize);
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    yield* scanPages(this.r.transfersAfter, 0n, (row: TransferRow) => row.timestamp, transferFromRow, batchSize);
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    yield* scanPages(this.r.pendingAfter, '', (row: PendingRow) => row.id, pendingFromRow, batchSize);
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    const accounts = this.reader.prepare('SELECT count(*) FROM accounts').pluck().get() as bigint;
    const transfers = this.reader.prepare('SELECT count(*) FROM transfers').pluck().get() as bigint;
    return { accounts, transfers };
  }

  async close(): Promise<void> {
    this.catchUp.close();
  }
}

/** A commit file written in the log layout holds its ledger in `ledger_log`: these tables are empty there. */
function refuseOtherLayout(db: Db): void {
  const layout = db.prepare('SELECT layout FROM ledger_meta WHERE id = 1').pluck().get();
  if (layout !== 'tables') throw new Error(`${db.name} holds the ledger in the ${String(layout)} layout: open it with FORMICA_SQLITE_LAYOUT=${String(layout)}`);
}

function prepareStatements(db: Db) {
  return {
    ...ledgerRowReads(db),
    ...ledgerRowWrites(db),
    account: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`),
    accountsIn: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id IN (SELECT value FROM json_each(?))`),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    totalChanges: db.prepare('SELECT total_changes()').pluck(),
    lastTimestamp: db.prepare('SELECT last_timestamp FROM ledger_meta WHERE id = 1').pluck(),
    setLastTimestamp: db.prepare('UPDATE ledger_meta SET last_timestamp = ? WHERE id = 1'),
    insertAccount: db.prepare(`INSERT INTO accounts (${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateAccount: db.prepare('UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE id = ?'),
    due: db.prepare("SELECT id FROM pending_transfers WHERE status = 'pending' AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?"),
    nextExpiry: db.prepare("SELECT min(expires_at) FROM pending_transfers WHERE status = 'pending' AND expires_at > 0"),
    accountsAfter: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id > ? ORDER BY id LIMIT ?`),
  };
}
