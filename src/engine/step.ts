// A step: how a module moves money. The engine runs a step inside its next write group, so the
// module's rows and the ledger batch share one transaction and one durable commit:
//   claim  -> the module's own rows and checks (a throw refuses the step and undoes its writes);
//   plan   -> pure: the claimed state and the time -> the ledger events (one linked chain or
//             independent events; the step's events are a request of their own in the batch);
//   record -> the outcome, given each event's result, in the same transaction.
// A crash loses the whole group or none of it: nothing is ever half recorded.
import type { TransferEvent, TransferResult } from '../ledger/index.ts';
import type { SqlExecutor } from '../store/sql.ts';

/** A transfer event's result, with the ledger timestamp of its transfer when it exists. */
export interface TransferOutcome {
  readonly result: TransferResult;
  readonly timestamp: bigint | null;
}

export interface Step<Claimed, Result> {
  /** For logs and metrics. */
  readonly name: string;
  /** The most events `plan` returns; the engine sizes its batches by it. */
  readonly maxEvents: number;
  claim(tx: SqlExecutor, nowMs: number): Promise<Claimed>;
  plan(claimed: Claimed, nowMs: number): readonly TransferEvent[];
  /** A throw here is a bug: the whole group is rolled back and every caller in it gets the error. */
  record(tx: SqlExecutor, claimed: Claimed, outcomes: readonly TransferOutcome[]): Promise<Result>;
}

/**
 * What a module gathers from a write group's steps and writes once at the group's end (counters
 * summed per key: one statement for the group instead of one per step). The engine tells it where
 * the group stands; anything gathered outside `tx` belongs to another transaction and is not its.
 */
export interface GroupTally {
  /** A group opened; `tx` is its transaction. */
  begin(tx: SqlExecutor): void;
  /** A step's claim ended: kept, or undone with its savepoint (what it gathered is dropped). */
  claimEnded(kept: boolean): void;
  /** After every record, in the group's transaction: write what the group gathered. */
  flush(tx: SqlExecutor): Promise<void>;
  /** The group committed or rolled back: forget it. */
  end(): void;
}

/** A step that only writes module rows (no money moves), at the write group's time. */
export function sqlStep<T>(name: string, write: (tx: SqlExecutor, nowMs: number) => Promise<T>): Step<T, T> {
  return {
    name,
    maxEvents: 0,
    claim: (tx, nowMs) => write(tx, nowMs),
    plan: () => [],
    record: async (_tx, written) => written,
  };
}
