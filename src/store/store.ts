// The one contract every store (embedded SQLite, PostgreSQL) fulfils. The engine is the only
// writer of ledger state; it hands each group of commands to `writeGroup`: one transaction in
// which modules' steps write their rows and the ledger batch loads what it names, lets the pure
// ledger compute, and persists the effects; the group commits durably once, with one fsync.
import type { Account, BatchEffects, BatchKeys, Snapshot, Transfer } from '../ledger/index.ts';
import type { SqlExecutor } from './sql.ts';

export interface OutboxEvent {
  readonly topic: string;
  /** JSON text; the outbox never interprets it. */
  readonly payload: string;
}

export interface StoredOutboxEvent extends OutboxEvent {
  readonly seq: bigint;
  readonly createdAt: bigint;
}

export interface BatchWrite<T> {
  readonly effects: BatchEffects;
  readonly outbox: readonly OutboxEvent[];
  readonly value: T;
}

export interface TransferPage {
  readonly transfers: Transfer[];
  /** Pass as `after` to read the next page; null at the end. */
  readonly next: bigint | null;
}

export interface TransferQuery {
  readonly limit: number;
  /** Only transfers with a timestamp after this one (exclusive). */
  readonly after?: bigint;
  readonly code?: number;
  readonly userData?: string;
  readonly until?: bigint;
}

/** One open write transaction of the store, handed to `writeGroup`'s work. */
export interface WriteGroup {
  /** Modules' SQL inside this transaction. */
  readonly sql: SqlExecutor;
  /** Runs `fn` so that a throw undoes its own writes only (a savepoint), then rethrows. */
  isolated<T>(fn: () => Promise<T>): Promise<T>;
  /** The group's ledger batch (at most one): loads the snapshot for `keys` (and the accounts of
   *  the pending transfers it names), runs `compute` and persists its effects and outbox. */
  apply<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T>;
}

export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one write transaction, commits durably and returns its value; a throw rolls
   *  the whole group back. Groups take turns (one writer at a time, across processes too).
   *  `committed`, when given, is called as soon as the next group may start: after the commit,
   *  possibly before it is durable (the returned promise waits for that). */
  writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T>;
  /** A group that only applies one ledger batch. */
  writeBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T>;
  getAccount(id: string): Promise<Account | undefined>;
  getTransfer(id: string): Promise<Transfer | undefined>;
  /** An account's transfers, oldest first. */
  listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage>;
  /** Pending transfers that are still pending and due at `nowNs`, oldest deadline first. */
  duePendingIds(nowNs: bigint, limit: number): Promise<string[]>;
  /** The earliest deadline of a still-pending transfer, or null. */
  nextExpiry(): Promise<bigint | null>;
  /** Every account, in id order, `batchSize` at a time. */
  scanAccounts(batchSize: number): AsyncIterable<Account[]>;
  /** Every transfer in timestamp order, `batchSize` at a time. */
  scanTransfers(batchSize: number): AsyncIterable<Transfer[]>;
  /** Pending states of every pending transfer, `batchSize` at a time. */
  scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]>;
  counts(): Promise<{ accounts: bigint; transfers: bigint }>;
  outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]>;
  /** Checks of the store's own derived data beyond the auditor's (e.g. the SQLite log layout
   *  folds its log and compares it with what it materialized); problems found, none: empty. */
  selfCheck?(): Promise<string[]>;
  /** How the store's own machinery is doing, for `/health`; a store with none is always ok. */
  health?(): StoreHealth;
  close(): Promise<void>;
}

/**
 * `degraded`: serving, with a part recovering on its own (the SQLite log layout's worker restarting).
 * `failed`: some reads fail until the process restarts (that worker given up on), so an orchestrator
 * should restart it. `detail` names the part and its state, never an account, an amount or an error text.
 */
export interface StoreHealth {
  readonly status: 'ok' | 'degraded' | 'failed';
  readonly detail?: string;
}
