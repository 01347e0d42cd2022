// The log rows the writer knows and the state file may not hold yet: their transfers (by id and by
// account, for history reads), pending states and failures, each with the seq of its row. Rows
// leave once the materializing worker reports them in the state file.
//
// Transfers are indexed per row, so a row leaves whole, with its maps, instead of one delete per
// transfer; the index by account is built only when a history read first needs the row (under a
// load of writes alone, never). Tail maintenance had been a sixth of the writer's thread.
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
  private readonly rows: TailRow[] = [];
  private transferCount = 0;
  readonly pending = new Map<string, InTail<PendingState>>();
  readonly failures = new Map<string, InTail<TransferResult>>();

  get length(): number {
    return this.rows.length;
  }

  /** Whether the tail holds at least `rows` rows or `transfers` transfers (the writer's backpressure). */
  reaches(limit: TailLimit): boolean {
    return this.rows.length >= limit.rows || this.transferCount >= limit.transfers;
  }

  add(seq: number, record: LogRecord): void {
    const byId = new Map<string, Transfer>();
    for (const t of record.transfers) byId.set(t.id, t);
    this.rows.push({ seq, record, byId, byAccount: null });
    this.transferCount += record.transfers.length;
    for (const p of record.newPending) this.pending.set(p.id, { value: { ...p }, seq });
    for (const p of record.resolvedPending) this.pending.set(p.id, { value: { ...p }, seq });
    for (const f of record.failures) this.failures.set(f.id, { value: f.result, seq });
  }

  /** The transfer `id` if a row of the tail holds it (an id is in one row at most). */
  transfer(id: string): InTail<Transfer> | undefined {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      const value = row.byId.get(id);
      if (value) return { value, seq: row.seq };
    }
    return undefined;
  }

  /** The rows after `seq`, oldest first, at most `limit`. */
  rowsAfter(seq: number, limit: number): readonly { readonly seq: number; readonly record: LogRecord }[] {
    const first = this.rows.findIndex((row) => row.seq > seq);
    return first < 0 ? [] : this.rows.slice(first, first + limit);
  }

  /** Forgets the rows up to `seq`: the state file holds them now. */
  dropThrough(seq: number): void {
    while (this.rows.length > 0 && this.rows[0].seq <= seq) {
      const row = this.rows.shift() as TailRow;
      this.transferCount -= row.record.transfers.length;
      const forget = <T>(map: Map<string, InTail<T>>, id: string) => {
        if (map.get(id)?.seq === row.seq) map.delete(id);
      };
      for (const p of row.record.newPending) forget(this.pending, p.id);
      for (const p of row.record.resolvedPending) forget(this.pending, p.id);
      for (const f of row.record.failures) forget(this.failures, f.id);
    }
  }

  /** An account's tail transfers matching `query`, oldest first, at most `limit`. */
  accountTransfers(accountId: string, query: TransferQuery, limit: number): InTail<Transfer>[] {
    const found: InTail<Transfer>[] = [];
    for (const row of this.rows) {
      for (const t of historyOf(row).get(accountId) ?? []) {
        if (found.length >= limit) return found;
        if (t.timestamp <= (query.after ?? 0n)) continue;
        if (query.until !== undefined && t.timestamp > query.until) return found;
        if (query.code !== undefined && t.code !== query.code) continue;
        if (query.userData !== undefined && t.userData !== query.userData) continue;
        found.push({ value: t, seq: row.seq });
      }
    }
    return found;
  }
}

interface TailRow {
  readonly seq: number;
  readonly record: LogRecord;
  readonly byId: Map<string, Transfer>;
  /** Each account's transfers in this row, oldest first; built by the first history read. */
  byAccount: Map<string, Transfer[]> | null;
}

function historyOf(row: TailRow): Map<string, Transfer[]> {
  if (row.byAccount) return row.byAccount;
  const byAccount = new Map<string, Transfer[]>();
  const push = (id: string, t: Transfer) => {
    const list = byAccount.get(id);
    if (list) list.push(t);
    else byAccount.set(id, [t]);
  };
  for (const t of row.record.transfers) {
    push(t.debitAccountId, t);
    push(t.creditAccountId, t);
  }
  row.byAccount = byAccount;
  return byAccount;
}
