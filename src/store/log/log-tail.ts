// The log rows the writer knows and the state file may not hold yet: their transfers (by id and by
// account, for history reads), pending states and failures, each with the seq of its row. Rows
// leave once the materializing worker reports them in the state file.
import type { PendingState, Transfer, TransferResult } from '../../ledger/index.ts';
import type { TransferQuery } from '../store.ts';
import type { LogRecord } from './codec.ts';

export interface InTail<T> {
  readonly value: T;
  readonly seq: number;
}

/** How far the worker may trail the writer before the next group waits for it. */
export interface TailLimit {
  readonly rows: number;
  readonly transfers: number;
}

export const DEFAULT_TAIL_LIMIT: TailLimit = { rows: 64, transfers: 1_000_000 };

export class LogTail {
  private readonly rows: { seq: number; record: LogRecord }[] = [];
  readonly transfers = new Map<string, InTail<Transfer>>();
  readonly pending = new Map<string, InTail<PendingState>>();
  readonly failures = new Map<string, InTail<TransferResult>>();
  /** Each account's tail transfers, oldest first. */
  private readonly byAccount = new Map<string, InTail<Transfer>[]>();

  get length(): number {
    return this.rows.length;
  }

  /** Whether the tail holds at least `rows` rows or `transfers` transfers (the writer's backpressure). */
  reaches(limit: TailLimit): boolean {
    return this.rows.length >= limit.rows || this.transfers.size >= limit.transfers;
  }

  add(seq: number, record: LogRecord): void {
    this.rows.push({ seq, record });
    for (const t of record.transfers) {
      const entry = { value: t, seq };
      this.transfers.set(t.id, entry);
      this.history(t.debitAccountId).push(entry);
      this.history(t.creditAccountId).push(entry);
    }
    for (const p of [...record.newPending, ...record.resolvedPending]) this.pending.set(p.id, { value: { ...p }, seq });
    for (const f of record.failures) this.failures.set(f.id, { value: f.result, seq });
  }

  /** The rows after `seq`, oldest first, at most `limit`. */
  rowsAfter(seq: number, limit: number): readonly { readonly seq: number; readonly record: LogRecord }[] {
    const first = this.rows.findIndex((row) => row.seq > seq);
    return first < 0 ? [] : this.rows.slice(first, first + limit);
  }

  /** Forgets the rows up to `seq`: the state file holds them now. */
  dropThrough(seq: number): void {
    while (this.rows.length > 0 && this.rows[0].seq <= seq) {
      const row = this.rows.shift() as { seq: number; record: LogRecord };
      this.drop(row.seq, row.record);
    }
  }

  /** An account's tail transfers matching `query`, oldest first, at most `limit`. */
  accountTransfers(accountId: string, query: TransferQuery, limit: number): InTail<Transfer>[] {
    const found: InTail<Transfer>[] = [];
    for (const entry of this.byAccount.get(accountId) ?? []) {
      if (found.length >= limit) break;
      const t = entry.value;
      if (t.timestamp <= (query.after ?? 0n)) continue;
      if (query.until !== undefined && t.timestamp > query.until) break;
      if (query.code !== undefined && t.code !== query.code) continue;
      if (query.userData !== undefined && t.userData !== query.userData) continue;
      found.push(entry);
    }
    return found;
  }

  private history(accountId: string): InTail<Transfer>[] {
    let list = this.byAccount.get(accountId);
    if (!list) {
      list = [];
      this.byAccount.set(accountId, list);
    }
    return list;
  }

  private drop(seq: number, record: LogRecord): void {
    const leaving = new Map<string, number>();
    for (const t of record.transfers) {
      this.transfers.delete(t.id);
      for (const id of [t.debitAccountId, t.creditAccountId]) leaving.set(id, (leaving.get(id) ?? 0) + 1);
    }
    // The oldest entries of each account are this row's: rows leave in order.
    for (const [id, n] of leaving) {
      const list = this.byAccount.get(id) as InTail<Transfer>[];
      list.splice(0, n);
      if (list.length === 0) this.byAccount.delete(id);
    }
    const forget = <T>(map: Map<string, InTail<T>>, id: string) => {
      if (map.get(id)?.seq === seq) map.delete(id);
    };
    for (const p of [...record.newPending, ...record.resolvedPending]) forget(this.pending, p.id);
    for (const f of record.failures) forget(this.failures, f.id);
  }
}
