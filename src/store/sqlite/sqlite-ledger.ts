// How the embedded store keeps the ledger inside its commit file: the part of SqliteStore that
// depends on the layout. SqliteStore owns the connections, the writer's turns, the transaction,
// the outbox and durability; a layout loads and persists a group's ledger batch inside that
// transaction and answers the ledger's reads. Two layouts exist: `tables` (a row per account and
// transfer, tables-ledger.ts) and `log` (one packed row per batch, log/log-ledger.ts).
import type Database from 'better-sqlite3';
import type { BatchEffects, BatchKeys, Snapshot, Transfer } from '../../ledger/index.ts';
import type { BatchWrite, LedgerStore, StoreHealth, TransferPage } from '../store.ts';
import { lapTimer } from '../lap-timer.ts';

export type SqliteLayout = 'tables' | 'log';

export const SQLITE_LAYOUTS: readonly SqliteLayout[] = ['tables', 'log'];

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

export function emptyPhases(): BatchPhases {
  return { batches: 0, loadMs: 0, computeMs: 0, persistMs: 0, commitMs: 0, indexPasses: 0, indexedTransfers: 0, indexMs: 0 };
}

/** Adds each phase's time to `phases` as the batch passes through load, compute and persist. */
export function timedBatch<T>(
  phases: BatchPhases,
  load: () => Snapshot,
  compute: (snapshot: Snapshot) => BatchWrite<T>,
  persist: (written: BatchWrite<T>) => void,
): BatchWrite<T> {
  const lap = lapTimer();
  const snapshot = load();
  phases.loadMs += lap();
  const written = compute(snapshot);
  phases.computeMs += lap();
  persist(written);
  phases.persistMs += lap();
  phases.batches++;
  return written;
}

/** The ledger's reads, answered by the layout. */
type LedgerReads = Pick<
  LedgerStore,
  'getAccount' | 'getTransfer' | 'listAccountTransfers' | 'duePendingIds' | 'nextExpiry' | 'scanAccounts' | 'scanTransfers' | 'scanPendingStates' | 'counts'
>;

export interface SqliteLedger extends LedgerReads {
  readonly phases: BatchPhases;
  /** In the writer's turn, before the group's transaction: resolves when the layout has room for
   *  another batch (the log layout waits while its worker trails too far). */
  room?(): Promise<void>;
  /** The layout's machinery off the commit path (the log layout's worker); none: always ok. */
  health?(): StoreHealth;
  /** Inside the group's write transaction, before any of its work. */
  begin(): void;
  /** Loads what `keys` name, computes and persists the batch's ledger effects (not its outbox). */
  apply<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): BatchWrite<T>;
  /** Just before COMMIT, the write lock still held. */
  beforeCommit(): void;
  /** Just after COMMIT, with the group's ledger effects when it had a batch. */
  committed(effects: BatchEffects | undefined): void;
  /** The group rolled back. */
  abandon(): void;
  /** Names everything committed so far; `durable` is called with it once that is on disk. */
  mark(): number;
  durable(mark: number): void;
  /** The layout's own consistency checks, as problems found (none: an empty list). */
  check(): Promise<string[]>;
  /** Does now the work the layout defers after commits; returns how many transfers it handled. */
  settle(busy: boolean): number;
  /** Resolves once the work the layout defers to another thread has caught up with every commit. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** A page of an account's history: `next` is the last timestamp when the page is full. */
export function transferPage(transfers: Transfer[], limit: number): TransferPage {
  const next = transfers.length === limit ? transfers[transfers.length - 1].timestamp : null;
  return { transfers, next };
}

/** Every row of a keyset-paged statement (its parameters: the last key seen, then the page size),
 *  a page at a time, mapped. */
export function* scanPages<R, K, T>(statement: Database.Statement, first: K, keyOf: (row: R) => K, map: (row: R) => T, batchSize: number): Iterable<T[]> {
  let after = first;
  for (;;) {
    const rows = statement.all(after, batchSize) as R[];
    if (rows.length === 0) return;
    after = keyOf(rows[rows.length - 1]);
    yield rows.map(map);
  }
}
